"""Invariants of the tally, checked with hypothesis on random ballots under every rule set."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.rules import BUILTIN_IDS, Ballot, builtin_rule_set, hundredths, tally_ballots
from tinnhiem.rules.percent import exact


@st.composite
def elections(draw):
    rules = builtin_rule_set(draw(st.sampled_from(BUILTIN_IDS)))
    n_people = draw(st.integers(1, 4))
    row = st.frozensets(st.sampled_from(rules.level_keys), max_size=len(rules.level_keys))
    ballot = st.one_of(
        st.lists(row, min_size=n_people, max_size=n_people).map(lambda rows: Ballot(tuple(rows))),
        st.just(Ballot.invalid("phiếu không hợp lệ")),
    )
    ballots = draw(st.lists(ballot, min_size=1, max_size=60))
    extra_members = draw(st.integers(0, 20))
    members = len(ballots) + extra_members if rules.base_kind == "members" else None
    return rules, [f"P{i}" for i in range(n_people)], ballots, members


@given(elections())
@settings(max_examples=300)
def test_counts_add_up_per_person(election):
    rules, labels, ballots, members = election
    result = tally_ballots(rules, labels, ballots, members=members)
    assert result.ballots.valid + result.ballots.invalid == result.ballots.collected == len(ballots)
    for person in result.people:
        assert sum(person.counts.values()) + person.row_invalid == result.ballots.valid
        assert person.invalid_total == person.row_invalid + result.ballots.invalid


@given(elections())
@settings(max_examples=300)
def test_percentages_are_the_exact_fractions_rounded_half_up(election):
    rules, labels, ballots, members = election
    result = tally_ballots(rules, labels, ballots, members=members)
    base = result.base.value
    assert base == (members if rules.base_kind == "members" else len(ballots))
    for person in result.people:
        for key in rules.level_keys:
            value = person.percent(key)
            assert value == Fraction(100 * person.counts[key], base)
            shown = hundredths(person.counts[key], base)
            # rounded half up: |shown/100 − exact| ≤ 1/200 and ties go up
            assert abs(Fraction(shown, 100) - value) <= Fraction(1, 200)
            if abs(Fraction(shown, 100) - value) == Fraction(1, 200):
                assert Fraction(shown, 100) > value


@given(st.sampled_from(BUILTIN_IDS), st.integers(1, 600), st.data())
def test_outcome_is_monotone_in_the_adverse_count(rule_id, base, data):
    rules = builtin_rule_set(rule_id)
    severity = {"none": 0, "over_half": 1, "two_thirds": 2}
    lo = data.draw(st.integers(0, base))
    hi = data.draw(st.integers(lo, base))
    step_lo = rules.outcome_for({rules.adverse_level: lo}, base)
    step_hi = rules.outcome_for({rules.adverse_level: hi}, base)
    assert severity[step_lo.key if step_lo else "none"] <= severity[step_hi.key if step_hi else "none"]


@given(st.sampled_from(BUILTIN_IDS), st.integers(1, 600), st.data())
def test_outcome_matches_the_exact_fraction(rule_id, base, data):
    """The integer comparison agrees with the exact rational comparison."""
    rules = builtin_rule_set(rule_id)
    adverse = data.draw(st.integers(0, base))
    share = Fraction(adverse, base)
    expected = "none"
    for step in reversed(rules.outcomes):  # least severe first
        t = step.threshold
        if (share >= t.fraction) if t.inclusive else (share > t.fraction):
            expected = step.key
    step = rules.outcome_for({rules.adverse_level: adverse}, base)
    assert (step.key if step else "none") == expected


@given(elections(), st.data())
@settings(max_examples=200)
def test_whole_invalid_ballot_changes_no_count_but_stays_in_base(election, data):
    rules, labels, ballots, members = election
    before = tally_ballots(rules, labels, ballots, members=(members + 1) if members else None)
    position = data.draw(st.integers(0, len(ballots)))
    with_invalid = [*ballots[:position], Ballot.invalid("gạch xoá họ tên"), *ballots[position:]]
    after = tally_ballots(rules, labels, with_invalid, members=(members + 1) if members else None)
    assert after.ballots.collected == before.ballots.collected + 1
    assert after.ballots.invalid == before.ballots.invalid + 1
    for p_before, p_after in zip(before.people, after.people, strict=True):
        assert dict(p_after.counts) == dict(p_before.counts)
        assert p_after.row_invalid == p_before.row_invalid
    if rules.base_kind == "collected":
        assert after.base.value == before.base.value + 1


@given(elections())
@settings(max_examples=100)
def test_order_of_ballots_does_not_matter(election):
    rules, labels, ballots, members = election
    forward = tally_ballots(rules, labels, ballots, members=members)
    backward = tally_ballots(rules, labels, list(reversed(ballots)), members=members)
    assert [dict(p.counts) for p in forward.people] == [dict(p.counts) for p in backward.people]


def test_exact_helper():
    assert exact(448, 481) == Fraction(44800, 481)


def test_the_percentage_examples_in_the_code_hold():
    """The docstring's examples (93,14 %, halves up) are run, so they cannot drift from the code."""
    import doctest

    from tinnhiem.rules import percent

    failed, tried = doctest.testmod(percent)
    assert tried >= 3 and failed == 0


@pytest.mark.parametrize("count, base", [(1, 0), (0, 0), (1, -3), (-1, 5)])
def test_a_percentage_of_no_base_or_a_negative_count_is_refused(count, base):
    with pytest.raises(ValueError):
        hundredths(count, base)
