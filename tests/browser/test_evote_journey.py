"""Electronic voting in real Chromium at phone size: cards made and issued, three voters on their
own phones (one leaves a row blank), the chair closes, and the published file recounts to the
same result with ``tinnhiem tally``."""

from __future__ import annotations

import io
import json
import re

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import commune_conference, login
from tinnhiem.cli import run_core
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases import day, roster
from tinnhiem.voting.usecases import counting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844, "mobile": True}


@pytest.fixture
def conference(office, make_user):
    return voting_conference(office, make_user)


def voting_conference(office, make_user, more_people: int = 0) -> Conference:
    """A commune's conference whose vote is open: its two Vice-Chairmen and ``more_people`` others
    on the ballot, six voters present, a committee of three approved."""
    from tinnhiem.conferences.usecases import rated

    chair = make_user("chair", "chair")
    counters = [make_user("committee", f"kp{i}") for i in (1, 2, 3)]
    conference = commune_conference(
        office, title="Hội nghị lấy phiếu tín nhiệm", place="Hội trường", legal_basis="KH 12"
    )
    for i in range(3, 3 + more_people):
        rated.add_rated_person(office, conference, full_name=f"Người được lấy phiếu số {i:02d}", post="Ủy viên")
    voters = [roster.add_voter(office, conference, full_name=f"Đại biểu {i}", post="Công chức") for i in range(1, 7)]
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters)
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=6, against=0, abstaining=0)
    day.open_voting(chair, conference)
    return conference


@pytest.mark.heavy
def test_three_phones_vote_and_anyone_can_recount(new_page, live_server, conference, shot, tmp_path):
    base, c = live_server.url, conference.pk
    form = conference.ballot_forms.get()
    office = new_page()
    login(office, base, "office")
    office.goto(f"{base}/hoi-nghi/{c}/the-ma/")
    office.fill(f"#n-{form.pk}", "8")
    with office.expect_download() as download:
        office.click("button:has-text('Tạo và tải thẻ mã (PDF)')")
    pdf = download.value.path().read_bytes()
    doc = pdfium.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    codes = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert len(codes) == 8 and "THẺ BỎ PHIẾU ĐIỆN TỬ" in text

    committee = new_page()
    login(committee, base, "kp1")
    committee.goto(f"{base}/hoi-nghi/{c}/the-ma/")
    committee.fill(f"#i-{form.pk}", "6")
    committee.click(f"form:has(#i-{form.pk}) button")
    committee.get_by_text("Đã ghi nhận.").wait_for()
    chair = new_page()
    login(chair, base, "chair")
    chair.goto(f"{base}/hoi-nghi/{c}/the-ma/")
    chair.click("button:has-text('Mở bỏ phiếu điện tử')")
    chair.get_by_text("Đã ghi nhận.").wait_for()

    receipts = []
    plans = [("Tín nhiệm cao", "Tín nhiệm"), ("Tín nhiệm thấp", None), ("Tín nhiệm", "Tín nhiệm cao")]
    for i, (first, second) in enumerate(plans):
        english = i == 2  # a phone set to English: the page, and the browser's messages on it, stay Vietnamese
        phone = new_page(
            width=PHONE["width"], height=PHONE["height"], mobile=True, locale="en-US" if english else "vi-VN"
        )
        phone.goto(f"{base}/bo-phieu/{c}/#{codes[i]}")  # as the card's QR code does
        expect(phone.locator("#id_code")).to_have_value(codes[i])  # the page's script reads the link's #code
        expect(phone).not_to_have_url(re.compile("#"))  # ... and takes it out of the address bar and history
        phone.get_by_text("Đang bỏ phiếu").wait_for()
        if english:
            phone.fill("#id_code", "")
            phone.click("button:has-text('Tiếp tục')")
            assert phone.eval_on_selector("#id_code", "e => e.validationMessage") == "Hãy điền ô này."
            phone.fill("#id_code", codes[i])
        phone.click("button:has-text('Tiếp tục')")
        sets = phone.locator("fieldset.person")
        sets.nth(0).get_by_text(first, exact=True).click()
        if second:
            sets.nth(1).get_by_text(second, exact=True).click()
        if i == 1:
            shot(phone, "20-phieu-dien-thoai")
        phone.click("button:has-text('Xem lại phiếu')")
        # the review reads, row by row, each name (the row's header) and the level chosen
        names = [person.full_name for person in conference.rated_persons.order_by("order")]
        expect(phone.locator("[data-review-table] tbody th[scope=row]")).to_have_text(names)
        expect(phone.locator("[data-review-table] tbody td")).to_have_text([first, second or "để trống"])
        if second is None:
            phone.get_by_text("Phiếu của đồng chí sẽ không hợp lệ đối với Lê Thị Hồng Nhung.").wait_for()
            shot(phone, "21-xem-lai-dien-thoai")
        tracking = phone.locator("[data-review-panel] .receipt").inner_text()
        phone.click("button:has-text('Gửi phiếu')")
        phone.get_by_text("Phiếu của đồng chí đã được ghi nhận.").wait_for()
        expect(phone.locator(".receipt")).to_have_text(tracking)
        if i == 0:
            shot(phone, "22-bien-nhan-dien-thoai")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        receipts.append(tracking)
        assert phone.external_requests == []

    chair.goto(f"{base}/hoi-nghi/{c}/dieu-hanh/")
    chair.click("button:has-text('Kết thúc bỏ phiếu')")
    chair.get_by_text("Đã ghi nhận.").wait_for()
    conference = Conference.objects.get(pk=c)
    from django.contrib.auth import get_user_model

    kp1 = get_user_model().objects.get(username="kp1")
    counting.record_ballot_counts(kp1, form, issued=0, collected=0, note="Bỏ phiếu điện tử; 3 đại biểu không bỏ phiếu")
    stored = counting.finalise_form(kp1, form)

    public = new_page(width=PHONE["width"], height=PHONE["height"], mobile=True)
    public.goto(f"{base}/cong-khai/{c}/")
    listed = public.locator("#receipts").inner_text()
    for tracking in receipts:
        assert tracking in listed
    shot(public, "23-cong-khai")
    with public.expect_download() as download:
        public.click("a:has-text('CSV')")
    ballots_file = download.value.path()
    out = io.StringIO()
    assert (
        run_core(["tally", str(ballots_file), "--rules", "qd96-2023", "--issued", "6", "--format", "json"], stdout=out)
        == 0
    )
    recount = json.loads(out.getvalue())
    assert recount["ballots"] == stored.data["ballots"] == {"issued": 6, "collected": 3, "valid": 3, "invalid": 0}
    assert [p["counts"] for p in recount["people"]] == [p["counts"] for p in stored.data["people"]]
    assert recount["people"][1]["counts"]["invalid"] == 1  # the row left blank


def test_a_ballot_sent_when_the_servers_disk_is_full_is_said_not_recorded_and_sent_again(
    new_page, live_server, conference, shot, monkeypatch
):
    """On a phone: the server's database refuses every write of the ballot (the error a full SQLite
    gives). The phone says the ballot was not recorded and the code is unused; with room again, the
    same code votes."""
    from django.contrib.auth import get_user_model

    from tests.disk_full import full_database
    from tinnhiem.voting.models import CodeCard, ElectronicBallot
    from tinnhiem.voting.usecases import evote

    base, c = live_server.url, conference.pk
    form = conference.ballot_forms.get()
    users = get_user_model().objects
    code = evote.generate_cards(users.get(username="office"), form, count=1)[0]
    evote.record_cards_issued(users.get(username="kp1"), form, count=1)
    evote.open_evote(users.get(username="chair"), form)
    cast = evote.cast_ballot

    def on_a_full_disk(*args, **kwargs):  # in the server's thread, on its own connection
        with full_database():
            return cast(*args, **kwargs)

    monkeypatch.setattr(evote, "cast_ballot", on_a_full_disk)
    phone = new_page(**PHONE)

    def vote():
        phone.fill("#id_code", code)
        phone.click("button:has-text('Tiếp tục')")
        phone.locator("fieldset.person").nth(0).get_by_text("Tín nhiệm", exact=True).click()
        phone.locator("fieldset.person").nth(1).get_by_text("Tín nhiệm cao", exact=True).click()
        phone.click("button:has-text('Xem lại phiếu')")
        phone.click("button:has-text('Gửi phiếu')")

    phone.goto(f"{base}/bo-phieu/{c}/")
    vote()
    phone.get_by_role("heading", name="Phiếu của đồng chí chưa được ghi nhận").wait_for()
    phone.get_by_text("mã của đồng chí vẫn chưa được dùng").wait_for()
    shot(phone, "24-o-dia-day-dien-thoai")
    assert not ElectronicBallot.objects.exists() and not CodeCard.objects.filter(state="used").exists()
    monkeypatch.setattr(evote, "cast_ballot", cast)
    phone.click("a:has-text('Quay lại trang bỏ phiếu')")
    vote()
    phone.get_by_text("Phiếu của đồng chí đã được ghi nhận.").wait_for()
    assert ElectronicBallot.objects.count() == 1
    assert phone.external_requests == []


def test_a_voter_votes_with_the_keyboard_alone(new_page, live_server, conference):
    """A voter who cannot use a pointer (a keyboard, or a screen reader's keys): the code typed, each
    person's level chosen with the arrow keys, the review reached and read where the focus lands,
    taken back and changed, and the ballot sent: Tab, the arrow keys, Space and Enter, nothing else."""
    from django.contrib.auth import get_user_model

    from tinnhiem.voting.models import ElectronicBallot
    from tinnhiem.voting.usecases import evote

    form = conference.ballot_forms.get()
    users = get_user_model().objects
    code = evote.generate_cards(users.get(username="office"), form, count=1)[0]
    evote.open_evote(users.get(username="chair"), form)
    page = new_page()
    page.goto(f"{live_server.url}/bo-phieu/{conference.pk}/")

    def focused() -> str:
        return page.evaluate(
            "(() => { const e = document.activeElement; return e.id || e.name || e.textContent.trim().slice(0, 40); })()"
        )

    def tab_to(what: str, limit: int = 30) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if focused() == what:
                return
        raise AssertionError(f"Tab never reached {what!r} (at {focused()!r})")

    tab_to("id_code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.locator("fieldset.person").first.wait_for()
    first, second = (f"p{p.pk}" for p in conference.rated_persons.all())
    tab_to(first)  # the first person's levels: the arrow keys choose among them
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # from Tín nhiệm cao to Tín nhiệm
    tab_to(second)
    page.keyboard.press("Space")  # Tín nhiệm cao
    tab_to("Xem lại phiếu")
    page.keyboard.press("Enter")
    # the review appears where the focus is: a screen reader reads it at once
    panel = page.locator("[data-review-panel]")
    expect(panel).to_be_visible()
    assert page.evaluate("document.querySelector('[data-review-panel]').contains(document.activeElement)"), focused()
    expect(panel.locator("tbody td")).to_have_text(["Tín nhiệm", "Tín nhiệm cao"])
    tab_to("Sửa lại")
    page.keyboard.press("Enter")
    # back on the ballot, at its first person, and nothing chosen is lost
    expect(panel).to_be_hidden()
    assert focused() == first, focused()
    page.keyboard.press("ArrowDown")  # to Tín nhiệm thấp
    tab_to("Xem lại phiếu")
    page.keyboard.press("Enter")
    expect(panel.locator("tbody td")).to_have_text(["Tín nhiệm thấp", "Tín nhiệm cao"])
    tab_to("Gửi phiếu")
    page.keyboard.press("Enter")
    page.get_by_text("Phiếu của đồng chí đã được ghi nhận.").wait_for()
    assert ElectronicBallot.objects.get().marks == "31"  # Tín nhiệm thấp, Tín nhiệm cao


def test_a_long_ballot_says_for_how_many_a_level_is_chosen_and_finds_the_next(
    new_page, live_server, office, make_user, shot
):
    """A ballot of eight persons on a phone (a People's Council's), longer than its screen: a line at
    the foot of the screen says for how many persons a level is chosen, and takes the voter to the
    first without one; it goes with the review, and comes back with "Sửa lại"."""
    from django.contrib.auth import get_user_model

    from tinnhiem.voting.models import ElectronicBallot
    from tinnhiem.voting.usecases import evote

    conference = voting_conference(office, make_user, more_people=6)
    form = conference.ballot_forms.get()
    code = evote.generate_cards(office, form, count=1)[0]
    evote.open_evote(get_user_model().objects.get(username="chair"), form)
    phone = new_page(**PHONE)
    phone.goto(f"{live_server.url}/bo-phieu/{conference.pk}/")
    phone.fill("#id_code", code)
    phone.click("button:has-text('Tiếp tục')")
    progress = phone.locator(".ballot-progress")
    expect(progress).to_contain_text("Đã chọn: 0/8 người")
    sets = phone.locator("fieldset.person")
    for i in (0, 1, 2):
        sets.nth(i).locator("label.choice").first.click()
    expect(progress).to_contain_text("Đã chọn: 3/8 người")
    # kept at the foot of the screen while the ballot scrolls under it
    box = progress.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1, box
    shot(phone, "32-phieu-dai-dien-thoai", full_page=False)
    phone.click(".ballot-progress button:has-text('Đến người chưa chọn')")
    focused = phone.evaluate("document.activeElement.name")
    assert focused == sets.nth(3).locator("input").first.get_attribute("name"), focused
    assert sets.nth(3).bounding_box()["y"] < PHONE["height"]  # brought into view
    sets.nth(5).locator("label.choice").nth(1).click()  # out of order: the next is still the fourth
    phone.click(".ballot-progress button")
    assert phone.evaluate("document.activeElement.name") == sets.nth(3).locator("input").first.get_attribute("name")
    for i in (3, 4, 6, 7):
        sets.nth(i).locator("label.choice").first.click()
    expect(progress).to_contain_text("Đã chọn: 8/8 người")
    expect(progress.locator("button")).to_be_hidden()
    phone.click("button:has-text('Xem lại phiếu')")
    expect(phone.locator("[data-review-panel]")).to_be_visible()
    expect(progress).to_be_hidden()
    phone.click("[data-review-back]")
    expect(progress).to_be_visible()
    phone.click("button:has-text('Xem lại phiếu')")
    phone.click("[data-review-send]")
    phone.get_by_text("Phiếu của đồng chí đã được ghi nhận.").wait_for()
    assert ElectronicBallot.objects.get().marks == "11111211"
    assert phone.external_requests == []


# a code's field: how many lines it shows, or 0 if any of the code is out of sight (scrolled)
CODE_LINES = """e => { const s = getComputedStyle(e);
    if (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight) return 0;
    return Math.round((e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight)); }"""
# a receipt code shown large: on how many lines its groups are, whether each is on one line
# (none broken inside), and whether its dash is seen
GROUP_LINES = """e => { const groups = [...e.querySelectorAll('.group')];
    return [new Set(groups.map(g => g.getBoundingClientRect().top)).size,
        groups.every(g => g.getClientRects().length === 1), e.querySelector('.dash').getBoundingClientRect().width > 1]; }"""


def test_the_voters_pages_follow_the_text_size_the_phone_is_set_to(new_page, live_server, conference, shot):
    """A voter whose browser's font size is set twice as large (an older delegate's phone): every
    text of the code's page, the ballot and its review is twice as large, none stays at the site's
    own size, and the pages still fit a small phone's width (320 px), nothing off the side."""
    from django.contrib.auth import get_user_model

    from tinnhiem.voting.usecases import evote

    form = conference.ballot_forms.get()
    users = get_user_model().objects
    code = evote.generate_cards(users.get(username="office"), form, count=1)[0]
    evote.open_evote(users.get(username="chair"), form)
    sizes = """() => [...document.body.querySelectorAll('*')]
        .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length)
        .map(e => [e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""
    page = new_page(width=320, height=700, mobile=True)

    def twice_as_large(name: str) -> None:
        """The page's texts at the usual size, then with the browser's text size at 200 %."""
        page.evaluate("document.getElementById('larger')?.remove()")
        usual = page.evaluate(sizes)
        larger = page.add_style_tag(content="html { font-size: 200% !important; }")  # the browser's font size
        larger.evaluate("style => { style.id = 'larger'; }")
        assert usual and [[text, size * 2] for text, size in usual] == page.evaluate(sizes)
        shot(page, name)  # nothing off the side of the screen

    page.goto(f"{live_server.url}/bo-phieu/{conference.pk}/")
    page.fill("#id_code", code)
    # the whole code shows, to be checked against the card: on one line at the usual size, on as
    # many as it takes with the text twice as large (a field of one line hid all but 8 characters)
    assert page.eval_on_selector("#id_code", CODE_LINES) == 1
    twice_as_large("26-chu-to-dien-thoai-ma")
    assert page.eval_on_selector("#id_code", CODE_LINES) > 1
    page.locator("#id_code").press("Enter")  # the phone keyboard's Go key sends it, as a field of one line did
    page.locator("fieldset.person").first.wait_for()
    twice_as_large("26-chu-to-dien-thoai-phieu")
    page.locator("fieldset.person").nth(0).get_by_text("Tín nhiệm cao", exact=True).click()
    page.click("button:has-text('Xem lại phiếu')")
    page.locator("[data-review-panel]").wait_for()  # the review, shown by the page's script
    # the receipt code: one line, with its dash, at the usual size; with the text twice as large a
    # group a line, neither broken inside (it was "16QTK" / "-53CZ" / "Z"), the dash not shown
    page.evaluate("document.getElementById('larger')?.remove()")
    receipt = page.locator("[data-review-panel] .receipt")
    assert receipt.evaluate(GROUP_LINES) == [1, True, True]
    twice_as_large("26-chu-to-dien-thoai-xem-lai")
    assert receipt.evaluate(GROUP_LINES) == [2, True, False]
    assert "-" in receipt.text_content()  # still copied with it

    # the receipt's field, in a browser that cannot size a field to its text (Safari before 26):
    # the page's script grows it to its lines
    older = new_page(width=320, height=700, mobile=True)
    older.add_init_script("CSS.supports = () => false;")
    older.goto(f"{live_server.url}/bo-phieu/{conference.pk}/bien-nhan/")
    older.add_style_tag(content="html { font-size: 200% !important; } textarea { field-sizing: fixed !important; }")
    older.fill("#id_tracking", "2N2M2-3N61T")
    assert older.eval_on_selector("#id_tracking", CODE_LINES) == 2
    # a phone keyboard whose Go key inserts a new line (no Enter key sent): the form goes, and the
    # code refused comes back as typed
    older.eval_on_selector(
        "#id_tracking",
        "e => e.dispatchEvent(new InputEvent('beforeinput', {inputType: 'insertLineBreak', cancelable: true}))",
    )
    older.get_by_text("Không có phiếu nào mang mã biên nhận này").wait_for()
    expect(older.locator("#id_tracking")).to_have_value("2N2M2-3N61T")
