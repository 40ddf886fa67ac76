"""The rule-set model: what a regulation says about levels, base, validity, quorum and outcomes.

Pure data, frozen. Every decision carries the article it comes from (:class:`Citation`).
All thresholds are exact fractions compared on whole counts; nothing here rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

BaseKind = Literal["collected", "members"]
Procedure = Literal["rating", "vote"]
System = Literal["party", "state"]
Grade = Literal["V", "S", "U"]
NameHandling = Literal["whole_ballot", "row", "ignore_and_flag"]


@dataclass(frozen=True)
class Citation:
    """Where a decision comes from, and how sure we are of the wording.

    ``grade``: V = quoted from a page reproducing the article, S = secondary source,
    U = unverified (see docs/rules.md).
    """

    text: str
    grade: Grade = "V"
    text_en: str = ""  # its English, for a page read in English (tinnhiem.rules.english); "" for an article alone

    def __str__(self) -> str:
        return self.text

    @property
    def source(self) -> str:
        """The text and article alone, without what follows them: ``Quy định 96-QĐ/TW: không lấy
        phiếu …`` → ``Quy định 96-QĐ/TW``; ``…, Điều 11 khoản 2 (…)`` → ``…, Điều 11 khoản 2``."""
        return self.text.split(" (", 1)[0].split(": ", 1)[0]


@dataclass(frozen=True)
class Level:
    """One box on the ballot, e.g. ``high`` = "Tín nhiệm cao"; ``digit`` is its key in files."""

    key: str
    digit: int
    label: str
    label_en: str


@dataclass(frozen=True)
class Threshold:
    """``count / base`` compared with ``fraction``: ``>=`` when inclusive ("từ … trở lên"),
    ``>`` otherwise ("quá nửa", "trên")."""

    fraction: Fraction
    inclusive: bool

    def reached(self, count: int, base: int) -> bool:
        """Integer comparison only: ``count·den ≥ num·base`` or ``count·den > num·base``."""
        if base <= 0:
            raise ValueError("base must be positive")
        lhs = count * self.fraction.denominator
        rhs = self.fraction.numerator * base
        return lhs >= rhs if self.inclusive else lhs > rhs

    def minimum_count(self, base: int) -> int:
        """The smallest whole count that reaches the threshold on ``base``."""
        num, den = self.fraction.numerator, self.fraction.denominator
        if self.inclusive:
            return -(-num * base // den)  # ceil
        return num * base // den + 1

    def describe(self) -> str:
        sign = "≥" if self.inclusive else ">"
        return f"{sign} {self.fraction.numerator}/{self.fraction.denominator}"


@dataclass(frozen=True)
class OutcomeStep:
    """A legal consequence triggered when the adverse level reaches a threshold."""

    key: Literal["over_half", "two_thirds"]
    level: str
    threshold: Threshold
    consequence: str
    consequence_en: str
    citation: Citation
    # a confidence vote (bỏ phiếu tín nhiệm) follows unless the person resigns: the rule set names
    # the rule set of that vote in ``follow_up`` (NQ 96/2023 Điều 12 khoản 1)
    leads_to_vote: bool = False

    def text(self) -> str:
        """The consequence with its article, as printed in results and minutes."""
        return consequence_text(self.consequence, self.citation.text)


def consequence_text(consequence: str, citation: str) -> str:
    """A consequence followed by its article, in one sentence: ``OutcomeStep.text``."""
    return f"{consequence} ({citation})."


def consequence_alone(text: str, citation: str) -> str:
    """The consequence of a stored result's text (``OutcomeStep.text``), without its article: for a
    table that shows the article in a column or a line of its own. A text written otherwise is
    returned whole."""
    suffix = consequence_text("", citation)
    return text.removesuffix(suffix) if citation and text.endswith(suffix) else text


@dataclass(frozen=True)
class WholeBallotReason:
    key: str
    label: str
    label_en: str


@dataclass(frozen=True)
class ValidityRules:
    row_invalid_citation: Citation
    whole_ballot_reasons: tuple[WholeBallotReason, ...]
    whole_ballot_citation: Citation
    crossed_out_name: NameHandling
    written_in_name: NameHandling
    signature_invalidates: bool
    signature_citation: Citation


@dataclass(frozen=True)
class QuorumRule:
    threshold: Threshold
    citation: Citation


@dataclass(frozen=True)
class CommitteeRules:
    min_members: int
    min_members_by_level: dict[str, int] = field(default_factory=dict, hash=False)
    approval: Threshold = Threshold(Fraction(1, 2), inclusive=False)
    citation: Citation = Citation("", "U")

    def minimum_for(self, level: str | None) -> int:
        if level and level in self.min_members_by_level:
            return self.min_members_by_level[level]
        return self.min_members


@dataclass(frozen=True)
class EligibilityRules:
    """Who is not rated (QĐ 96: notified of retirement, or elected/appointed in the rating year)."""

    exclude_retirement_notified: bool
    exclude_appointed_in_rating_year: bool
    min_months_in_office: int
    citation: Citation


@dataclass(frozen=True)
class DeadlineRules:
    """Days before the vote (QĐ 96 Điều 9 bước 1: dossiers 15, questions 10; explanations 3)."""

    dossiers_days_before: int
    questions_days_before: int
    explanations_days_before: int
    citation: Citation
    explanations_citation: Citation


RatedAsVoter = Literal["warn", "allow", "forbid"]


# The levels of a body, as the keys of ``committee.min_members_by_level`` and ``held_by.body_levels``
# write them (the words of conferences.models.Body.Level).
BODY_LEVELS = ("central", "province", "district", "commune")


@dataclass(frozen=True)
class HeldBy:
    """The bodies, by level, that hold this procedure, set only where the regulation lists them.
    NQ 96/2023 Điều 2: the National Assembly (khoản 1) and People's Councils at province and
    district level (khoản 2) rate; a commune-level People's Council is not among them."""

    body_levels: tuple[str, ...]
    citation: Citation

    def allows(self, body_level: str) -> bool:
        return body_level in self.body_levels


@dataclass(frozen=True)
class PlacesRule:
    """A person rated in several places. QĐ 96 Điều 1 khoản 3: at most ``maximum`` (2) places;
    Điều 11 khoản 4: the managing authority weighs each place's result as a whole, so results of
    different places are shown side by side and never added up."""

    maximum: int
    citation: Citation
    overall_citation: Citation

    def exceeded(self, places: int) -> bool:
        return places > self.maximum


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    name_en: str
    short_name: str
    procedure: Procedure
    system: System
    in_force: bool
    levels: tuple[Level, ...]
    adverse_level: str
    base_kind: BaseKind
    base_citation: Citation
    validity: ValidityRules
    quorum: QuorumRule | None
    committee: CommitteeRules
    retention_months: int
    retention_citation: Citation
    outcomes: tuple[OutcomeStep, ...]  # most severe first
    eligibility: EligibilityRules
    deadlines: DeadlineRules
    rated_person_as_voter: RatedAsVoter
    places: PlacesRule | None = None  # only where a regulation says so
    follow_up: str | None = None  # the rule set of the confidence vote a ``leads_to_vote`` step calls for
    held_by: HeldBy | None = None  # only where a regulation lists the bodies

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(level.key for level in self.levels)

    def level(self, key: str) -> Level:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)

    def level_by_digit(self, digit: int) -> Level | None:
        for level in self.levels:
            if level.digit == digit:
                return level
        return None

    def outcome_for(self, counts: dict[str, int], base: int) -> OutcomeStep | None:
        """The most severe step reached, or None ("exactly 50% triggers nothing")."""
        for step in self.outcomes:
            if step.threshold.reached(counts.get(step.level, 0), base):
                return step
        return None
