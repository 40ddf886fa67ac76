"""A form sends once per press: a double click on a slow Wi-Fi sends one request (app.js), and the
voter's review, which a script keeps on the page, still works with its buttons."""

from __future__ import annotations

import time

import pytest

from tests.browser.helpers import commune_conference, login
from tinnhiem.audit.models import Event
from tinnhiem.conferences.usecases import roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_second_press_while_the_server_answers_sends_nothing(new_page, live_server, office, monkeypatch):
    conference = commune_conference(office, title="Hội nghị", place="Hội trường xã", legal_basis="Kế hoạch số 12")
    page = new_page()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/thanh-phan/")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    add_voter = roster.add_voter

    def slow_add_voter(*args, **kwargs):  # a busy server in the hall: the answer takes a while
        time.sleep(1.5)
        return add_voter(*args, **kwargs)

    monkeypatch.setattr(roster, "add_voter", slow_add_voter)
    form = page.locator(f"form[action='/hoi-nghi/{conference.pk}/thanh-phan/them/']")
    form.locator("input[name=full_name]").fill("Nguyễn Văn An")
    form.locator("input[name=post]").fill("Công chức Văn phòng")
    form.locator("button[type=submit]").scroll_into_view_if_needed()
    box = form.locator("button[type=submit]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # the mouse itself: a locator's click would wait for the next page
    page.wait_for_timeout(400)  # no answer yet: pressed again, on the same page
    page.mouse.click(x, y)
    page.locator("ul.messages").wait_for(timeout=15000)
    assert len(posts) == 1, posts
    assert page.locator("ul.messages").inner_text() == "Đã thêm Nguyễn Văn An vào danh sách người ghi phiếu."
    assert conference.voters.count() == 1
    assert Event.objects.filter(action="voter.added").count() == 1
    assert form.locator("button[type=submit]").is_enabled()  # the page that came back
