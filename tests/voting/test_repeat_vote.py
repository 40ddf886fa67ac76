"""repeat.repeat_form_vote: the chair has the vote on one ballot form held again (the box held more
ballots than were issued); nothing of the discarded vote is counted, and the form can be counted
to the end once more."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import BallotForm, Conference
from tinnhiem.conferences.usecases import day
from tinnhiem.documents.official import minutes_context
from tinnhiem.scanning.models import ScannedBallot, ScannedPage
from tinnhiem.voting import codes
from tinnhiem.voting.minutes import minutes_data
from tinnhiem.voting.models import CodeCard, ElectronicBallot, EntryRow, Receipt, Ruling
from tinnhiem.voting.usecases import counting, evote, repeat

REASON = "Hòm phiếu có 11 phiếu trong khi chỉ phát ra 10 phiếu"


def type_stack(counters, form, marks: list[str], *, devices=("a", "b")) -> None:
    """Two members type the same ballots, each on their own device."""
    for user, device in zip(counters[:2], devices, strict=True):
        session = counting.start_entry(user, form, device_key=device, take_over=True)
        for position, keys in enumerate(marks, start=1):
            counting.enter_ballot(user, session, device_key=device, position=position, marks=keys)


def evote_tracking() -> str:
    return codes.display(codes.new_tracking_code())


def test_a_box_with_more_ballots_than_issued_is_voted_again_and_counted_anew(chair, counters, ready):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    day.close_voting(chair, conference)
    with pytest.raises(ValidationError) as info:
        counting.record_ballot_counts(counters[0], form, issued=10, collected=11)
    assert "người chủ trì có thể cho bỏ phiếu lại mẫu phiếu này" in info.value.messages[0]
    # the committee had begun: counts, three ballots typed by each, a ruling
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    type_stack(counters, form, ["33", "33", "33"])
    counting.record_ruling(counters[0], form, subject="Phiếu số 2", decision="Hợp lệ", position=2)
    discarded = repeat.repeat_form_vote(chair, form, reason=REASON)
    assert discarded == {"issued": 10, "collected": 10, "entered": 6, "scanned": 0, "electronic": 0, "voided": 0}
    form.refresh_from_db()
    conference.refresh_from_db()
    assert (form.state, form.issued, form.collected, form.spoilt, form.reconciliation_note) == (
        "open",
        None,
        None,
        0,
        "",
    )
    assert not EntryRow.objects.exists() and not form.entry_sessions.exists() and not Ruling.objects.exists()
    assert conference.status == Conference.Status.VOTING
    assert conference.agenda_label == "Bỏ phiếu"
    event = Event.objects.get(action="vote.repeated")
    assert event.data == {"form": form.pk, "reason": REASON, **discarded}
    # the vote held again, counted to the end: only its ballots count
    day.close_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    type_stack(counters, form, ["11"] * 10, devices=("c", "d"))
    result = counting.finalise_form(counters[0], form)
    people_data = result.data["people"]
    assert [p["counts"]["high"] for p in people_data] == [10, 10]
    assert all(p["counts"]["low"] == 0 for p in people_data)
    assert Conference.objects.get(pk=conference.pk).status == Conference.Status.FINISHED
    # the minutes say so, with the chair's reason
    minutes = minutes_data(conference)
    assert minutes["forms"][0]["repeated"] == [{"reason": REASON, "collected": 10}]
    assert minutes["forms"][0]["rulings"] == []  # the ruling on the discarded vote is gone
    text = minutes_context(conference, minutes)["forms"][0]["rulings"]
    assert text == [f"Mẫu phiếu này đã bỏ phiếu lại, không tính lần bỏ phiếu trước: {REASON}"]


def test_electronic_ballots_are_discarded_and_new_cards_are_made(office, chair, counters, ready):
    conference, people, _voters = ready
    form = conference.ballot_forms.get()
    card_codes = evote.generate_cards(office, form, count=12)
    evote.record_cards_issued(counters[0], form, count=4)
    evote.open_evote(chair, form)
    receipts = [evote_tracking() for _ in range(3)]
    for code, tracking in zip(card_codes[:3], receipts, strict=True):
        evote.cast_ballot(conference, code_text=code, choices={p.pk: "1" for p in people}, tracking_code=tracking)
    day.close_voting(chair, conference)
    discarded = repeat.repeat_form_vote(chair, form, reason=REASON)
    assert (discarded["electronic"], discarded["voided"]) == (3, 0)  # closing already voided the unused cards
    form.refresh_from_db()
    assert (form.evote, form.cards_issued) == (BallotForm.EVote.NOT_USED, 0)
    assert not ElectronicBallot.objects.exists() and not Receipt.objects.exists()
    assert not form.code_cards.filter(state=CodeCard.State.UNUSED).exists()
    with pytest.raises(evote.VoteRefused):  # an old card no longer votes
        evote.find_card(conference, card_codes[5])
    # a voter of the discarded vote checks the receipt: not found, and told why
    page = Client().post(reverse("voting:receipt", args=[conference.pk]), {"tracking": receipts[0]}).content.decode()
    assert "Không có phiếu nào mang mã biên nhận này" in page
    assert f"Mẫu phiếu “{form.name}” đã bỏ phiếu lại: phiếu và biên nhận của lần bỏ phiếu trước đã bị huỷ." in page
    fresh = evote.generate_cards(office, form, count=2)
    evote.open_evote(chair, form)
    evote.cast_ballot(
        conference, code_text=fresh[0], choices={p.pk: "2" for p in people}, tracking_code=evote_tracking()
    )
    assert ElectronicBallot.objects.get().marks == "22"
    day.close_voting(chair, conference)  # the public list after the close says so too
    page = Client().get(reverse("voting:public", args=[conference.pk])).content.decode()
    assert f"Mẫu phiếu “{form.name}” đã bỏ phiếu lại" in page and receipts[0] not in page


def test_unused_cards_of_a_vote_still_open_stop_working(office, chair, counters, ready):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    card_codes = evote.generate_cards(office, form, count=5)
    evote.open_evote(chair, form)
    assert repeat.repeat_form_vote(chair, form, reason=REASON)["voided"] == 5
    assert conference.status == Conference.Status.VOTING
    with pytest.raises(evote.VoteRefused):
        evote.find_card(conference, card_codes[0])


def test_scanned_ballots_and_their_images_are_removed(chair, counters, ready, django_capture_on_commit_callbacks):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    page = ScannedPage(form=form, sequence=1, sha256="0" * 64, status="ballot", page_number=1)
    page.image.save("p.png", ContentFile(b"\x89PNG not really"), save=False)
    page.save()
    ScannedBallot.objects.create(form=form, position=1, pages=[str(page.pk)], machine_keys="12", keys="12")
    storage, name = page.image.storage, page.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        discarded = repeat.repeat_form_vote(chair, form, reason=REASON)
    assert discarded["scanned"] == 1
    assert not ScannedPage.objects.exists() and not ScannedBallot.objects.exists()
    assert not storage.exists(name)
    day.set_counting_mode(counters[0], form, mode="totals")  # nothing started: the mode may change


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_refused_without_a_reason(chair, ready, reason):
    conference, _people, _voters = ready
    with pytest.raises(ValidationError) as info:
        repeat.repeat_form_vote(chair, conference.ballot_forms.get(), reason=reason)
    assert "Nêu lý do bỏ phiếu lại." in info.value.messages[0]
    assert not Event.objects.filter(action="vote.repeated").exists()


def test_only_the_chair(office, counters, ready):
    conference, _people, _voters = ready
    for user in (office, counters[0]):
        with pytest.raises(PermissionDenied):
            repeat.repeat_form_vote(user, conference.ballot_forms.get(), reason=REASON)


def test_refused_before_the_vote_opens(chair, hall):
    conference, _people = hall
    with pytest.raises(ValidationError) as info:
        repeat.repeat_form_vote(chair, conference.ballot_forms.get(), reason=REASON)
    assert "chỉ bỏ phiếu lại được sau khi đã bắt đầu bỏ phiếu" in info.value.messages[0]


def test_refused_once_the_form_is_finalised(chair, counters, ready):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    day.close_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=9, collected=9, note="Một người không nhận phiếu")
    type_stack(counters, form, ["12"] * 9)
    counting.finalise_form(counters[0], form)
    with pytest.raises(ValidationError) as info:
        repeat.repeat_form_vote(chair, form, reason=REASON)
    assert "đã chốt" in info.value.messages[0]
    assert EntryRow.objects.count() == 18
