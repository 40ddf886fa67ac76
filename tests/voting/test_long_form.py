"""A ballot form longer than any real one seen so far (the National Assembly rated 44 persons in
2023): nothing in storage limits the number of rated persons on a form. PostgreSQL enforces
column lengths and SQLite does not, so this test fails only in the PostgreSQL run of the suite
if a ballot's keys are ever stored in a column of limited length again."""

from __future__ import annotations

from tinnhiem.conferences.usecases import day, rated
from tinnhiem.voting.usecases import counting

from .conftest import ROLES, build

N = 90


def test_a_form_of_90_persons_is_entered_twice_and_finalised(office, chair, counters, conference):
    people, voters = build(office, conference, 12)
    for i in range(N - len(people)):
        rated.add_rated_person(office, conference, full_name=f"Nguyễn Văn Thành {i + 1}", post="Trưởng phòng")
    day.open_conference(chair, conference)
    day.check_in(office, conference, voters[:10])
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(
        counters[0], form, issued=10, collected=2, note="Tám đại biểu ra về trước khi bỏ phiếu"
    )
    day.close_voting(chair, conference)
    stack = ["1" * N, "23" * (N // 2)]
    for member, device in ((counters[0], "a"), (counters[1], "b")):
        session = counting.start_entry(member, form, device_key=device)
        for position, keys in enumerate(stack, start=1):
            counting.enter_ballot(member, session, device_key=device, position=position, marks=keys)
    stored = counting.finalise_form(counters[0], form)
    assert len(stored.data["people"]) == N
    assert stored.data["people"][0]["counts"] == {"high": 1, "confidence": 1, "low": 0, "invalid": 0}
    assert stored.data["people"][1]["counts"] == {"high": 1, "confidence": 0, "low": 1, "invalid": 0}
