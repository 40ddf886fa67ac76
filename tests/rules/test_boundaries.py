"""Boundary cases of every rule set: exactly 1/2, one more; one under 2/3, exactly 2/3.

Counts are chosen so that the percentages are exact (base divisible by 6), and the same
boundaries are also checked on a base where 1/2 and 2/3 fall between whole counts.
"""

import pytest

from tinnhiem.rules import BUILTIN_IDS, Ballot, builtin_rule_set, tally_ballots
from tinnhiem.rules.tally import BallotCounts, PersonTotals, compute_result


def outcome(rule_id: str, adverse: int, base: int, *, members_extra: int = 0) -> str:
    """Outcome for one person with ``adverse`` adverse ratings on ``base`` (collected or members)."""
    rules = builtin_rule_set(rule_id)
    favourable = rules.level_keys[0]
    if rules.base_kind == "members":
        collected = base - members_extra
        members = base
    else:
        collected, members = base, None
    totals = PersonTotals({rules.adverse_level: adverse, favourable: collected - adverse})
    result = compute_result(rules, ["A"], [totals], BallotCounts(collected, collected), members=members)
    return result.people[0].outcome_key


# rule set → outcome at: exactly half, half + 1, two thirds − 1, exactly two thirds, two thirds + 1
EXPECTED = {
    "qd96-2023": ("none", "over_half", "over_half", "two_thirds", "two_thirds"),
    "nq96-2023": ("none", "over_half", "over_half", "two_thirds", "two_thirds"),
    "nq85-2014": ("none", "over_half", "over_half", "two_thirds", "two_thirds"),
    # NQ 35/2012: "trên 2/3" is strict, so exactly 2/3 is only "over half"
    "nq35-2012": ("none", "over_half", "over_half", "over_half", "two_thirds"),
    # QĐ 262/2014 and the bỏ phiếu vote have no two-thirds step
    "qd262-2014": ("none", "over_half", "over_half", "over_half", "over_half"),
    "nq96-2023-bo-phieu": ("none", "over_half", "over_half", "over_half", "over_half"),
}


def test_every_builtin_rule_set_has_boundaries():
    assert set(EXPECTED) == set(BUILTIN_IDS)


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
@pytest.mark.parametrize("base", [12, 180, 498])
def test_boundaries_exact(rule_id, base):
    assert base % 6 == 0
    half, two_thirds = base // 2, 2 * base // 3
    got = tuple(outcome(rule_id, n, base) for n in (half, half + 1, two_thirds - 1, two_thirds, two_thirds + 1))
    assert got == EXPECTED[rule_id]


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
def test_boundaries_on_odd_base(rule_id):
    """Base 179 (the worked example in the research notes): k2 from 90 low, k3 from 120 low."""
    got = {n: outcome(rule_id, n, 179) for n in (89, 90, 119, 120)}
    assert got[89] == "none"
    assert got[90] == "over_half"
    assert got[119] == "over_half"
    # 120/179 > 2/3 (119.33…), so strict and inclusive steps agree here
    has_two_thirds_step = any(step.key == "two_thirds" for step in builtin_rule_set(rule_id).outcomes)
    assert got[120] == ("two_thirds" if has_two_thirds_step else "over_half")


def test_exactly_two_thirds_nq35_is_not_yet_the_step_but_one_more_is():
    assert outcome("nq35-2012", 332, 498) == "over_half"  # 332/498 = 2/3 exactly
    assert outcome("nq35-2012", 333, 498) == "two_thirds"


def test_members_base_uses_members_not_collected():
    # 250 low of 491 collected is over half of the ballots but not of the 498 deputies.
    assert outcome("nq85-2014", 249, 498, members_extra=7) == "none"
    assert outcome("nq85-2014", 250, 498, members_extra=7) == "over_half"
    # the same counts over ballots collected under NQ 96/2023 would be over half already
    assert outcome("nq96-2023", 246, 491) == "over_half"


def test_row_invalid_ballot_stays_in_base_and_can_block_a_majority():
    """90 low of 180 collected is exactly half even though only 179 rows were valid."""
    rules = builtin_rule_set("qd96-2023")
    ballots = [Ballot.marked("low")] * 90 + [Ballot.marked("high")] * 89 + [Ballot.marked(None)]
    result = tally_ballots(rules, ["A"], ballots)
    person = result.people[0]
    assert result.base.value == 180
    assert person.row_invalid == 1
    assert person.outcome_key == "none"


def test_whole_invalid_ballot_stays_in_base():
    rules = builtin_rule_set("qd96-2023")
    ballots = (
        [Ballot.marked("low")] * 91 + [Ballot.marked("high")] * 88 + [Ballot.invalid("không do Ban kiểm phiếu phát ra")]
    )
    result = tally_ballots(rules, ["A"], ballots)
    assert result.ballots.invalid == 1
    assert result.base.value == 180
    assert result.people[0].outcome_key == "over_half"  # 91·2 = 182 > 180
    assert result.people[0].invalid_total == 1
    assert result.people[0].row_invalid == 0


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
def test_a_threshold_over_no_base_is_refused_rather_than_reached(rule_id):
    """0 of 0 would otherwise reach "2/3 or more": no consequence is ever drawn from an empty base."""
    for step in builtin_rule_set(rule_id).outcomes:
        with pytest.raises(ValueError):
            step.threshold.reached(0, 0)
