"""The account pages of the administration site speak in tinnhiem's roles, in Vietnamese: roles
ticked by name, not Django's model permissions; the Administrator role opens these pages; only a
superuser makes a superuser."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.contrib.auth.models import Group, User

from tinnhiem.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client, make_user):
    user = make_user("admin", "boss")
    client.force_login(user)
    return user


def change_url(user: User) -> str:
    return f"/quan-tri/auth/user/{user.pk}/change/"


def post_user(client, user: User, roles: list[str], **extra) -> None:
    data = {
        "username": user.username,
        "first_name": "Ngọc",
        "last_name": "Vũ Thị Minh",
        "email": "",
        "is_active": "on",
        "groups": [str(g.pk) for g in Group.objects.filter(name__in=roles)],
        "_save": "1",
        **extra,
    }
    response = client.post(change_url(user), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_account_page_offers_the_roles_by_name(client, boss, make_user):
    counter = make_user("committee", "kiemphieu9")
    html = client.get(change_url(counter)).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="groups" value="(\d+)"[^>]*>', html)
    assert sorted(int(b) for b in boxes) == sorted(
        Group.objects.filter(name__in=["office", "chair", "committee", "observer", "admin"]).values_list(
            "pk", flat=True
        )
    )
    for label in (
        "Cơ quan tham mưu (tổ giúp việc)",
        "Chủ trì hội nghị",
        "Thành viên Ban kiểm phiếu",
        "Quan sát viên",
        "Quản trị viên",
    ):
        assert label in html
    assert 'name="user_permissions"' not in html and "Can add" not in html and "Can view" not in html
    assert 'name="is_superuser"' not in html  # an Administrator does not make superusers
    # Django 5.2's own words that its Vietnamese catalog lacks come from ours
    assert "Đặt lại mật khẩu" in html and "Reset password" not in html
    assert "| tinnhiem</title>" in html and "Django" not in html.split("</title>")[0]  # the browser tab
    assert "không ai xem được mật khẩu" in html
    add = client.get("/quan-tri/auth/user/add/").content.decode()
    assert "Đăng nhập bằng mật khẩu" in add and "Whether the user will be able" not in add


def test_the_administrator_role_opens_the_administration_pages(client, boss, make_user):
    user = make_user("office", "vanphong9")
    assert not user.is_staff
    post_user(client, user, ["office", "admin"])
    user.refresh_from_db()
    assert user.is_staff and set(user.groups.values_list("name", flat=True)) == {"office", "admin"}
    post_user(client, user, ["office"])
    user.refresh_from_db()
    assert not user.is_staff and list(user.groups.values_list("name", flat=True)) == ["office"]


def test_only_a_superuser_makes_a_superuser(client, boss, make_user, django_user_model):
    user = make_user("observer", "quansat9")
    post_user(client, user, ["observer"], is_superuser="on")
    user.refresh_from_db()
    assert not user.is_superuser
    root = django_user_model.objects.create_superuser("root", password="pw-123456")
    client.force_login(root)
    assert 'name="is_superuser"' in client.get(change_url(user)).content.decode()
    post_user(client, user, ["observer"], is_superuser="on")
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff
    # the log says so: every right, whatever the roles say
    event = Event.objects.filter(action="account.saved", data__user="quansat9").last()
    assert event.data["superuser"] is True and event.data["roles"] == ["observer"]


def test_a_role_shows_its_permissions_in_words(client, boss):
    chair = Group.objects.get(name="chair")
    html = client.get(f"/quan-tri/auth/group/{chair.pk}/change/").content.decode()
    assert "Chủ trì hội nghị" in html
    assert "Được chủ trì hội nghị" in html and "Được xem nhật ký hệ thống" in html
    assert "Can " not in html
    admin = Group.objects.get(name="admin")
    html = client.get(f"/quan-tri/auth/group/{admin.pk}/change/").content.decode()
    assert "Xem: người dùng" in html and "Thêm: người dùng" in html


def test_accounts_changed_on_these_pages_are_in_the_audit_log(client, boss, make_user):
    from tinnhiem.audit import log
    from tinnhiem.audit.models import Event

    def last():
        event = Event.objects.filter(action="account.saved").latest("seq")
        return event.actor, event.data

    response = client.post(
        "/quan-tri/auth/user/add/",
        {
            "username": "thuky",
            "usable_password": "true",
            "password1": "mat-khau-thu-ky-26",
            "password2": "mat-khau-thu-ky-26",
            "last_name": unicodedata.normalize("NFD", "Đỗ Hồng"),  # pasted decomposed: stored NFC
            "first_name": "Linh",
            "groups": [str(Group.objects.get(name="admin").pk)],  # roles given on the add page itself
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert last() == (
        "boss",
        {"user": "thuky", "created": True, "roles": ["admin"], "password_set": True, "active": True},
    )
    user = User.objects.get(username="thuky")
    assert user.is_staff and (user.last_name, user.first_name) == ("Đỗ Hồng", "Linh")
    post_user(client, user, ["committee"])
    assert last() == (
        "boss",
        {"user": "thuky", "created": False, "roles": ["committee"], "password_set": False, "active": True},
    )
    response = client.post(
        f"/quan-tri/auth/user/{user.pk}/password/",
        {"password1": "mat-khau-moi-2026-b", "password2": "mat-khau-moi-2026-b"},
    )
    assert response.status_code == 302
    assert last()[1]["password_set"] is True
    assert "mat-khau" not in str(list(Event.objects.values_list("data", flat=True)))
    assert log.verify() == []


def test_an_account_removed_by_a_superuser_is_in_the_audit_log(client, make_user, django_user_model):
    from tinnhiem.audit.models import Event

    user = make_user("observer", "quansat8")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-123456"))
    assert client.post(f"/quan-tri/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not User.objects.filter(username="quansat8").exists()
    event = Event.objects.get(action="account.removed")
    assert (event.actor, event.data) == ("root", {"user": "quansat8"})


def test_the_list_of_accounts_shows_and_filters_their_roles_and_removes_several_into_the_log(
    client, make_user, django_user_model
):
    make_user("committee", "kiemphieu7")
    make_user("observer", "quansat7")
    make_user("observer", "quansat6")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-123456"))
    listing = client.get("/quan-tri/auth/user/").text
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*kiemphieu7(?:(?!</tr>).)*</tr>", listing, re.S).group(0)
    assert "Thành viên Ban kiểm phiếu" in row
    observers = client.get("/quan-tri/auth/user/", {"role": "observer"}).text
    assert "quansat7" in observers and "quansat6" in observers and "kiemphieu7" not in observers
    assert "Quan sát viên" in observers  # the filter's choices, by name
    chosen = [str(u.pk) for u in User.objects.filter(username__in=["quansat7", "quansat6"])]
    response = client.post(
        "/quan-tri/auth/user/", {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(username__startswith="quansat").exists()
    removed = Event.objects.filter(action="account.removed").order_by("seq")
    assert sorted(e.data["user"] for e in removed) == ["quansat6", "quansat7"]
    assert {e.actor for e in removed} == {"root"}


def test_every_account_changes_its_own_password(client, make_user):
    from tinnhiem.audit.models import Event

    user = make_user("committee", "kiemphieu5")
    user.last_name, user.first_name = "Vũ Thị Minh", "Ngọc"
    user.save()
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "Vũ Thị Minh Ngọc</a>" in home  # family name first, a link to the password page
    assert 'href="/tai-khoan/doi-mat-khau/"' in home
    page = "/tai-khoan/doi-mat-khau/"
    wrong = client.post(
        page, {"old_password": "sai", "new_password1": "mat-khau-rieng-26", "new_password2": "mat-khau-rieng-26"}
    )
    assert wrong.status_code == 200 and "Mật khẩu cũ không chính xác" in wrong.content.decode()
    weak = client.post(page, {"old_password": "pw-123456", "new_password1": "12345", "new_password2": "12345"})
    assert "quá ngắn" in weak.content.decode()
    assert not Event.objects.filter(action="account.saved").exists()
    done = client.post(
        page, {"old_password": "pw-123456", "new_password1": "mat-khau-rieng-26", "new_password2": "mat-khau-rieng-26"}
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password("mat-khau-rieng-26")
    event = Event.objects.get(action="account.saved")
    assert event.actor == "kiemphieu5" and event.data["password_set"] is True


def test_guessing_the_old_password_is_stopped(client, make_user):
    user = make_user("observer", "quansat6")
    client.force_login(user)
    page = "/tai-khoan/doi-mat-khau/"
    new = {"new_password1": "mat-khau-rieng-26", "new_password2": "mat-khau-rieng-26"}
    for guess in range(5):
        assert client.post(page, {"old_password": f"doan-{guess}", **new}).status_code == 200
    stopped = client.post(page, {"old_password": "pw-123456", **new})  # even the right one, for a while
    assert stopped.status_code == 429 and "Sai mật khẩu cũ quá nhiều lần" in stopped.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-123456")
