"""A ballot form longer than any real one seen so far (the National Assembly rated 44 persons in
2023): nothing in storage limits the number of rated persons on a form. PostgreSQL enforces
column lengths and SQLite does not, so this test fails only in the PostgreSQL run of the suite
if a ballot's keys are ever stored in a column of limited length again. The reason a whole ballot
is invalid does have a limit, and a longer one is told in Vietnamese."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tinnhiem.conferences.usecases import day, rated
from tinnhiem.voting.usecases import counting

from .conftest import ROLES, build

N = 90


def test_a_form_of_90_persons_is_entered_twice_and_finalised(office, chair, counters, conference):
    people, voters = build(office, conference, 12)
    for i in range(N - len(people)):
        rated.add_rated_person(office, conference, full_name=f"Nguyễn Văn Thành {i + 1}", post="Trưởng phòng")
    day.open_conference(chair, conference, held_today=True)
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


def test_a_too_long_reason_for_an_invalid_ballot_is_refused_in_vietnamese(chair, counters, hall):
    """The reason goes into a column of 255 characters: PostgreSQL would refuse a longer one with a
    500 page (SQLite would keep it). The browser's inputs stop at 255; anything else is told."""
    conference, _people = hall
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    day.close_voting(chair, conference)
    session = counting.start_entry(counters[0], form, device_key="a")
    with pytest.raises(ValidationError) as info:
        counting.enter_ballot(counters[0], session, device_key="a", position=1, invalid_reason="Gạch xoá " * 40)
    assert info.value.messages == ["Lý do phiếu không hợp lệ dài tối đa 255 ký tự; lý do này có 359 ký tự."]
    assert not session.rows.exists()
    row = counting.enter_ballot(counters[0], session, device_key="a", position=1, invalid_reason="Gạch xoá " * 28)
    assert len(row.invalid_reason) == 251
    exactly = ("Gạch xoá " * 29)[:255]  # the column's whole width, not a character less
    row = counting.enter_ballot(counters[0], session, device_key="a", position=2, invalid_reason=exactly)
    assert row.invalid_reason == exactly and len(exactly) == 255
