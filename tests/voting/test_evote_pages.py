"""The voter's phone page, the cards page and the public list, through the test client."""

from __future__ import annotations

import html
import io
import json
import re

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tinnhiem.audit import log
from tinnhiem.audit.chain import fingerprint
from tinnhiem.audit.models import Event
from tinnhiem.cli import run_core
from tinnhiem.conferences.usecases import day
from tinnhiem.documents import official
from tinnhiem.voting import codes, ratelimit
from tinnhiem.voting.models import ElectronicBallot
from tinnhiem.voting.usecases import counting, evote


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def shown(page) -> str:
    """A page's text, without its markup (a receipt code is shown as its groups, each in its own
    element: voting_codes)."""
    return re.sub(r"<[^>]+>", "", page.content.decode())


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return " ".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


@pytest.fixture
def one_card(hall, chair, office):
    """The hall's vote open, and its electronic vote with one card: (conference, people, form, code)."""
    conference, people = hall
    form = conference.ballot_forms.get()
    code = evote.generate_cards(office, form, count=1)[0]
    day.open_voting(chair, conference)
    evote.open_evote(chair, form)
    return conference, people, form, code


def vote(client, conference, code, choices: dict, *, tap_twice=False):
    url = reverse("voting:vote", args=[conference.pk])
    client.get(url)
    client.post(url, {"step": "ballot", "code": code})
    fields = {f"p{pk}": v for pk, v in choices.items()}
    review = client.post(url, {"step": "review", "code": code, **fields})
    tracking = review.context["tracking"]
    done = client.post(url, {"step": "submit", "code": code, "tracking": tracking, **fields})
    if tap_twice:
        done = client.post(url, {"step": "submit", "code": code, "tracking": tracking, **fields})
    return tracking, done


def test_whole_electronic_vote_and_public_recount(office, chair, counters, hall, tmp_path):
    conference, (a, b) = hall
    form = conference.ballot_forms.get()
    # the office makes 12 cards; the PDF is the only place the codes appear
    response = logged_in(office).post(
        reverse("voting:cards", args=[conference.pk]), {"form": form.pk, "action": "generate", "count": 12}
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    import re

    card_codes = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert len(card_codes) == 12 and "THẺ BỎ PHIẾU ĐIỆN TỬ" in text
    logged_in(counters[0]).post(
        reverse("voting:cards", args=[conference.pk]), {"form": form.pk, "action": "issued", "count": 10}
    )
    voter = Client()
    page = voter.post(
        reverse("voting:vote", args=[conference.pk]), {"step": "ballot", "code": card_codes[0]}
    ).content.decode()
    assert "Chưa bắt đầu bỏ phiếu" in page  # before the chair opens
    day.open_voting(chair, conference)
    logged_in(chair).post(reverse("voting:cards", args=[conference.pk]), {"form": form.pk, "action": "open"})
    receipts = []
    plan = [{a.pk: "1", b.pk: "3"}, {a.pk: "2", b.pk: "0"}, {a.pk: "3", b.pk: "9"}, {a.pk: "1", b.pk: "1"}]
    for code, choices in zip(card_codes, plan, strict=False):
        tracking, done = vote(Client(), conference, code, choices, tap_twice=(code == card_codes[0]))
        assert "Phiếu của đồng chí đã được ghi nhận." in done.content.decode() and tracking in shown(done)
        receipts.append(tracking)
    assert ElectronicBallot.objects.count() == 4  # the double tap stored one ballot
    again = Client().post(reverse("voting:vote", args=[conference.pk]), {"step": "ballot", "code": card_codes[1]})
    assert again.status_code == 400 and "đã được sử dụng" in again.content.decode()
    # a network drop: the voter checks the receipt
    check = Client().post(reverse("voting:receipt", args=[conference.pk]), {"tracking": receipts[2]})
    assert "đã được ghi nhận" in check.content.decode()
    turnout = logged_in(chair).get(reverse("voting:turnout", args=[conference.pk])).content.decode()
    assert "đã dùng 4 / 10 thẻ đã phát" in turnout
    assert Client().get(reverse("voting:public", args=[conference.pk])).status_code == 404  # not before the close
    day.close_voting(chair, conference)
    counting.record_ballot_counts(
        counters[0], form, issued=0, collected=0, note="Bỏ phiếu điện tử; 6 đại biểu không dùng thẻ"
    )
    stored = counting.finalise_form(counters[0], form)
    public = Client().get(reverse("voting:public", args=[conference.pk])).content.decode()
    for tracking in receipts:
        assert tracking in public
    # the fingerprint that the minutes print, as the page says, and not the log's head since
    day.publish_results(chair, conference)
    public = Client().get(reverse("voting:public", args=[conference.pk])).content.decode()
    results = logged_in(chair).get(reverse("voting:results", args=[conference.pk])).content.decode()
    seq, point = log.minutes_point(conference)
    assert log.head()[0] > seq and f"dấu vân tay {fingerprint(point)} (SHA-256 {point}), in trên biên bản" in public
    assert f"đến sự kiện số {seq}," in public and official.minutes_context(conference)["fingerprint"] == fingerprint(
        point
    )
    assert f"Dấu vân tay nhật ký in trên biên bản: <strong>{fingerprint(point)}</strong>" in results
    csv_text = Client().get(reverse("voting:public_ballots", args=[conference.pk, form.pk])).content.decode()
    path = tmp_path / "phieu.csv"
    path.write_text(csv_text, encoding="utf-8")
    for receipt in receipts:
        assert receipt not in csv_text
    out = io.StringIO()
    assert run_core(["tally", str(path), "--rules", "qd96-2023", "--issued", "10", "--format", "json"], stdout=out) == 0
    recount = json.loads(out.getvalue())
    assert recount["ballots"] == stored.data["ballots"] == {"issued": 10, "collected": 4, "valid": 4, "invalid": 0}
    assert [p["counts"] for p in recount["people"]] == [p["counts"] for p in stored.data["people"]]


def test_the_voter_goes_from_the_code_to_the_ballot_to_the_review_and_back_with_the_choices_kept(one_card):
    conference, (a, b), _form, code = one_card
    url = reverse("voting:vote", args=[conference.pk])
    voter = Client()
    ballot = voter.post(url, {"step": "ballot", "code": code.lower().replace("-", " ")})  # as typed
    assert ballot.context["step"] == "ballot" and ballot.context["code"] == code
    page = ballot.content.decode()
    assert 'name="step" value="review"' in page and "Trần Minh Đức" in page and "Lê Thị Hồng Nhung" in page
    assert "checked" not in page  # nothing chosen for the voter
    tracking = ballot.context["tracking"]
    # one level chosen for the first, nothing for the second: the review says so, and warns of the second
    review = voter.post(url, {"step": "review", "code": code, "tracking": tracking, f"p{a.pk}": "3"})
    assert review.context["step"] == "review" and review.context["tracking"] == tracking
    assert [(r["person"], r["key"], r["label"]) for r in review.context["rows"]] == [
        (a, "3", "Tín nhiệm thấp"),
        (b, "0", ""),
    ]
    page = review.content.decode()
    assert '<th scope="row">Trần Minh Đức</th><td><strong>Tín nhiệm thấp</strong></td>' in page
    assert '<th scope="row">Lê Thị Hồng Nhung</th><td><strong>để trống</strong></td>' in page
    assert page.count('class="warn"') == 1 and "không hợp lệ đối với Lê Thị Hồng Nhung" in page
    # "Change": the ballot again, the choice ticked and the receipt code the same
    back = voter.post(url, {"step": "ballot", "code": code, "tracking": tracking, f"p{a.pk}": "3", f"p{b.pk}": "0"})
    assert back.context["step"] == "ballot" and back.context["tracking"] == tracking
    assert f'name="p{a.pk}" value="3" checked' in back.content.decode().replace("  ", " ")
    assert [r["key"] for r in back.context["rows"]] == ["3", "0"]
    assert not ElectronicBallot.objects.exists()  # nothing stored before "Send"


@pytest.fixture
def two_forms(office, day_conference):
    """A form for each rated person, made before the conference opens (as forms are)."""
    conference, (a, b), _voters = day_conference
    return [day.create_ballot_form(office, conference, name=f"Phiếu {i}", people=[p]) for i, p in enumerate((a, b), 1)]


def test_the_voter_page_says_whether_the_vote_is_open(two_forms, hall, chair, office):
    """The badge the phone page polls: open while any form's electronic vote is open; closed once every
    form that used one is closed and none waits to open; not opened yet otherwise."""
    conference, _people = hall
    first, second = two_forms
    url = reverse("voting:vote_status", args=[conference.pk])

    def badge():
        return Client().get(url).content.decode()

    assert "Chưa bắt đầu bỏ phiếu" in badge()  # paper only so far
    evote.generate_cards(office, first, count=1)
    evote.generate_cards(office, second, count=1)
    day.open_voting(chair, conference)
    assert "Chưa bắt đầu bỏ phiếu" in badge()
    evote.open_evote(chair, first)
    assert badge() == '<span class="badge done">Đang bỏ phiếu</span>'
    evote.close_evote(chair, first)
    assert "Chưa bắt đầu bỏ phiếu" in badge()  # the second form's has not opened
    evote.open_evote(chair, second)
    assert "Đang bỏ phiếu" in badge()
    evote.close_evote(chair, second)
    assert badge() == '<span class="badge missed">Đã kết thúc bỏ phiếu</span>'


def test_paper_counted_by_totals_beside_phones_the_public_file_says_it_holds_the_electronic_ballots(
    hall, chair, office, counters
):
    conference, (a, b) = hall
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    cards = evote.generate_cards(office, form, count=2)
    day.open_voting(chair, conference)
    evote.record_cards_issued(counters[0], form, count=2)
    evote.open_evote(chair, form)
    for code in cards:
        evote.cast_ballot(
            conference, code_text=code, choices={a.pk: "1", b.pk: "2"}, tracking_code=codes.new_tracking_code()
        )
    counting.record_ballot_counts(counters[0], form, issued=8, collected=8)
    day.close_voting(chair, conference)
    totals = {a.pk: {"high": 5, "confidence": 3}, b.pk: {"high": 8}}
    counting.record_hand_totals(counters[0], form, totals=totals, whole_invalid=0)
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"] == {"issued": 10, "collected": 10, "valid": 10, "invalid": 0}
    published = Client().get(reverse("voting:public_ballots", args=[conference.pk, form.pk])).text.splitlines()
    assert len(published) == 1 + 2  # the header and the two electronic ballots
    page = Client().get(reverse("voting:public", args=[conference.pk])).text
    note = "“Phiếu tín nhiệm”: phiếu giấy được kiểm theo tổng số (ghi trong biên bản kiểm phiếu); tệp chỉ gồm"
    assert note in page and "phiếu giấy sẽ được thêm" not in page


def test_bad_codes_and_rate_limit(one_card):
    """Guesses are limited by the phone's address (20 in 5 minutes); a voter's slips are not: a code
    of the wrong length, or one character off a card (a hall behind one public address shares the
    count, and two hundred voters make that many slips)."""
    conference, _people, _form, card = one_card
    url = reverse("voting:vote", args=[conference.pk])
    client = Client()
    for _ in range(ratelimit.LIMIT + 5):
        response = client.post(url, {"step": "ballot", "code": "K7QM-2XRD"})
        assert response.status_code == 400 and "gồm 16 chữ và số" in response.content.decode()
    code = codes.normalize(card)
    for slip in codes.one_off(code)[: ratelimit.LIMIT + 5]:
        response = client.post(url, {"step": "ballot", "code": codes.display(slip)})
        assert response.status_code == 400 and "Hãy kiểm tra lại mã đã nhập" in response.content.decode()
    assert client.post(url, {"step": "ballot", "code": card}).context["step"] == "ballot"
    for _ in range(ratelimit.LIMIT):
        client.post(url, {"step": "ballot", "code": "K7QM-2XRD-9FTB-4NPA"})
    blocked = client.post(url, {"step": "ballot", "code": card})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()


def in_field(page, field_id: str) -> str:
    """The text a page's field (a textarea) holds, as the browser shows it."""
    content = page.content.decode()
    found = re.findall(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', content, flags=re.DOTALL)
    assert len(found) == 1, content
    return html.unescape(found[0])


def test_a_refused_code_comes_back_in_its_field_as_typed(one_card):
    """A voter told to check the code sees what they typed, beside the card, and mends one
    character rather than type sixteen again; a receipt code alike, found or not. It comes back
    as text in the field, never as markup of the page."""
    conference, (a, b), _form, card = one_card
    url = reverse("voting:vote", args=[conference.pk])
    assert in_field(Client().get(url), "id_code") == ""
    slip = codes.display(codes.one_off(codes.normalize(card))[0])
    page = Client().post(url, {"step": "ballot", "code": f" {slip}\n"})
    assert page.status_code == 400 and "Hãy kiểm tra lại mã đã nhập" in page.content.decode()
    assert in_field(page, "id_code") == slip
    assert in_field(Client().post(url, {"step": "ballot", "code": "K7QM-2XRD"}), "id_code") == "K7QM-2XRD"
    page = Client().post(url, {"step": "ballot", "code": '</textarea><b id="x">'})
    assert in_field(page, "id_code") == '</textarea><b id="x">'[:24] and '<b id="x">' not in page.content.decode()
    # refused at the review (a level that does not exist), and a card already used
    forged = Client().post(url, {"step": "review", "code": card, f"p{a.pk}": "7"})
    assert forged.status_code == 400 and in_field(forged, "id_code") == card
    # a receipt code: as typed, whether a ballot has it or not
    receipt, _new = evote.cast_ballot(
        conference, code_text=card, choices={a.pk: "1", b.pk: "2"}, tracking_code=codes.new_tracking_code()
    )
    used = Client().post(url, {"step": "ballot", "code": card})
    assert used.status_code == 400 and in_field(used, "id_code") == card
    check = reverse("voting:receipt", args=[conference.pk])
    assert in_field(Client().get(check), "id_tracking") == ""
    found = Client().post(check, {"tracking": codes.display(receipt.tracking_code).lower()})
    assert "đã được ghi nhận" in found.content.decode()
    assert in_field(found, "id_tracking") == codes.display(receipt.tracking_code).lower()
    missing = Client().post(check, {"tracking": "ABCDE-FGHJK"})
    assert "Không có phiếu nào" in missing.content.decode() and in_field(missing, "id_tracking") == "ABCDE-FGHJK"


def test_receipt_guesses_are_limited_and_a_found_receipt_is_not_a_guess(one_card):
    conference, (a, b), _form, code = one_card
    receipt, _new = evote.cast_ballot(
        conference, code_text=code, choices={a.pk: "1", b.pk: "2"}, tracking_code=codes.new_tracking_code()
    )
    url = reverse("voting:receipt", args=[conference.pk])
    mine = receipt.tracking_code
    client = Client()
    for _ in range(ratelimit.LIMIT + 5):  # a voter checks their own receipt as often as they like
        assert "đã được ghi nhận" in client.post(url, {"tracking": mine}).content.decode()
    slips = ["ABCDE-FGHJ", *(codes.display(slip) for slip in codes.one_off(mine)[: ratelimit.LIMIT + 5])]
    for slip in slips:  # a receipt copied with a character missing, or one wrong: not a guess
        missing = client.post(url, {"tracking": slip})
        assert missing.status_code == 200 and "Không có phiếu nào" in missing.content.decode()
    for _ in range(ratelimit.LIMIT):
        missing = client.post(url, {"tracking": "ABCDE-FGHJK"})
        assert missing.status_code == 200 and "Không có phiếu nào" in missing.content.decode()
    blocked = client.post(url, {"tracking": mine})  # blocked, and told nothing of the code
    assert blocked.status_code == 429 and "đã được ghi nhận" not in blocked.content.decode()
    assert "quá nhiều lần" in blocked.content.decode()
    assert Client(REMOTE_ADDR="10.0.0.7").post(url, {"tracking": mine}).status_code == 200  # another phone


def test_a_code_changed_by_a_vietnamese_keyboard_is_told_so_and_not_counted_as_a_guess(one_card):
    """Telex makes "DD" Đ and "AS" Á, VNI makes "A1" Á: the phone sends a code with accents. The voter
    is told to type it again without Vietnamese typing, however often, and the phone is not blocked."""
    conference, (a, b), _form, code = one_card
    url = reverse("voting:vote", args=[conference.pk])
    client = Client()
    said = "bộ gõ tiếng Việt của điện thoại đã đổi chữ khi gõ"
    for typed in ("Đ" + code[1:], code[:-1] + "Á", code[:-1] + "A\u0301", code[:5] + "Ư" + code[6:]):
        for _ in range(ratelimit.LIMIT):
            response = client.post(url, {"step": "ballot", "code": typed})
            assert response.status_code == 400 and said in response.content.decode(), typed
    assert "quét mã QR trên thẻ" in response.content.decode()
    ballot = client.post(url, {"step": "ballot", "code": code})
    assert ballot.status_code == 200 and ballot.context["step"] == "ballot"
    # a receipt code alike
    receipt, _new = evote.cast_ballot(
        conference, code_text=code, choices={a.pk: "1", b.pk: "2"}, tracking_code=codes.new_tracking_code()
    )
    check = reverse("voting:receipt", args=[conference.pk])
    for _ in range(ratelimit.LIMIT + 1):
        page = client.post(check, {"tracking": "Đ" + receipt.tracking_code[1:]}).content.decode()
        assert said in page and "đã được ghi nhận" not in page and "Không có phiếu nào" not in page
    assert "đã được ghi nhận" in client.post(check, {"tracking": receipt.tracking_code}).content.decode()


def test_forged_post_is_refused(one_card):
    conference, (a, _b), _form, code = one_card
    url = reverse("voting:vote", args=[conference.pk])
    response = Client().post(url, {"step": "submit", "code": code, "tracking": "ABCDE-FGHJK", f"p{a.pk}": "7"})
    assert response.status_code == 400 and "không tồn tại" in response.content.decode()
    response = Client().post(
        url, {"step": "submit", "code": code, "tracking": "ABCDE-FGHJK", f"p{a.pk}": "1", "p999999": "1"}
    )
    assert response.status_code == 400 and ElectronicBallot.objects.count() == 0


def test_unused_cards_are_cancelled_only_with_the_box_ticked(hall, chair, office):
    """Cancelling has no undo, and while the vote is open it stops every voter who holds a card and
    has not voted yet: the button is in its own form, next to a box to tick, and the page warns."""
    conference, _people = hall
    form = conference.ballot_forms.get()
    codes_made = evote.generate_cards(office, form, count=3)
    url = reverse("voting:cards", args=[conference.pk])
    page = logged_in(office).get(url).content.decode()
    assert "Huỷ 3 thẻ chưa dùng (thẻ bị mất hoặc in hỏng)" in page and "đang mở" not in page
    day.open_voting(chair, conference)
    evote.open_evote(chair, form)
    page = logged_in(office).get(url).content.decode()
    assert (
        "Bỏ phiếu điện tử đang mở: người đã nhận thẻ mà chưa bỏ phiếu sẽ không bỏ phiếu được nữa bằng thẻ đó." in page
    )
    refused = logged_in(office).post(url, {"form": form.pk, "action": "void"}, follow=True)
    assert "Đánh dấu vào ô để xác nhận." in refused.content.decode()
    assert form.code_cards.filter(state="unused").count() == 3
    done = logged_in(office).post(url, {"form": form.pk, "action": "void", "confirm": "1"}, follow=True)
    assert "Đã huỷ 3 thẻ chưa dùng." in done.content.decode()
    assert form.code_cards.filter(state="void").count() == 3
    with pytest.raises(evote.VoteRefused):
        evote.find_card(conference, codes_made[0])


def test_cards_are_offered_only_while_they_can_be_made(hall, chair, office, counters):
    """The button to make cards was offered on a conference being counted or finished, and the
    click was refused; now the page says why instead, as the use case would."""
    conference, _people = hall
    form = conference.ballot_forms.get()
    url = reverse("voting:cards", args=[conference.pk])
    assert 'value="generate"' in logged_in(office).get(url).content.decode()
    day.open_voting(chair, conference)
    assert 'value="generate"' in logged_in(office).get(url).content.decode()
    day.close_voting(chair, conference)
    page = logged_in(office).get(url).content.decode()
    assert 'value="generate"' not in page and "Đã kết thúc bỏ phiếu; không thể tạo thêm thẻ." in page
    refused = logged_in(office).post(url, {"form": form.pk, "action": "generate", "count": 5}, follow=True)
    assert "Đã kết thúc bỏ phiếu; không thể tạo thêm thẻ." in refused.content.decode()
    assert form.code_cards.count() == 0


def test_the_chair_is_offered_to_open_electronic_voting_once_the_vote_has_begun(hall, chair, office):
    conference, _people = hall
    form = conference.ballot_forms.get()
    evote.generate_cards(office, form, count=3)
    url = reverse("voting:cards", args=[conference.pk])
    page = logged_in(chair).get(url).content.decode()
    assert 'value="open"' not in page and "sau khi chủ trì bắt đầu bỏ phiếu của hội nghị" in page
    day.open_voting(chair, conference)
    page = logged_in(chair).get(url).content.decode()
    assert 'value="open"' in page and "sau khi chủ trì bắt đầu bỏ phiếu của hội nghị" not in page
    logged_in(chair).post(url, {"form": form.pk, "action": "open"})
    form.refresh_from_db()
    assert form.evote == "open"
    # pressed twice (a double click, the page sent again): done once, and said so, not as an error
    info = '<li class="info">Bỏ phiếu điện tử trên mẫu phiếu này {}.</li>'
    for action, said in (("open", info.format("đã được mở")), ("close", "success"), ("close", info.format("đã đóng"))):
        page = logged_in(chair).post(url, {"form": form.pk, "action": action}, follow=True).content.decode()
        assert 'class="error"' not in page and said in page
    logged = Event.objects.filter(conference_id=conference.pk, action__in=["evote.opened", "evote.closed"])
    assert sorted(logged.values_list("action", flat=True)) == ["evote.closed", "evote.opened"]


def test_the_cards_page_sent_twice_makes_the_cards_once(hall, office):
    """A second click while the PDF is being made sends the page again. The first PDF is then lost
    (the browser dropped its response), and its codes are kept nowhere: the second send is refused
    and says what to do, instead of making a second batch that nobody printed."""
    import re

    conference, _people = hall
    form = conference.ballot_forms.get()
    url = reverse("voting:cards", args=[conference.pk])
    client = logged_in(office)
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', client.get(url).content.decode()).group(1)
    data = {"form": form.pk, "action": "generate", "count": 12, "submission": submission}
    assert client.post(url, data)["Content-Type"] == "application/pdf"
    again = client.post(url, data, follow=True)
    assert "Các thẻ này đã được tạo" in again.content.decode()
    assert form.code_cards.count() == 12
    # the page shown again has a new id: more cards are made
    fresh = re.search(r'name="submission" value="([0-9a-f]{32})"', again.content.decode()).group(1)
    assert fresh != submission
    assert client.post(url, {**data, "submission": fresh})["Content-Type"] == "application/pdf"
    assert form.code_cards.count() == 24
    # the page stays open after its download: another count typed there is another batch
    assert client.post(url, {**data, "submission": fresh, "count": 5})["Content-Type"] == "application/pdf"
    assert form.code_cards.count() == 29
