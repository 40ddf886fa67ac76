"""Live figures (the quorum, the turnout, the projector) when the server stops answering: greyed,
with a line saying since when they have not been updated, until it answers again."""

from __future__ import annotations

import pytest

from tests.browser.helpers import commune_conference, login
from tinnhiem.conferences.usecases import roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_quorum_that_stopped_updating_does_not_pass_for_the_live_one(new_page, live_server, office):
    conference = commune_conference(office, title="Hội nghị", place="Hội trường xã", legal_basis="Kế hoạch số 12")
    roster.add_voter(office, conference, full_name="Nguyễn Văn An", post="Công chức")
    page = new_page()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/diem-danh/")
    figures = page.locator("[data-poll-url]")
    figures.wait_for()
    assert page.locator(".stale-note").count() == 0
    # the hall's Wi-Fi drops: the count's requests fail
    page.route("**/diem-danh/so-lieu/", lambda route: route.abort())
    note = page.locator(".stale-note")
    note.wait_for(timeout=10000)
    assert note.inner_text().startswith(
        "Không có phản hồi từ máy chủ: số liệu dưới đây có thể đã cũ (cập nhật lần cuối lúc "
    )
    assert "stale" in figures.get_attribute("class")
    # it comes back: the figures are live again, and the line goes
    page.unroute("**/diem-danh/so-lieu/")
    note.wait_for(state="detached", timeout=10000)
    assert "stale" not in (figures.get_attribute("class") or "")
