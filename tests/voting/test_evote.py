"""Electronic voting with code cards: the use cases, single use, and mixed paper + electronic."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem import traces
from tinnhiem.conferences.models import BallotForm
from tinnhiem.conferences.usecases import day
from tinnhiem.rules import builtin_rule_set, tally_ballots
from tinnhiem.text import typed_with_accents
from tinnhiem.voting import codes
from tinnhiem.voting.models import CodeCard, ElectronicBallot, EntryRow, Receipt
from tinnhiem.voting.usecases import counting, evote


@pytest.fixture
def evoting(chair, office, hall):
    """12 convened, 10 present; 12 cards made; committee approved; vote open."""
    conference, people = hall
    form = conference.ballot_forms.get()
    card_codes = evote.generate_cards(office, form, count=12)
    day.open_voting(chair, conference)
    return conference, people, form, card_codes


def tracking():
    return codes.display(codes.new_tracking_code())


def test_new_codes_hold_no_letter_a_vietnamese_keyboard_changes():
    drawn = "".join([codes.new_code() for _ in range(500)] + [codes.new_tracking_code() for _ in range(500)])
    assert set(drawn) == set(codes.DRAWN) == set(codes.ALPHABET) - set("AEYDW")  # each of the 27 used
    assert not typed_with_accents(drawn)


def test_a_card_printed_with_the_whole_alphabet_is_still_read(office, chair, hall, monkeypatch):
    """Cards printed by an earlier version may hold A, E, Y, D or W."""
    conference, (a, b) = hall
    form = conference.ballot_forms.get()
    monkeypatch.setattr(codes, "DRAWN", "ADEWY")
    code = evote.generate_cards(office, form, count=1)[0]
    monkeypatch.undo()
    assert set(code) <= set("ADEWY-")
    day.open_voting(chair, conference)
    evote.open_evote(chair, form)
    assert evote.find_card(conference, code.lower().replace("-", " ")).form == form
    evote.cast_ballot(conference, code_text=code, choices={a.pk: "1", b.pk: "2"}, tracking_code=tracking())
    assert ElectronicBallot.objects.count() == 1


def test_no_card_issued_and_no_electronic_vote_opened_on_a_form_without_cards(chair, counters, hall):
    conference, _people = hall
    form = conference.ballot_forms.get()
    day.open_voting(chair, conference)
    with pytest.raises(ValidationError) as info:
        evote.record_cards_issued(counters[0], form, count=1)
    assert info.value.messages == ["Mẫu phiếu này không có thẻ mã."]
    with pytest.raises(ValidationError) as info:
        evote.open_evote(chair, form)
    assert info.value.messages == ["Bỏ phiếu điện tử chỉ mở được một lần, sau khi đã tạo thẻ mã."]
    form.refresh_from_db()
    assert (form.evote, form.cards_issued) == (BallotForm.EVote.NOT_USED, 0)


def test_a_ballot_without_its_receipt_code_is_refused_and_the_card_stays_unused(chair, evoting):
    conference, (a, b), form, card_codes = evoting
    evote.open_evote(chair, form)
    for missing in ("", "ABCDE"):
        with pytest.raises(evote.VoteRefused) as info:
            evote.cast_ballot(
                conference, code_text=card_codes[0], choices={a.pk: "1", b.pk: "2"}, tracking_code=missing
            )
        assert info.value.reason == "forged"
        assert info.value.messages == ["Thiếu mã biên nhận. Hãy bắt đầu lại từ thẻ mã."]
    assert not ElectronicBallot.objects.exists() and not CodeCard.objects.filter(state="used").exists()


def test_a_count_is_not_finalised_while_its_electronic_vote_is_open(chair, counters, evoting):
    """Closing the vote closes the phones' vote too; a form left open (by an older version, or a
    change in the database) is not finalised with ballots still coming in."""
    conference, _people, form, _codes = evoting
    counting.record_ballot_counts(counters[0], form, issued=0, collected=0)
    day.close_voting(chair, conference)
    BallotForm.objects.filter(pk=form.pk).update(evote=BallotForm.EVote.OPEN)
    with pytest.raises(ValidationError) as info:
        counting.finalise_form(counters[0], form)
    assert info.value.messages == ["Hãy đóng bỏ phiếu điện tử trước khi chốt kết quả."]
    assert not form.results.exists()


def test_cards_store_only_hmacs(evoting):
    conference, _people, _form, card_codes = evoting
    assert len(card_codes) == 12 and len(set(card_codes)) == 12
    assert all(len(codes.normalize(c)) == 16 for c in card_codes)
    stored = set(CodeCard.objects.values_list("code_hmac", flat=True))
    for code in card_codes:
        assert code not in str(stored) and codes.normalize(code) not in str(stored)
    assert codes.code_hmac(evote.conference_key(conference), codes.normalize(card_codes[0])) in stored


def test_vote_only_while_open_and_once(office, chair, counters, evoting):
    conference, people, form, card_codes = evoting
    a, b = people
    with pytest.raises(evote.VoteRefused) as info:
        evote.cast_ballot(conference, code_text=card_codes[0], choices={a.pk: "1", b.pk: "3"}, tracking_code=tracking())
    assert info.value.reason == "not_open" and "Chưa bắt đầu bỏ phiếu" in info.value.messages[0]
    evote.record_cards_issued(counters[0], form, count=10)
    evote.open_evote(chair, form)
    receipt, stored = evote.cast_ballot(
        conference,
        code_text=card_codes[0].lower().replace("-", " "),
        choices={a.pk: "1", b.pk: "3"},
        tracking_code="abcde-fghjk",
    )
    assert stored and ElectronicBallot.objects.get().marks == "13"
    # the same submission again (double tap, retry after a network drop): nothing more stored
    again, stored_again = evote.cast_ballot(
        conference, code_text=card_codes[0], choices={a.pk: "2", b.pk: "2"}, tracking_code="ABCDE-FGHJK"
    )
    assert again.pk == receipt.pk and not stored_again and ElectronicBallot.objects.count() == 1
    # the same code with another receipt: refused, nothing stored
    with pytest.raises(evote.VoteRefused) as info:
        evote.cast_ballot(conference, code_text=card_codes[0], choices={a.pk: "2"}, tracking_code=tracking())
    assert info.value.reason == "used" and "đã được sử dụng" in info.value.messages[0]
    assert evote.receipt_stored(conference, "abcde fghjk") and not evote.receipt_stored(conference, "ZZZZZ-ZZZZZ")
    assert evote.turnout(form) == {"used": 1, "issued": 10}


@pytest.mark.parametrize(
    "text, reason",
    [("K7QM-2XRD", "malformed"), ("!!!!-2XRD-9FTB-4NPA", "malformed"), ("K7QM-2XRD-9FTB-4NPA", "unknown")],
)
def test_bad_codes(chair, counters, evoting, text, reason):
    conference, _people, form, _codes = evoting
    evote.open_evote(chair, form)
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, text)
    assert info.value.reason == reason


WRONG_CODE = "Mã không đúng hoặc không thuộc hội nghị này. Hãy kiểm tra lại mã đã nhập."


def test_a_code_one_slip_off_a_card_is_mistyped_not_a_guess(chair, evoting):
    """One character read or typed as another, or two neighbours swapped: a voter's slip, which the
    page does not count against the phone. Two slips, or one off a card of another conference or
    of no card, are a guess."""
    conference, _people, form, cards = evoting
    evote.open_evote(chair, form)
    code = codes.normalize(cards[0])
    other = next(ch for ch in codes.ALPHABET if ch not in (code[0], code[-1]))
    swap = next(i for i in range(15) if code[i] != code[i + 1])
    slips = [other + code[1:], code[:-1] + other, code[:swap] + code[swap + 1] + code[swap] + code[swap + 2 :]]
    for typed in slips:
        with pytest.raises(evote.VoteRefused) as info:
            evote.find_card(conference, codes.display(typed))
        assert info.value.reason == "mistyped", typed
        assert info.value.messages == [WRONG_CODE]  # the words of a guess: a guesser learns nothing
    two_off = other + code[1:-1] + other
    assert all(codes.normalize(c) != two_off for c in cards)
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, two_off)
    assert info.value.reason == "unknown" and info.value.messages == [WRONG_CODE]


def test_the_codes_one_slip_away():
    code = "K7QM2XRD9FTB4NPA"
    near = codes.one_off(code)
    assert len(near) == len(set(near)) == 16 * 31 + 15 and code not in near
    assert "B7QM2XRD9FTB4NPA" in near and "7KQM2XRD9FTB4NPA" in near and "K7QM2XRD9FTB4NAP" in near
    assert all(sum(a != b for a, b in zip(code, c, strict=True)) in (1, 2) for c in near)
    assert len(codes.one_off("KK7QM2XRD9FTB4NP")) == 16 * 31 + 14  # "KK" swapped is the code itself


def test_code_of_another_conference_is_unknown(office, chair, counters, evoting, campaign, today):
    from tinnhiem.conferences.usecases import campaigns, rated, roster

    conference, _people, form, _codes = evoting
    other = campaigns.create_conference(
        office, campaign=campaign, title="Khác", date=today, place="p", convening_body="c"
    )
    rated.add_rated_person(office, other, full_name="X", post="Y")
    roster.add_voter(office, other, full_name="Z", post="W")
    day.open_conference(chair, other, held_today=True)
    foreign = evote.generate_cards(office, other.ballot_forms.get(), count=1)[0]
    evote.open_evote(chair, form)
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, foreign)
    assert info.value.reason == "unknown"
    one_off = codes.one_off(codes.normalize(foreign))[0]  # a slip off another conference's card is a guess here
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, one_off)
    assert info.value.reason == "unknown"


def test_forged_ballots_are_refused(chair, evoting):
    conference, people, form, card_codes = evoting
    evote.open_evote(chair, form)
    a, b = people
    for choices in ({a.pk: "4", b.pk: "1"}, {a.pk: "1", b.pk: "1", 99999: "1"}, {a.pk: "x"}):
        with pytest.raises(evote.VoteRefused) as info:
            evote.cast_ballot(conference, code_text=card_codes[1], choices=choices, tracking_code=tracking())
        assert info.value.reason == "forged"
    assert ElectronicBallot.objects.count() == 0
    assert CodeCard.objects.filter(state="used").count() == 0


def test_void_and_closed(office, chair, evoting):
    conference, people, form, card_codes = evoting
    evote.open_evote(chair, form)
    evote.cast_ballot(
        conference, code_text=card_codes[2], choices={people[0].pk: "1", people[1].pk: "1"}, tracking_code=tracking()
    )
    counts = evote.close_evote(chair, form)
    assert counts["voided"] == 11 and counts["ballots"] == 1
    # a card not used, brought after the close: the vote is closed (not "your card was cancelled")
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, card_codes[3])
    assert info.value.reason == "closed" and info.value.messages == ["Đã kết thúc bỏ phiếu."]
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, card_codes[2])
    assert info.value.reason == "used"
    with pytest.raises(ValidationError):
        evote.generate_cards(office, form, count=1)


def test_a_card_cancelled_while_the_vote_is_open_is_said_to_be_cancelled(office, chair, evoting):
    conference, _people, form, card_codes = evoting
    evote.open_evote(chair, form)
    assert evote.void_unused_cards(office, form) == 12  # cards lost: every unused one cancelled
    with pytest.raises(evote.VoteRefused) as info:
        evote.find_card(conference, card_codes[0])
    assert info.value.reason == "void" and "đã bị huỷ" in info.value.messages[0]


def test_mixed_paper_and_electronic_count(
    office, chair, counters, evoting, monkeypatch, django_capture_on_commit_callbacks
):
    """4 paper ballots (double entry) and 5 electronic ones: one result over 9 collected. What the
    database's files keep of the ballots as voted is erased after the close and again after the
    finalising (tests/voting/test_secrecy.py)."""
    conference, people, form, card_codes = evoting
    erased = []
    monkeypatch.setattr(traces, "erase", erased.append)
    a, b = people
    evote.record_cards_issued(counters[0], form, count=5)
    counting.record_ballot_counts(counters[0], form, issued=5, collected=4)
    with pytest.raises(ValidationError):
        counting.record_ballot_counts(counters[0], form, issued=6, collected=4)  # 6 paper + 5 cards > 10 present
    evote.open_evote(chair, form)
    electronic = [("1", "3"), ("2", "0"), ("3", "3"), ("1", "9"), ("1", "1")]
    for code, (x, y) in zip(card_codes, electronic, strict=False):
        evote.cast_ballot(conference, code_text=code, choices={a.pk: x, b.pk: y}, tracking_code=tracking())
    with django_capture_on_commit_callbacks(execute=True):
        day.close_voting(chair, conference)
    assert erased == [["voting_electronicballot", "voting_receipt"]]
    form.refresh_from_db()
    assert form.evote == BallotForm.EVote.CLOSED  # closing the hall's vote closed the phones' vote
    paper = ["11", "23", "33", "10"]
    sessions = [counting.start_entry(counters[i], form, device_key=f"d{i}") for i in (0, 1)]
    for position, keys in enumerate(paper, start=1):
        for i, session in enumerate(sessions):
            counting.enter_ballot(counters[i], session, device_key=f"d{i}", position=position, marks=keys)
    with pytest.raises(ValidationError):  # 10 issued (5 + 5), 9 collected (4 + 5): must be explained
        counting.finalise_form(counters[0], form)
    # the public file of the ballots: the electronic ones until the paper count is finalised
    public_file = reverse("voting:public_ballots", args=[conference.pk, form.pk])
    assert len(Client().get(public_file).content.decode().splitlines()) == 1 + 5
    assert "phiếu giấy sẽ được thêm vào tệp" in Client().get(reverse("voting:public", args=[conference.pk])).text
    counting.record_ballot_counts(counters[0], form, issued=5, collected=4, note="Một đại biểu không nộp phiếu giấy")
    with django_capture_on_commit_callbacks(execute=True):
        stored = counting.finalise_form(counters[0], form)
    assert len(erased) == 2
    rules = builtin_rule_set("qd96-2023")
    expected = tally_ballots(
        rules,
        [a.full_name, b.full_name],
        [counting.to_ballot(rules, k, "") for k in paper]
        + [counting.to_ballot(rules, x + y, "") for x, y in electronic],
        issued=10,
    )
    assert stored.data["ballots"] == {"issued": 10, "collected": 9, "valid": 9, "invalid": 0}
    published = Client().get(public_file).content.decode().splitlines()[1:]
    assert len(published) == 9 and "phiếu giấy" not in Client().get(reverse("voting:public", args=[conference.pk])).text
    # the file is for anyone: its order is not the stack's, which can follow the order of casting
    assert published[:4] != [",1,1,", ",2,3,", ",3,3,", ",1,,"]  # the paper ballots as stacked
    stacked = EntryRow.objects.filter(session__form=form)
    stacked.filter(position=1).update(position=99)
    stacked.filter(position=4).update(position=1)
    stacked.filter(position=99).update(position=4)  # the first and the last of the stack swapped
    assert counting.final_ballots(form)[0] != counting.to_ballot(rules, "11", "")
    assert Client().get(public_file).content.decode().splitlines()[1:] == published
    assert [p["counts"] for p in stored.data["people"]] == [
        {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
    ]
    # finalised: the cards issued, part of the ballots issued in the result and the minutes, stay
    with pytest.raises(ValidationError) as info:
        evote.record_cards_issued(counters[0], form, count=3)
    assert "đã chốt" in info.value.messages[0]
    form.refresh_from_db()
    assert form.cards_issued == 5


def test_the_server_erases_at_its_start_once_an_electronic_vote_was_closed(chair, evoting, monkeypatch):
    """``tinnhiem serve`` erases what the database's files keep of closed votes before it serves,
    should the erasing after a close not have been done (the server stopped in between); not when
    no electronic vote was ever closed."""
    from django.core.management import call_command

    from tinnhiem.site import server
    from tinnhiem.site.management.commands import serve

    _conference, _people, form, _codes = evoting
    erased, served = [], []
    monkeypatch.setattr(traces, "erase", erased.append)
    monkeypatch.setattr(serve, "check_production_settings", list)
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: served.append(erased[:]))
    evote.open_evote(chair, form)
    call_command("serve")
    assert served == [[]]  # an open vote: nothing erased (the close does it)
    evote.close_evote(chair, form)  # its erasing waits for a commit this test never makes
    call_command("serve")
    assert served[-1] == [evote.TABLES] == [["voting_electronicballot", "voting_receipt"]]  # before serving


def test_the_command_erases_before_a_server_that_is_not_tinnhiem_serve_starts(chair, evoting, monkeypatch, capsys):
    """``tinnhiem erase_traces`` (systemd's ExecStartPre before gunicorn, docs/deploy.md) does what
    ``serve`` does at its start, and says what it did; it fails, saying why, when it could not."""
    from django.core.management import CommandError, call_command

    _conference, _people, form, _codes = evoting
    erased, done = [], [True]
    monkeypatch.setattr(traces, "erase", lambda tables: erased.append(tables) or done[0])
    call_command("erase_traces")
    assert erased == [] and "không có gì để xoá" in capsys.readouterr().out  # no vote closed
    evote.open_evote(chair, form)
    call_command("erase_traces")
    assert erased == []  # an open vote: nothing erased (the close does it)
    evote.close_evote(chair, form)  # its erasing waits for a commit this test never makes
    call_command("erase_traces")
    assert erased == [["voting_electronicballot", "voting_receipt"]]
    assert "Đã xoá" in capsys.readouterr().out
    done[0] = False
    with pytest.raises(CommandError, match="chạy lại lệnh"):
        call_command("erase_traces")
    assert len(erased) == 2


def test_only_the_chair_opens_and_only_members_record_cards(office, counters, make_user, evoting):
    _conference, _people, form, _codes = evoting
    with pytest.raises(PermissionDenied):
        evote.open_evote(office, form)
    with pytest.raises(PermissionDenied):
        evote.record_cards_issued(office, form, count=1)
    with pytest.raises(PermissionDenied):
        evote.generate_cards(make_user("observer", "obs"), form, count=1)


def test_receipts_have_no_link_to_ballots():
    assert not any(f.is_relation and f.related_model is ElectronicBallot for f in Receipt._meta.get_fields())
    assert not any(
        f.is_relation and f.related_model in (Receipt, CodeCard) for f in ElectronicBallot._meta.get_fields()
    )


def test_cards_made_but_the_electronic_vote_never_opened_the_paper_count_still_finalises(
    office, chair, counters, evoting
):
    """The cards were printed beforehand, but the hall voted on paper (the Wi-Fi failed): the
    electronic vote was never opened. Closing the vote closes it too and its cards stop working;
    before, it stayed "ready" and the count could never be finalised."""
    conference, _people, form, card_codes = evoting
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    day.close_voting(chair, conference)
    form.refresh_from_db()
    assert form.evote == BallotForm.EVote.CLOSED
    assert not CodeCard.objects.filter(form=form).exclude(state=CodeCard.State.VOID).exists()
    with pytest.raises(ValidationError):
        evote.cast_ballot(conference, code_text=card_codes[0], choices={}, tracking_code=tracking())
    entry = {counters[0]: "device-a", counters[1]: "device-b"}
    for user, device in entry.items():
        session = counting.start_entry(user, form, device_key=device)
        for position in range(1, 11):
            counting.enter_ballot(user, session, device_key=device, position=position, marks="12")
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"]["collected"] == 10


def test_cards_handed_out_and_not_used_are_in_the_minutes(office, chair, counters, evoting):
    """Four cards handed out, then the Wi-Fi failed and nobody voted on a phone: the minutes still
    say the cards issued (part of the ballots issued) and that no electronic ballot came in."""
    from tinnhiem.documents import official

    conference, _people, form, _codes = evoting
    evote.record_cards_issued(counters[0], form, count=4)
    evote.open_evote(chair, form)
    counting.record_ballot_counts(counters[0], form, issued=6, collected=6, note="Mạng hỏng; bốn thẻ không dùng")
    day.close_voting(chair, conference)
    for user, device in {counters[0]: "a", counters[1]: "b"}.items():
        session = counting.start_entry(user, form, device_key=device)
        for position in range(1, 7):
            counting.enter_ballot(user, session, device_key=device, position=position, marks="12")
    counting.finalise_form(counters[0], form)
    sentence = official.minutes_context(conference)["forms"][0]["ballots_sentence"]
    assert sentence == (
        "Số phiếu phát ra: 10; số phiếu thu về: 6; số phiếu hợp lệ: 6; số phiếu không hợp lệ: 0. "
        "Trong đó bỏ phiếu điện tử: phát 4 thẻ mã, 0 phiếu điện tử. Mạng hỏng; bốn thẻ không dùng."
    )  # the committee's note typed without a stop ends its sentence


def test_a_count_closed_with_its_electronic_vote_left_ready_finalises_and_closes_it(office, chair, counters, evoting):
    """A vote closed before the fix above left the form "ready": finalising closes it then."""
    conference, _people, form, _codes = evoting
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    day.close_voting(chair, conference)
    BallotForm.objects.filter(pk=form.pk).update(evote=BallotForm.EVote.READY)  # as such a vote left it
    for user, device in {counters[0]: "a", counters[1]: "b"}.items():
        session = counting.start_entry(user, form, device_key=device)
        for position in range(1, 11):
            counting.enter_ballot(user, session, device_key=device, position=position, marks="21")
    counting.finalise_form(counters[0], form)
    form.refresh_from_db()
    assert form.evote == BallotForm.EVote.CLOSED and form.state == BallotForm.State.FINALISED


def test_a_receipt_code_already_stored_is_not_taken_by_another_card(chair, counters, evoting):
    """Each receipt is one voter's: a second card sent with a receipt code already stored (a page
    copied from a neighbour's phone) is refused, stores nothing, and its card stays unused."""
    conference, (a, b), form, card_codes = evoting
    evote.record_cards_issued(counters[0], form, count=10)
    evote.open_evote(chair, form)
    shared = tracking()
    evote.cast_ballot(conference, code_text=card_codes[0], choices={a.pk: "1", b.pk: "1"}, tracking_code=shared)
    with pytest.raises(evote.VoteRefused) as info:
        evote.cast_ballot(conference, code_text=card_codes[1], choices={a.pk: "3", b.pk: "3"}, tracking_code=shared)
    assert info.value.reason == "forged"
    assert list(ElectronicBallot.objects.values_list("marks", flat=True)) == ["11"]
    assert Receipt.objects.count() == 1
    assert evote.find_card(conference, card_codes[1]).state == CodeCard.State.UNUSED


def test_cards_and_paper_ballots_issued_together_cannot_exceed_the_voters_present(counters, evoting):
    _conference, _people, form, _codes = evoting  # 10 present, 12 cards made
    counting.record_ballot_counts(counters[0], form, issued=4, collected=4)
    with pytest.raises(ValidationError) as info:
        evote.record_cards_issued(counters[0], form, count=7)
    assert info.value.messages == ["Tổng số phiếu giấy và thẻ đã phát (11) không thể vượt quá số người có mặt (10)."]
    form.refresh_from_db()
    assert form.cards_issued == 0
    evote.record_cards_issued(counters[0], form, count=6)
    form.refresh_from_db()
    assert form.cards_issued == 6


def test_cards_are_made_from_one_to_the_most_at_a_time(office, hall):
    conference, _people = hall
    form = conference.ballot_forms.get()
    for count in (0, evote.MAX_CARDS + 1):
        with pytest.raises(ValidationError) as info:
            evote.generate_cards(office, form, count=count)
        assert evote.MAX_CARDS == 5000 and info.value.messages == ["Mỗi lần tạo từ 1 đến 5.000 thẻ."]
    assert not CodeCard.objects.exists()
    assert len(evote.generate_cards(office, form, count=1)) == 1
    assert len(evote.generate_cards(office, form, count=evote.MAX_CARDS)) == evote.MAX_CARDS
    assert CodeCard.objects.filter(form=form).count() == evote.MAX_CARDS + 1


def test_cards_issued_run_from_none_to_every_valid_card_printed(office, chair, counters, hall):
    conference, _people = hall  # 10 present
    form = conference.ballot_forms.get()
    evote.generate_cards(office, form, count=8)
    day.open_voting(chair, conference)
    with pytest.raises(ValidationError) as info:
        evote.record_cards_issued(counters[0], form, count=9)
    assert info.value.messages == ["Số thẻ đã phát (9) không thể vượt quá số thẻ đã in còn hiệu lực (8)."]
    with pytest.raises(ValidationError):
        evote.record_cards_issued(counters[0], form, count=-1)
    evote.record_cards_issued(counters[0], form, count=8)
    form.refresh_from_db()
    assert form.cards_issued == 8
    evote.record_cards_issued(counters[0], form, count=0)  # none handed out after all
    form.refresh_from_db()
    assert form.cards_issued == 0
