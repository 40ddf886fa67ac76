"""Real Chromium (Debian's package, installed by scripts/setup --test) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screens"
DOC_IMAGES = ROOT / "docs" / "img"


def chromium_path() -> str:
    for candidate in (
        os.environ.get("TINNHIEM_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium is missing: run scripts/setup --test (it installs Debian's chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item, for ``new_page`` to know whether the journey failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(browser, live_server, request):
    contexts, script_errors, broken = [], [], []

    def make(width=1280, height=900, mobile=False, locale="vi-VN"):
        context = browser.new_context(
            viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile, locale=locale
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        external = []
        page.on(
            "request",
            lambda r: external.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None,
        )
        page.external_requests = external
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        # something a page does that its Content-Security-Policy refuses (an inline handler, say)
        page.on(
            "console",
            lambda m: script_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        # a style sheet, script, image or icon a page asks for and does not get (a page visited
        # on purpose, such as a refusal, is a "document" and may answer 4xx; a journey that makes
        # the server refuse a script's request says which status it expects)
        page.expected_statuses = set()
        page.on(
            "response",
            lambda r: (
                broken.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" and r.status not in page.expected_statuses
                else None
            ),
        )
        return page

    yield make
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        # what each browser showed when the journey failed, in the test's output (CI keeps it)
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                try:
                    shown = page.locator("body").inner_text(timeout=2000)[:1500]
                except Exception as exc:  # the page may be gone with the failure
                    shown = f"(not readable: {exc})"
                print(f"\n--- browser {number}: {page.url}\n{shown}")
    undrawn = []
    for context in contexts:
        # an image the page got but cannot draw (answered 200 with something no browser shows)
        for page in context.pages:
            undrawn += page.evaluate(
                "Array.from(document.images).filter(i => i.complete && i.currentSrc && !i.naturalWidth)"
                ".map(i => i.currentSrc)"
            )
        context.close()
    # a script error on any page fails the journey, even when the steps happened to pass
    assert not script_errors, script_errors
    assert not broken, broken
    assert not undrawn, undrawn


# Every text shown on the page whose colour, against the background it is drawn on, is under the
# contrast WCAG 2.1 asks (1.4.3: 4.5 to 1, or 3 to 1 for large text, 24 px or bold 18.7 px; a
# disabled control is exempt): its text, the ratio, the two colours. The background is the nearest
# ones behind the text laid over white, with their transparency; a text over a picture is not
# measured. The same formula as WCAG's (relative luminance of sRGB).
LOW_CONTRAST = r"""() => {
  const rgba = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(",").map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const luminance = c => [0, 1, 2].map(i => { const v = c[i] / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = element => { const layers = [];
    for (let e = element; e; e = e.parentElement) { const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;
      const c = rgba(style.backgroundColor); if (c && c[3] > 0) layers.push(c); if (c && c[3] >= 1) break; }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]); };
  const low = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), seen = new Set();
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    const box = element.getBoundingClientRect(), style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility === "hidden" || element.closest(":disabled")) continue;
    const back = behind(element); if (!back) continue;
    let opacity = 1; for (let e = element; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    const c = rgba(style.color), text = over([c[0], c[1], c[2], c[3] * opacity], back);
    const [a, b] = [luminance(text), luminance(back)], ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), large = size >= 24 || (parseInt(style.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) low.push([walker.currentNode.textContent.trim().slice(0, 40),
      Math.round(ratio * 100) / 100, style.color, "rgb(" + back.slice(0, 3).map(Math.round).join(",") + ")"]);
  }
  return low;
}"""


@pytest.fixture
def shot():
    """Save a screenshot to test-artifacts/ (and to docs/img/ with TINNHIEM_UPDATE_SCREENSHOTS=1).
    The page shown must be readable: every text in enough contrast (``LOW_CONTRAST``), and, on a
    phone, nothing off the side of the screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        screen = page.viewport_size["width"]
        if screen < 600:  # a phone: nothing may run off the side of the screen (a phone's browser
            # widens its layout to the content, so the page is measured against the screen itself)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= screen, f"{name}: the page is {wide}px wide on a {screen}px phone screen"
        low = page.evaluate(LOW_CONTRAST)
        assert low == [], f"{name}: text in too little contrast (text, ratio, colour, background): {low}"
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if os.environ.get("TINNHIEM_UPDATE_SCREENSHOTS") == "1":
            DOC_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOC_IMAGES / f"{name}.png")
        return path

    return take


@pytest.fixture
def scan_vote_tx(transactional_db, office, make_user, conference):
    from tests.scanning.conftest import _scan_vote

    return _scan_vote(office, make_user, conference)


@pytest.fixture
def make_scan_tx(scan_vote_tx):
    from tests.scanning.conftest import _scan_maker

    return _scan_maker(scan_vote_tx)


@pytest.fixture
def long_vote_tx(transactional_db, office, make_user, conference):
    """A two-page ballot (18 rated persons), counted by scanning."""
    from tests.scanning.conftest import _scan_vote

    return _scan_vote(office, make_user, conference, tag="l", more_people=16)


@pytest.fixture
def make_long_scan_tx(long_vote_tx):
    from tests.scanning.conftest import _scan_maker

    return _scan_maker(long_vote_tx)


@pytest.fixture
def finished_council(office, make_user):
    """A People's Council rating under NQ 96, counted and finished: four persons, the second with
    33 "tín nhiệm thấp" (over half, under two thirds), a chair and a committee of seven."""
    from tinnhiem.site.demo import build_council_vote

    chair = make_user("chair", "chair")
    counters = [make_user("committee", f"kp{i}") for i in range(7)]
    return build_council_vote(office, chair, counters, n_people=4, lows={2: 33})
