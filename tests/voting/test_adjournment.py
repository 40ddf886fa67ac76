"""day.adjourn_conference: a session without a quorum (QĐ 96: "chỉ được tiến hành khi có ít nhất 2/3
số người được triệu tập có mặt") is adjourned to a later day; the next session starts over."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Adjournment, CommitteeMember, Conference, RatedPerson, Voter
from tinnhiem.conferences.usecases import campaigns, day
from tinnhiem.voting.models import CodeCard
from tinnhiem.voting.usecases import evote

from .conftest import ROLES

REASON = "Không đủ 2/3 số người được triệu tập có mặt do mưa bão"


@pytest.fixture
def short_session(office, chair, counters, day_conference):
    """Opened with 7 of 12 present (8 needed), a committee proposed, the agenda moved on."""
    conference, people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:7])
    day.mark_absent(office, voters[7], reason="Ốm")
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.advance_agenda(chair, conference, step=2)
    conference.refresh_from_db()
    return conference, people, voters


def test_adjourning_clears_the_session_and_keeps_the_preparation(chair, short_session, today):
    conference, people, voters = short_session
    form = conference.ballot_forms.get()
    new_day = today + timedelta(days=7)
    adjournment = day.adjourn_conference(
        chair, conference, reason=f"  {REASON} ", new_date=new_day, start_time=time(14, 0), today=today
    )
    conference.refresh_from_db()
    assert (conference.status, conference.agenda_step, conference.date, conference.start_time) == (
        Conference.Status.PREPARING,
        0,
        new_day,
        time(14, 0),
    )
    assert not conference.committee.exists()
    assert not conference.voters.exclude(attendance=Voter.Attendance.UNKNOWN).exists()
    assert not conference.voters.exclude(absence_reason="").exists()
    # what was prepared stays: the lists and the ballot form made at opening
    assert conference.rated_persons.count() == len(people) and conference.voters.count() == len(voters)
    assert list(conference.ballot_forms.all()) == [form]
    assert (adjournment.session_date, adjournment.new_date, adjournment.reason) == (today, new_day, REASON)
    assert (adjournment.present, adjournment.convened, adjournment.required) == (7, 12, 8)
    event = Event.objects.get(action="conference.adjourned")
    assert event.data["from"] == today.isoformat()  # set for 20 days on, held today: the chair confirmed it
    assert event.data["to"] == new_day.isoformat()
    assert (event.data["present"], event.data["convened"], event.data["required"]) == (7, 12, 8)
    assert event.data["reason"] == REASON
    assert len(event.data["committee"]) == 3 and "(Trưởng ban)" in " ".join(event.data["committee"])


def test_the_next_session_is_held_from_the_start(office, chair, counters, short_session, today):
    conference, _people, voters = short_session
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    with pytest.raises(ValidationError):  # the committee is approved at the session, not before
        day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    for voter, role, user in zip(voters[3:6], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    day.open_voting(chair, conference)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.VOTING
    assert day.quorum(conference).present == 10
    assert set(conference.committee.values_list("voter", flat=True)) == {v.pk for v in voters[3:6]}


def test_an_override_of_the_adjourned_session_does_not_carry_over(chair, short_session, today):
    conference, _people, _voters = short_session
    day.override_quorum(chair, conference, reason="Cấp ủy cho phép")
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    conference.refresh_from_db()
    assert conference.quorum_override_reason == ""


def test_code_cards_handed_out_at_the_session_stop_working(office, chair, counters, hall, today):
    conference, _people = hall
    form = conference.ballot_forms.get()
    evote.generate_cards(office, form, count=12)
    evote.record_cards_issued(counters[0], form, count=10)
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=3), today=today)
    form.refresh_from_db()
    assert form.cards_issued == 0
    assert not form.code_cards.exclude(state=CodeCard.State.VOID).exists()
    assert Event.objects.get(action="conference.adjourned").data["voided"] == {form.name: 12}


def test_cards_not_handed_out_stay_valid(office, chair, hall, today):
    conference, _people = hall
    form = conference.ballot_forms.get()
    evote.generate_cards(office, form, count=12)
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=3), today=today)
    assert form.code_cards.filter(state=CodeCard.State.UNUSED).count() == 12


@pytest.mark.parametrize(
    "reason, days, message",
    [
        ("   ", 7, "Nêu lý do hoãn hội nghị."),
        (REASON, 0, "đến một ngày sau hôm nay"),
        (REASON, -1, "đến một ngày sau hôm nay"),
        (REASON, None, "Nêu ngày hội nghị họp lại."),
    ],
)
def test_refused_without_a_reason_or_a_later_day(chair, short_session, today, reason, days, message):
    conference, _people, _voters = short_session
    new_date = None if days is None else today + timedelta(days=days)
    with pytest.raises(ValidationError) as info:
        day.adjourn_conference(chair, conference, reason=reason, new_date=new_date, today=today)
    assert message in info.value.messages[0]
    conference.refresh_from_db()
    assert conference.status == Conference.Status.IN_SESSION and conference.committee.count() == 3
    assert not Adjournment.objects.exists() and not Event.objects.filter(action="conference.adjourned").exists()


def test_not_to_a_day_before_a_rated_person_took_office(chair, short_session, today):
    conference, people, _voters = short_session
    RatedPerson.objects.filter(pk=people[0].pk).update(took_office_on=today + timedelta(days=10))
    with pytest.raises(ValidationError) as info:
        day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    assert "được bầu, bổ nhiệm ngày" in info.value.messages[0]
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=10), today=today)


def test_refused_once_the_vote_is_open(chair, ready, today):
    conference, _people, _voters = ready
    later = today + timedelta(days=7)
    with pytest.raises(ValidationError) as info:
        day.adjourn_conference(chair, conference, reason=REASON, new_date=later, today=today)
    assert "Đã bắt đầu bỏ phiếu" in info.value.messages[0]
    assert conference.committee.count() == 3


def test_not_before_the_conference_opens(chair, day_conference, today):
    conference, _people, _voters = day_conference
    with pytest.raises(ValidationError) as info:
        day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    assert "muốn đổi ngày" in info.value.messages[0]


def test_the_office_cannot_adjourn(office, short_session, today):
    conference, _people, _voters = short_session
    with pytest.raises(PermissionDenied):
        day.adjourn_conference(office, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.IN_SESSION


def test_sent_twice_it_is_recorded_once(chair, short_session, today):
    conference, _people, _voters = short_session
    later = today + timedelta(days=7)
    first = day.adjourn_conference(chair, conference, reason=REASON, new_date=later, today=today)
    again = day.adjourn_conference(chair, conference, reason=REASON, new_date=later, today=today)
    assert first == again
    assert Adjournment.objects.count() == 1 and Event.objects.filter(action="conference.adjourned").count() == 1
    with pytest.raises(ValidationError):  # another adjournment of a conference not in session is refused
        day.adjourn_conference(chair, conference, reason=REASON, new_date=later + timedelta(days=1), today=today)


def test_an_adjourned_conference_cannot_be_removed(office, chair, short_session, today):
    conference, _people, _voters = short_session
    day.adjourn_conference(chair, conference, reason=REASON, new_date=today + timedelta(days=7), today=today)
    assert not CommitteeMember.objects.exists()
    with pytest.raises(ValidationError) as info:
        campaigns.remove_conference(office, conference)
    assert "phiên họp đã hoãn" in info.value.messages[0]
    assert Conference.objects.filter(pk=conference.pk).exists()
