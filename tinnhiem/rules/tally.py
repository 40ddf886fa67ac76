"""The tally: from ballots (or hand-counted totals) to what the counting committee announces.

One path only: :func:`tally_ballots` sums ballots into :class:`PersonTotals` and hands them to
:func:`compute_result`, which is also what hand-counted totals go through. Every figure that
decides is an integer; percentages are exact fractions, formatted only at the edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from .ballots import Ballot, read_row
from .errors import TallyError, gettext_noop
from .model import Citation, OutcomeStep, RuleSet
from .percent import exact, hundredths


@dataclass(frozen=True)
class PersonTotals:
    """Counted ratings of one person: per level, plus rows that were invalid (no or several marks)."""

    counts: Mapping[str, int]
    row_invalid: int = 0

    @property
    def rated(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class BallotCounts:
    """Ballot-level counts. ``invalid`` = whole-ballot invalid; they remain "collected"."""

    issued: int
    collected: int
    invalid: int = 0

    @property
    def valid(self) -> int:
        return self.collected - self.invalid


@dataclass(frozen=True)
class Base:
    kind: str  # "collected" | "members"
    value: int
    citation: Citation


@dataclass(frozen=True)
class PersonResult:
    label: str
    counts: Mapping[str, int]  # per level key
    row_invalid: int  # no box or several boxes marked for this person
    valid_ballots: int  # ballots that were not whole-ballot invalid
    whole_invalid: int  # whole-ballot invalid: no rating of anyone, still in the base
    base: int
    outcome: OutcomeStep | None

    @property
    def invalid_total(self) -> int:
        """Collected ballots that give no rating of this person (per-person "không hợp lệ")."""
        return self.row_invalid + self.whole_invalid

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    def percent(self, level: str) -> Fraction:
        """Exact percentage of ``level`` over the base."""
        return exact(self.counts[level], self.base)

    def percent_hundredths(self, level: str) -> int:
        return hundredths(self.counts[level], self.base)

    @property
    def outcome_key(self) -> str:
        return self.outcome.key if self.outcome else "none"

    @property
    def consequence(self) -> str:
        return self.outcome.text() if self.outcome else ""


@dataclass(frozen=True)
class TallyResult:
    rules: RuleSet
    ballots: BallotCounts
    base: Base
    people: tuple[PersonResult, ...]
    members: int | None = None


def _check_ballot_counts(counts: BallotCounts) -> None:
    if min(counts.issued, counts.collected, counts.invalid) < 0:
        raise TallyError("negative", gettext_noop("Counts cannot be negative."))
    if counts.collected == 0:
        raise TallyError("no_ballots", gettext_noop("No ballots were collected: there is nothing to count."))
    if counts.issued < counts.collected:
        raise TallyError(
            "issued_below_collected",
            gettext_noop("Ballots issued (%(issued)s) cannot be fewer than ballots collected (%(collected)s)."),
            issued=counts.issued,
            collected=counts.collected,
        )
    if counts.invalid > counts.collected:
        raise TallyError(
            "invalid_over_collected",
            gettext_noop("Invalid ballots (%(invalid)s) cannot exceed ballots collected (%(collected)s)."),
            invalid=counts.invalid,
            collected=counts.collected,
        )


def _base(rules: RuleSet, counts: BallotCounts, members: int | None) -> Base:
    if rules.base_kind == "collected":
        return Base("collected", counts.collected, rules.base_citation)
    if members is None:
        raise TallyError(
            "members_missing",
            gettext_noop("Rule set %(rules)s counts percentages over the total number of members: give that number."),
            rules=rules.id,
        )
    if members < counts.collected:
        raise TallyError(
            "members_below_collected",
            gettext_noop("The number of members (%(members)s) cannot be fewer than ballots collected (%(collected)s)."),
            members=members,
            collected=counts.collected,
        )
    return Base("members", members, rules.base_citation)


def compute_result(
    rules: RuleSet,
    labels: Sequence[str],
    totals: Sequence[PersonTotals],
    counts: BallotCounts,
    *,
    members: int | None = None,
) -> TallyResult:
    """Check that the totals reconcile, then apply the rule set's base and outcome steps.

    Reconciliation: for each person, levels + row-invalid = valid ballots; valid + invalid = collected.
    """
    _check_ballot_counts(counts)
    if len(labels) != len(totals):
        raise TallyError("people_mismatch", gettext_noop("Each rated person needs exactly one set of totals."))
    if not labels:
        raise TallyError("no_people", gettext_noop("There is no rated person to count."))
    base = _base(rules, counts, members)
    keys = rules.level_keys
    people = []
    for label, person in zip(labels, totals, strict=True):
        unknown = set(person.counts) - set(keys)
        if unknown:
            raise TallyError(
                "unknown_level",
                gettext_noop("Level “%(level)s” is not a level of rule set %(rules)s."),
                level=sorted(unknown)[0],
                rules=rules.id,
            )
        person_counts = {key: int(person.counts.get(key, 0)) for key in keys}
        if min(person_counts.values()) < 0 or person.row_invalid < 0:
            raise TallyError("negative", gettext_noop("Counts cannot be negative."))
        if sum(person_counts.values()) + person.row_invalid != counts.valid:
            raise TallyError(
                "person_not_reconciled",
                gettext_noop(
                    "%(person)s: the levels (%(rated)s) plus invalid ratings (%(row_invalid)s) must equal "
                    "the valid ballots (%(valid)s)."
                ),
                person=label,
                rated=sum(person_counts.values()),
                row_invalid=person.row_invalid,
                valid=counts.valid,
            )
        people.append(
            PersonResult(
                label=label,
                counts=MappingProxyType(person_counts),
                row_invalid=person.row_invalid,
                valid_ballots=counts.valid,
                whole_invalid=counts.invalid,
                base=base.value,
                outcome=rules.outcome_for(person_counts, base.value),
            )
        )
    return TallyResult(rules=rules, ballots=counts, base=base, people=tuple(people), members=members)


def sum_ballots(rules: RuleSet, n_people: int, ballots: Iterable[Ballot]) -> tuple[list[PersonTotals], int, int]:
    """Per-person totals, number collected, number whole-ballot invalid."""
    keys = rules.level_keys
    counts = [dict.fromkeys(keys, 0) for _ in range(n_people)]
    row_invalid = [0] * n_people
    collected = invalid = 0
    for ballot in ballots:
        collected += 1
        if ballot.whole_invalid:
            invalid += 1
            continue
        if len(ballot.rows) != n_people:
            raise TallyError(
                "row_count",
                gettext_noop("Ballot %(number)s has %(rows)s rows but there are %(people)s rated persons."),
                number=collected,
                rows=len(ballot.rows),
                people=n_people,
            )
        for i, marks in enumerate(ballot.rows):
            level, _problem = read_row(rules, marks)
            if level is None:
                row_invalid[i] += 1
            else:
                counts[i][level] += 1
    totals = [PersonTotals(MappingProxyType(c), r) for c, r in zip(counts, row_invalid, strict=True)]
    return totals, collected, invalid


def tally_ballots(
    rules: RuleSet,
    labels: Sequence[str],
    ballots: Iterable[Ballot],
    *,
    issued: int | None = None,
    members: int | None = None,
) -> TallyResult:
    """Tally collected ballots. ``issued`` defaults to the number of ballots collected."""
    totals, collected, invalid = sum_ballots(rules, len(labels), ballots)
    counts = BallotCounts(issued=collected if issued is None else issued, collected=collected, invalid=invalid)
    return compute_result(rules, labels, totals, counts, members=members)
