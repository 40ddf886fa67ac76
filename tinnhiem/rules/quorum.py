"""Decisions of the conference itself: the quorum, and approving the counting committee."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TallyError, gettext_noop
from .model import Citation, RuleSet


@dataclass(frozen=True)
class QuorumCheck:
    quorate: bool
    present: int
    convened: int
    required: int  # the smallest number present that is quorate
    citation: Citation | None


def check_quorum(rules: RuleSet, present: int, convened: int) -> QuorumCheck:
    """QĐ 96-QĐ/TW: at least 2/3 of those convened present (``present·3 ≥ 2·convened``)."""
    if convened <= 0:
        raise TallyError("no_convened", gettext_noop("The number convened must be positive."))
    if not 0 <= present <= convened:
        raise TallyError(
            "present_over_convened",
            gettext_noop("Present (%(present)s) must be between 0 and the number convened (%(convened)s)."),
            present=present,
            convened=convened,
        )
    if rules.quorum is None:
        return QuorumCheck(True, present, convened, 0, None)
    threshold = rules.quorum.threshold
    return QuorumCheck(
        threshold.reached(present, convened),
        present,
        convened,
        threshold.minimum_count(convened),
        rules.quorum.citation,
    )


@dataclass(frozen=True)
class ApprovalCheck:
    approved: bool
    votes_for: int
    required: int


def check_committee_approval(
    rules: RuleSet, votes_for: int, against: int, abstaining: int, present: int
) -> ApprovalCheck:
    """Show-of-hands approval of the counting committee: by default more than half of those present."""
    if min(votes_for, against, abstaining, present) < 0 or votes_for + against + abstaining > present:
        raise TallyError(
            "votes_over_present",
            gettext_noop("For, against and abstaining (%(total)s) cannot exceed those present (%(present)s)."),
            total=votes_for + against + abstaining,
            present=present,
        )
    if present == 0:
        return ApprovalCheck(False, votes_for, 1)
    threshold = rules.committee.approval
    return ApprovalCheck(threshold.reached(votes_for, present), votes_for, threshold.minimum_count(present))
