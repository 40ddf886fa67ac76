"""The hall's projector in real Chromium, at the National Assembly's size: forty-four persons on one
line each, shown a screen at a time, whole rows only: the next screen every 20 seconds, or at once
with a presenter's remote (PageDown, PageUp) or the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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
    page.clock.install()  # the screens' turning, made to pass at once
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
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('.pj-table tbody tr')).map(r => r.offsetHeight).filter(h => h)"
    )
    assert max(heights) <= 1.1 * min(heights), heights  # each on one line: no name or post wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920  # nothing runs off the side
    pager = page.locator(".pj-pager")
    first = on_screen(page)
    assert len(first) >= 12 and first == list(range(1, len(first) + 1)), first  # under the title and the counts
    count = -(-44 // len(first))
    expect(pager).to_have_text(f"Trang 1/{count}")
    shot(page, "24-man-chieu-nhieu-nguoi", full_page=False)
    # the remote's "next": the following rows, whole, none twice, none left out
    seen = list(first)
    for n in range(2, count + 1):
        page.keyboard.press("PageDown")
        expect(pager).to_have_text(f"Trang {n}/{count}")
        seen += on_screen(page)
    assert seen == list(range(1, 45)), seen
    page.keyboard.press("PageDown")  # after the last, the first again
    expect(pager).to_have_text(f"Trang 1/{count}")
    page.keyboard.press("PageUp")
    expect(pager).to_have_text(f"Trang {count}/{count}")
    assert on_screen(page)[-1] == 44
    page.keyboard.press("Home")
    expect(pager).to_have_text(f"Trang 1/{count}")
    # the remote's "pause" (P, B or "."): the screen stays while a row is read, until pressed again
    held = f"Trang 1/{count} · đang dừng (bấm P để tiếp tục)"
    page.keyboard.press("p")
    expect(pager).to_have_text(held)
    page.clock.run_for(45000)
    expect(pager).to_have_text(held)
    page.keyboard.press("b")
    expect(pager).to_have_text(f"Trang 1/{count}")
    # nothing to scroll: each screen fits, the list's title and the counts above it on each
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert page.locator(".pj-form h2").is_visible() and page.locator(".pj-table thead").is_visible()
    # left alone, the next screen comes by itself after 20 seconds
    page.clock.run_for(19000)
    expect(pager).to_have_text(f"Trang 1/{count}")
    page.clock.run_for(1500)
    expect(pager).to_have_text(f"Trang 2/{count}")
    assert on_screen(page)[0] == len(first) + 1
    # a 4:3 projector: the screens are made again (more rows on each), the one shown kept
    page.set_viewport_size({"width": 1024, "height": 768})
    expect(pager).to_have_text(re.compile(rf"^Trang 2/[1-{count - 1}]$"))  # once the page's resize handler ran
    fewer = int(pager.inner_text().split("/")[1])
    assert fewer == -(-44 // len(on_screen(page))) and page.evaluate("document.documentElement.scrollHeight") <= 768
    # the hall's Wi-Fi drops: the line saying so goes above the rows, which are made again, still whole
    page.route("**/man-chieu/noi-dung/", lambda route: route.abort())
    page.clock.run_for(3000)
    expect(page.locator(".stale-note")).to_be_visible()
    assert on_screen(page) and page.evaluate("document.documentElement.scrollHeight") <= 768
    page.unroute("**/man-chieu/noi-dung/")
    page.clock.run_for(2000)
    expect(page.locator(".stale-note")).to_have_count(0)
    assert page.external_requests == []


def on_screen(page) -> list[int]:
    """The numbers of the rows shown, each whole on the screen."""
    return page.evaluate(
        """() => {
          const limit = innerHeight;
          return Array.from(document.querySelectorAll('.pj-table tbody tr'))
            .filter(r => r.offsetHeight > 0)
            .map(r => { if (r.getBoundingClientRect().bottom > limit + 0.5) throw new Error('cut: ' + r.innerText); return +r.cells[0].innerText; });
        }"""
    )
