"""After a People's Council rating in real Chromium: one person is over half "tín nhiệm thấp" but
below two thirds, another over half resigned; the office prepares the confidence vote for the
first from the results page (NQ 96/2023 Điều 12 khoản 1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

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


def test_the_results_on_a_phone_are_a_card_a_person(new_page, live_server, finished_council, shot):
    """At 390 px each person's row is a card: the name and the post as wide as the screen (they were
    a column of one word a line), the levels' counts side by side under them, each with its label."""
    page = new_page(width=390, height=844, mobile=True)
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{finished_council.pk}/ket-qua/")
    shot(page, "16b-ket-qua-dien-thoai")
    row = page.locator("table.results tbody tr", has_text="Người được lấy phiếu số 01")
    who = row.locator("td.who").bounding_box()
    counts = [row.locator("td.count").nth(i).bounding_box() for i in range(4)]
    assert who["width"] > 300, who
    assert all(c["y"] >= who["y"] + who["height"] - 1 for c in counts), (who, counts)  # under the name
    assert len({round(c["y"]) for c in counts}) == 1  # on one line
    labels = [row.locator("td.count").nth(i).evaluate("e => getComputedStyle(e, '::before').content") for i in range(4)]
    assert labels == ['"Tín nhiệm cao"', '"Tín nhiệm"', '"Tín nhiệm thấp"', '"Không hợp lệ"']
    assert row.locator("td.count").nth(2).inner_text().split() == ["30", "51,72%"]  # over half "tín nhiệm thấp"
    header = page.locator("table.results thead th").first.bounding_box()  # out of sight, still read by a screen reader
    assert header["width"] <= 1 and header["height"] <= 1, header
    # Chromium's accessibility tree (what a screen reader is given) keeps the table, its column
    # headers and its cells: a card is still a row of a table to it
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    roles = [node.get("role", {}).get("value") for node in tree]
    assert (roles.count("table"), roles.count("columnheader"), roles.count("cell")) == (1, 6, 4 * 6), roles
    # on a screen, the table as it was: one line a person
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("() => window.innerWidth === 1280")
    who, low = row.locator("td.who").bounding_box(), row.locator("td.count").nth(2).bounding_box()
    assert abs(who["y"] - low["y"]) < 2 and low["x"] > who["x"] + who["width"] - 1
    assert page.external_requests == []


def test_the_log_on_a_phone_is_a_card_an_event(new_page, live_server, finished_council, shot):
    """At 390 px each event is a card: its number, time and author on a line, the action under
    them, then its details as wide as the screen (they were off its side, in a table 572 px wide)."""
    page = new_page(width=390, height=844, mobile=True)
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/nhat-ky/?conference={finished_council.pk}")
    shot(page, "16c-nhat-ky-dien-thoai", full_page=False)
    event = page.locator("#events tbody tr", has_text="count.finalised")
    box = {cell: event.locator(f"td.{cell}").bounding_box() for cell in ("num", "when", "who", "what", "details")}
    assert abs(box["num"]["y"] - box["when"]["y"]) < 2 and abs(box["when"]["y"] - box["who"]["y"]) < 2, box
    assert box["what"]["y"] >= box["when"]["y"] + box["when"]["height"] - 1, box
    assert box["details"]["y"] >= box["what"]["y"] + box["what"]["height"] - 1 and box["details"]["width"] > 300, box
    expect(event.locator("td.details")).to_contain_text("SHA-256 của kết quả")
    assert page.locator("#events").evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # nothing to its side
    header = page.locator("#events thead th").first.bounding_box()  # out of sight, still read by a screen reader
    assert header["width"] <= 1 and header["height"] <= 1, header
