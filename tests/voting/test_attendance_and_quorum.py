"""Use cases check_in, mark_absent, undo_attendance, override_quorum, open_voting: the 2/3 quorum."""

import pytest
from django.core.exceptions import ValidationError

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference, Voter
from tinnhiem.conferences.usecases import day


def setup_committee(office, chair, counters, conference, voters):
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(
        chair, conference, votes_for=day.quorum(conference).present, against=0, abstaining=0
    )


@pytest.mark.parametrize("n_present, quorate", [(8, True), (7, False)])  # 12 convened: 2/3 = 8 exactly
def test_quorum_boundary(office, chair, counters, day_conference, n_present, quorate):
    conference, _people, voters = day_conference
    day.open_conference(chair, conference)
    day.check_in(office, conference, voters[:n_present])
    check = day.quorum(conference)
    assert (check.present, check.convened, check.required, check.quorate) == (n_present, 12, 8, quorate)
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=n_present, against=0, abstaining=0)
    if quorate:
        day.open_voting(chair, conference)
        conference.refresh_from_db()
        assert conference.status == Conference.Status.VOTING
    else:
        with pytest.raises(ValidationError) as info:
            day.open_voting(chair, conference)
        assert "7 người có mặt trên 12 người được triệu tập; cần ít nhất 8" in info.value.messages[0]
        day.override_quorum(chair, conference, reason="Cấp ủy cho phép tiến hành do thiên tai")
        day.open_voting(chair, conference)
        assert any("thiên tai" in e.data["reason"] for e in Event.objects.filter(action="quorum.overridden"))


def test_check_in_many_and_late_arrival(office, chair, counters, day_conference):
    conference, _people, voters = day_conference
    day.open_conference(chair, conference)
    assert day.check_in(office, conference, voters[:9]) == 9
    assert day.check_in(office, conference, voters[:9]) == 0  # again: nothing changes
    setup_committee(office, chair, counters, conference, voters)
    day.open_voting(chair, conference)
    day.check_in(office, conference, [voters[11]])
    late = Voter.objects.get(pk=voters[11].pk)
    assert late.attendance == "present" and late.arrived_late
    with pytest.raises(ValidationError):
        day.mark_absent(office, late, reason="x")
    with pytest.raises(ValidationError):
        day.undo_attendance(office, late)


def test_absent_with_reason(office, chair, day_conference):
    _conference, _people, voters = day_conference
    day.mark_absent(office, voters[0], reason="Ốm")
    voters[0].refresh_from_db()
    assert (voters[0].attendance, voters[0].absence_reason) == ("absent", "Ốm")
    day.undo_attendance(office, voters[0])
    voters[0].refresh_from_db()
    assert voters[0].attendance == ""


def test_vote_needs_an_approved_committee(office, chair, day_conference):
    conference, _people, voters = day_conference
    day.open_conference(chair, conference)
    day.check_in(office, conference, voters)
    with pytest.raises(ValidationError) as info:
        day.open_voting(chair, conference)
    assert "Ban kiểm phiếu" in info.value.messages[0]


def test_agenda(chair, day_conference):
    conference, *_ = day_conference
    with pytest.raises(ValidationError):
        day.advance_agenda(chair, conference, step=1)
    day.open_conference(chair, conference)
    day.advance_agenda(chair, conference, step=3)
    conference.refresh_from_db()
    assert conference.agenda_label == "Thảo luận"
    with pytest.raises(ValidationError):
        day.advance_agenda(chair, conference, step=99)
