"""A conference ready for its day: rated persons, a voter roll, committee accounts, a chair."""

from __future__ import annotations

import pytest

from tinnhiem.conferences.models import Voter
from tinnhiem.conferences.usecases import day, rated, roster


@pytest.fixture
def chair(make_user):
    return make_user("chair", "chair")


@pytest.fixture
def counters(make_user):
    return [make_user("committee", f"kp{i}") for i in range(1, 6)]


ROLES = ("head", "secretary", "member", "member", "member")


def build(office, conference, n_voters: int):
    people = [
        rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Phó Chủ tịch UBND"),
        rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch UBND"),
    ]
    voters = [
        roster.add_voter(office, conference, full_name=f"Người ghi phiếu {i:03d}", post="Trưởng phòng")
        for i in range(1, n_voters + 1)
    ]
    return people, voters


@pytest.fixture
def day_conference(office, conference):
    people, voters = build(office, conference, 12)
    return conference, people, voters


@pytest.fixture
def hall(office, chair, counters, day_conference):
    """Opened, 10 of 12 present, committee of 3 approved unanimously; voting not yet open."""
    conference, people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    return conference, people


@pytest.fixture
def ready(office, chair, counters, day_conference):
    """Opened, 10 of 12 present, committee of 3 approved, vote open."""
    conference, people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    day.mark_absent(office, voters[10], reason="Đi công tác")
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(chair, conference, votes_for=9, against=0, abstaining=1)
    day.open_voting(chair, conference)
    conference.refresh_from_db()
    return conference, people, voters


def present(conference):
    return conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
