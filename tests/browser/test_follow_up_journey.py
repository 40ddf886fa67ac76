"""After a People's Council rating in real Chromium: one person is over half "tín nhiệm thấp" but
below two thirds, another over half resigned; the office prepares the confidence vote for the
first from the results page (NQ 96/2023 Điều 12 khoản 1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_prepares_the_confidence_vote_from_the_results(new_page, live_server, finished_council, shot):
    council = finished_council
    page = new_page()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{council.pk}/ket-qua/")
    page.get_by_role("heading", name="Bỏ phiếu tín nhiệm").wait_for()
    boxes = page.locator("#bo-phieu + .card input[name=person]")
    assert boxes.count() == 2
    page.locator("label", has_text="Người được lấy phiếu số 03").locator("input").uncheck()  # resigned
    day = date.today() + timedelta(days=1)
    page.fill("#follow-up-date", f"{day:%d/%m/%Y}")
    page.locator("#bo-phieu").scroll_into_view_if_needed()
    shot(page, "16-bo-phieu-tin-nhiem", full_page=False)
    page.click("button:has-text('Chuẩn bị bỏ phiếu tín nhiệm')")
    page.get_by_text("Đã chuẩn bị bỏ phiếu tín nhiệm: 1 người được đưa ra bỏ phiếu tín nhiệm").wait_for()
    vote = council.follow_ups.get()
    assert page.url.endswith(f"/hoi-nghi/{vote.pk}/")
    assert [p.full_name for p in vote.rated_persons.all()] == ["Người được lấy phiếu số 01"]
    assert vote.date == day and vote.voters.count() == 60
    page.get_by_role("link", name="Người được đưa ra bỏ phiếu", exact=True).click()
    page.get_by_text("Người được lấy phiếu số 01").first.wait_for()
    assert page.external_requests == []
