"""The hall's projector in real Chromium, at a People's Council's size: forty-four persons on one
line each, so that a screen shows many of them and the whole list scrolls by, nothing cut off."""

from __future__ import annotations

import pytest

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_projector_shows_forty_four_persons_a_line_each(new_page, live_server, office, make_user, shot):
    from tinnhiem.conferences.usecases import day
    from tinnhiem.site.demo import build_council_vote

    chair = make_user("chair", "chair")
    counters = [make_user("committee", f"kp{i}") for i in range(7)]
    council = build_council_vote(office, chair, counters)
    day.publish_results(chair, council)
    page = new_page(width=1920, height=1080)  # a projector's full HD
    login(page, live_server.url, "chair")
    page.goto(f"{live_server.url}/hoi-nghi/{council.pk}/man-chieu/")
    rows = page.locator(".pj-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 44
    first = rows.nth(0).inner_text().split()
    assert first[:1] == ["1"] and "Người được lấy phiếu số 01" in rows.nth(0).inner_text()
    # every figure of a row on its one line: the levels and the invalid add up to those collected
    collected = int(page.locator(".pj-form .pj-sub").inner_text().split("thu về: ")[1].split()[0])
    for i in (0, 21, 43):
        counts = [int(n) for n in rows.nth(i).locator(".pj-num").all_inner_texts()]
        assert len(counts) == 4 and sum(counts) == collected
    heights = page.evaluate("Array.from(document.querySelectorAll('.pj-table tbody tr')).map(r => r.offsetHeight)")
    on_screen = page.evaluate(
        "Array.from(document.querySelectorAll('.pj-table tbody tr'))"
        ".filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"
    )
    assert on_screen >= 12, on_screen  # with the title, the heading and the counts above them
    assert max(heights) <= 1.1 * min(heights), heights  # each on one line: no name or post wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920  # nothing runs off the side
    shot(page, "24-man-chieu-nhieu-nguoi", full_page=False)
    last_seen = "document.querySelector('.pj-table tbody tr:last-child').getBoundingClientRect().bottom <= innerHeight"
    assert not page.evaluate(last_seen)
    page.keyboard.press("End")  # the operator scrolls: the last person is reached, whole
    for _ in range(50):  # (the page's policy allows no script a test would send to wait_for_function)
        if page.evaluate(last_seen):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(last_seen)
    assert page.external_requests == []
