"""Double entry, checked with hypothesis: two members type the same stack in any order, with typos,
corrections of their own (also after their last ballot), the same entry sent twice, and a ballot
found after the count of ballots collected was recorded. Whatever the order, the differences listed
are exactly the positions where the two passes end up apart, the form is finalised once the
committee has ruled on those, and the result is the counting core's on the agreed readings.

It found a real defect: a member who corrected a ballot after typing the last one left the pass
"not complete" for good, so the form could never be finalised."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinnhiem.conferences.usecases import campaigns, day, rated, roster
from tinnhiem.rules import builtin_rule_set, tally_ballots
from tinnhiem.rules.report import result_to_json
from tinnhiem.voting.usecases import counting

from .conftest import ROLES

REASONS = ("Phiếu gạch xoá họ tên người được in trên phiếu", "Phiếu không có dấu của Ban kiểm phiếu")


def readings(n_people: int):
    """What one ballot says (or what a member types for it): keys, or a whole-ballot invalid reason."""
    keys = st.text(alphabet="01239", min_size=n_people, max_size=n_people).map(lambda k: (k, ""))
    invalid = st.sampled_from(REASONS).map(lambda r: ("", r))
    return st.one_of(keys, keys, keys, keys, invalid)


@st.composite
def counts(draw):
    """A stack with its truth, each pass's typing (in the order typed) and how the two interleave."""
    n_people = draw(st.integers(1, 4))
    truth = draw(st.lists(readings(n_people), min_size=1, max_size=14))
    n = len(truth)

    def typing(label: str) -> list[tuple[int, tuple[str, str]]]:
        per_position = {}
        for position, true in enumerate(truth, start=1):
            first = draw(st.one_of(st.just(true), st.just(true), readings(n_people)), label=f"{label}{position}")
            # later: the member's own corrections, or the same entry sent again (double click)
            later = draw(st.lists(st.one_of(st.just(true), readings(n_people), st.just(first)), max_size=2))
            per_position[position] = [first, *later]
        tokens = draw(st.permutations([p for p, typed in per_position.items() for _ in typed]))
        seen: dict[int, int] = {}
        ops = []
        for position in tokens:  # each position's readings in their order, positions interleaved
            ops.append((position, per_position[position][seen.get(position, 0)]))
            seen[position] = seen.get(position, 0) + 1
        return ops

    a, b = typing("A"), typing("B")
    turns = draw(st.permutations(["A"] * len(a) + ["B"] * len(b)))
    late = n >= 2 and draw(st.booleans())  # the last ballot found after the count was recorded
    rule_id = draw(st.sampled_from(["qd96-2023", "nq96-2023"]))
    return n_people, truth, a, b, turns, late, rule_id


def last_reading(ops) -> dict[int, tuple[str, str]]:
    return dict(ops)  # the last reading typed at each position


# 25 random stacks; fewer on the PostgreSQL pass (scripts/test), where each costs twice as much
@settings(
    max_examples=int(os.environ.get("TINNHIEM_ENTRY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=counts())
def test_double_entry_finalises_on_the_agreed_readings_whatever_the_order(office, chair, counters, today, case):
    n_people, truth, ops_a, ops_b, turns, late, rule_id = case
    n = len(truth)
    body = campaigns.create_body(office, name="UBND xã", level="district")
    campaign = campaigns.create_campaign(
        office, body=body, name="Đợt", legal_basis="KH", term="2021–2026", rule_set=rule_id, rating_year=today.year
    )
    conference = campaigns.create_conference(
        office, campaign=campaign, title="HN", date=today + timedelta(days=1), place="p", convening_body="c"
    )
    people = [rated.add_rated_person(office, conference, full_name=f"Người {i}", post="PCT") for i in range(n_people)]
    size = conference.rules.committee.minimum_for("district")
    voters = [
        roster.add_voter(office, conference, full_name=f"Đại biểu {i}", post="Trưởng phòng")
        for i in range(max(n, size))
    ]
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters)
    for voter, role, user in zip(voters[:size], ROLES[:size], counters[:size], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(chair, conference, votes_for=len(voters), against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    note = "Số phiếu thu về ít hơn số người có mặt: đã giải trình"
    counting.record_ballot_counts(counters[0], form, issued=len(voters), collected=n - late, note=note)
    day.close_voting(chair, conference)
    sessions = {
        "A": counting.start_entry(counters[0], form, device_key="a"),
        "B": counting.start_entry(counters[1], form, device_key="b"),
    }
    users = {"A": counters[0], "B": counters[1]}
    queues = {"A": list(ops_a), "B": list(ops_b)}

    def type_next(label: str) -> None:
        position, (marks, reason) = queues[label].pop(0)
        counting.enter_ballot(
            users[label],
            sessions[label],
            device_key=label.lower(),
            position=position,
            marks=marks,
            invalid_reason=reason,
        )

    held = {"A": [], "B": []}  # the found ballot cannot be typed before it is counted as collected
    for label in turns:
        if late and queues[label][0][0] == n:
            held[label].append(queues[label].pop(0))
            continue
        type_next(label)
    if late:
        with pytest.raises(ValidationError):  # beyond the ballots collected
            counting.enter_ballot(counters[0], sessions["A"], device_key="a", position=n, marks="0" * n_people)
        counting.record_ballot_counts(counters[0], form, issued=len(voters), collected=n, note=note)
        for label in ("A", "B"):
            queues[label] = held[label]
            while queues[label]:
                type_next(label)

    form.refresh_from_db()
    final_a, final_b = last_reading(ops_a), last_reading(ops_b)
    apart = [p for p in range(1, n + 1) if final_a[p] != final_b[p]]
    assert all(s.completed for s in form.entry_sessions.all())
    assert [d["position"] for d in counting.open_differences(form)] == apart
    if apart:
        with pytest.raises(ValidationError):
            counting.finalise_form(counters[0], form)
    for position in apart:  # the committee finds the ballot in the stack and reads it
        marks, reason = truth[position - 1]
        counting.resolve_difference(
            counters[0], form, position=position, marks=marks, invalid_reason=reason, reason="Đối chiếu phiếu gốc"
        )
    stored = counting.finalise_form(counters[0], form)

    # where the passes agree, their reading stands (double entry cannot see the same slip twice)
    agreed = [truth[p - 1] if p in apart else final_a[p] for p in range(1, n + 1)]
    rules = builtin_rule_set(rule_id)
    ballots = [counting.to_ballot(rules, marks, reason) for marks, reason in agreed]
    core = result_to_json(tally_ballots(rules, [p.full_name for p in people], ballots, issued=len(voters)))
    assert stored.data["ballots"] == core["ballots"]
    for got, want in zip(stored.data["people"], core["people"], strict=True):
        assert {k: got[k] for k in want} == want
    assert stored.whole_invalid == sum(1 for _marks, reason in agreed if reason)
