"""Every published table in tests/data/published-results.csv reproduced from its counts.

The file is a copy of real published results (sources in its first column): QH 06/2013 under
NQ 35/2012 (base = 498 deputies) and HĐND Vĩnh Phúc 12/2023 under NQ 96/2023 (base = 47
ballots collected, one row-invalid rating). An empty count is 0; an empty percentage was not
published. Ballots are synthesised to match the counts, then tallied by the core.
"""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tinnhiem.rules import Ballot, builtin_rule_set, tally_ballots

DATA = Path(__file__).parent.parent / "data" / "published-results.csv"


def load_votes():
    votes: dict[str, list[dict]] = {}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            votes.setdefault(row["vote_name"], []).append(row)
    return votes


VOTES = load_votes()


def rule_id_for(vote_name: str) -> str:
    if "NQ 35/2012" in vote_name:
        return "nq35-2012"
    if "NQ 96/2023" in vote_name:
        return "nq96-2023"
    raise AssertionError(vote_name)


def synthesise(rows, rules, collected):
    """Ballots whose per-person counts equal the published ones; missing ratings are row-invalid."""
    ballots = [[frozenset()] * len(rows) for _ in range(collected)]
    for i, row in enumerate(rows):
        n = 0
        for key in rules.level_keys:
            for _ in range(int(row[key] or 0)):
                ballots[n][i] = frozenset({key})
                n += 1
    return [Ballot(tuple(b)) for b in ballots]


@pytest.mark.parametrize("vote_name", sorted(VOTES))
def test_published_vote_reproduced(vote_name):
    rows = VOTES[vote_name]
    rules = builtin_rule_set(rule_id_for(vote_name))
    base = int(rows[0]["total_base"])
    sums = [sum(int(r[k] or 0) for k in rules.level_keys) for r in rows]
    if rules.base_kind == "collected":
        collected, members = base, None
    else:
        collected, members = max(sums), base  # ballots per person is not published; the base is the deputies
    result = tally_ballots(rules, [r["person"] for r in rows], synthesise(rows, rules, collected), members=members)
    assert result.base.value == base
    for row, person in zip(rows, result.people, strict=True):
        for key in rules.level_keys:
            assert person.counts[key] == int(row[key] or 0)
            published = row[f"published_pct_{key}"]
            if published:
                assert Decimal(person.percent_hundredths(key)) / 100 == Decimal(published), (row["person"], key)


def test_vinh_phuc_2023_one_person_over_half_below_two_thirds():
    rows = VOTES[next(v for v in VOTES if "Vĩnh Phúc" in v)]
    rules = builtin_rule_set("nq96-2023")
    result = tally_ballots(rules, [r["person"] for r in rows], synthesise(rows, rules, 47))
    outcomes = {p.label: p.outcome_key for p in result.people}
    assert outcomes.pop("Lê Duy Thành") == "over_half"  # 25/47 = 53,19%
    assert set(outcomes.values()) == {"none"}
    le = next(p for p in result.people if p.label == "Lê Duy Thành")
    assert le.row_invalid == 1 and le.rated == 46
    assert "Điều 12" in le.consequence


def test_qh_2013_nobody_reaches_a_step():
    rows = VOTES[next(v for v in VOTES if "2013" in v)]
    rules = builtin_rule_set("nq35-2012")
    collected = max(sum(int(r[k] or 0) for k in rules.level_keys) for r in rows)
    result = tally_ballots(rules, [r["person"] for r in rows], synthesise(rows, rules, collected), members=498)
    assert {p.outcome_key for p in result.people} == {"none"}
    sang = result.people[0]
    assert (sang.percent_hundredths("high"), sang.percent_hundredths("confidence"), sang.percent_hundredths("low")) == (
        6627,
        2671,
        562,
    )
