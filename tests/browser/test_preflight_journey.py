"""The staff office checks the hall laptop from the menu, in real Chromium."""

from __future__ import annotations

import pytest

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_checks_this_computer(new_page, live_server, office, settings, shot):
    settings.SECRET_KEY = "k" * 50  # as on a real site: the suite's own key is refused by serve
    settings.TINNHIEM_PUBLIC_URL = ""
    page = new_page()
    login(page, live_server.url, "office")
    page.get_by_role("link", name="Kiểm tra máy").click()
    page.get_by_role("heading", name="Kiểm tra máy trước hội nghị").wait_for()
    rows = page.locator("#findings tr").all_inner_texts()[1:]
    by_text = {text.split("\t", 1)[1].strip(): text.split("\t", 1)[0].strip() for text in rows}
    printed = next(t for t in by_text if t.startswith("Đã in và đọc lại đúng một phiếu mẫu"))
    assert by_text[printed] == "đạt"
    clock = next(t for t in by_text if t.startswith("Đồng hồ: "))
    assert by_text[clock] == "đạt"
    # opened at localhost: invitations printed now would carry an address phones cannot open
    address = next(t for t in by_text if t.startswith("Trang này đang mở bằng địa chỉ http://localhost:"))
    assert by_text[address] == "CẢNH BÁO"
    assert not any(result == "KHÔNG ĐẠT" for result in by_text.values()), by_text
    page.get_by_text("Máy dùng được, nhưng có").wait_for()
    shot(page, "18-kiem-tra-may")
