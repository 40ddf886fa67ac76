"""Accounts in real Chromium: the administrator makes a committee member's account with its role
on one page; the member signs in, changes the password from the header, and signs in again."""

from __future__ import annotations

import pytest

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_account_made_by_the_administrator_and_its_own_password(new_page, live_server, make_user, shot):
    from django.contrib.auth.models import User

    base = live_server.url
    make_user("admin", "quantri")
    admin = new_page()
    login(admin, base, "quantri")
    admin.get_by_role("link", name="Tài khoản").click()
    admin.goto(f"{base}/quan-tri/auth/user/add/")
    admin.fill("#id_username", "kiemphieu4")
    admin.fill("#id_password1", "mat-khau-ban-dau-26")
    admin.fill("#id_password2", "mat-khau-ban-dau-26")
    admin.fill("#id_last_name", "Vũ Thị Minh")
    admin.fill("#id_first_name", "Ngọc")
    admin.get_by_label("Thành viên Ban kiểm phiếu").check()
    admin.get_by_role("button", name="Lưu", exact=True).click()
    admin.get_by_text("Thành viên Ban kiểm phiếu").first.wait_for()
    user = User.objects.get(username="kiemphieu4")
    assert list(user.groups.values_list("name", flat=True)) == ["committee"] and not user.is_staff

    member = new_page()
    member.goto(f"{base}/tai-khoan/dang-nhap/")
    member.fill("#id_username", "kiemphieu4")
    member.fill("#id_password", "mat-khau-ban-dau-26")
    member.click("main button[type=submit]")
    member.get_by_role("link", name="Vũ Thị Minh Ngọc").click()  # the name in the header, family name first
    member.fill("#id_old_password", "mat-khau-ban-dau-26")
    member.fill("#id_new_password1", "mat-khau-cua-toi-2026")
    member.fill("#id_new_password2", "mat-khau-cua-toi-2026")
    shot(member, "40-doi-mat-khau")
    member.get_by_role("button", name="Đổi mật khẩu").click()
    member.get_by_text("Đã đổi mật khẩu.").wait_for()
    member.get_by_role("button", name="Đăng xuất").click()
    member.fill("#id_username", "kiemphieu4")
    member.fill("#id_password", "mat-khau-cua-toi-2026")
    member.click("main button[type=submit]")
    member.get_by_role("button", name="Đăng xuất").wait_for()
    assert member.get_by_role("link", name="Tài khoản").count() == 0  # not an administrator
