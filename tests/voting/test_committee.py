"""Use cases propose_member, remove_member, record_committee_approval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinnhiem.conferences.usecases import day, roster


@pytest.fixture
def opened(office, chair, day_conference):
    conference, people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    return conference, people, voters


def test_members_are_present_voters_not_rated_persons(office, opened, counters):
    conference, people, voters = opened
    with pytest.raises(ValidationError) as info:
        day.propose_member(office, conference, voter=voters[11], role="head", user=counters[0])
    assert "có mặt" in info.value.messages[0]
    rated_voter = roster.Voter.objects.create(
        conference=conference, full_name=people[0].full_name, post="Phó Chủ tịch", attendance="present"
    )
    with pytest.raises(ValidationError) as info:
        day.propose_member(office, conference, voter=rated_voter, role="member", user=None)
    assert "người được lấy phiếu" in info.value.messages[0]


def test_one_head_and_accounts_with_the_role(office, opened, counters, make_user):
    conference, _people, voters = opened
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="head", user=counters[1])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="member", user=counters[0])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="member", user=make_user("observer", "obs"))


@pytest.mark.parametrize("votes_for, approved", [(6, True), (5, False)])  # 10 present: more than half = 6
def test_approval_needs_more_than_half_of_present(office, chair, opened, counters, votes_for, approved):
    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert (
        day.record_committee_approval(chair, conference, votes_for=votes_for, against=10 - votes_for, abstaining=0)
        is approved
    )
    conference.refresh_from_db()
    assert conference.committee_approved is approved


def test_minimum_size_per_rule_set(office, chair, opened, counters):
    conference, _people, voters = opened
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    with pytest.raises(ValidationError) as info:
        day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    assert "ít nhất 3" in info.value.messages[0]


def test_votes_cannot_exceed_present(office, chair, opened, counters):
    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    with pytest.raises(ValidationError):
        day.record_committee_approval(chair, conference, votes_for=9, against=2, abstaining=0)


def test_only_the_chair_records_the_vote(office, opened):
    conference, *_ = opened
    with pytest.raises(PermissionDenied):
        day.record_committee_approval(office, conference, votes_for=1, against=0, abstaining=0)
