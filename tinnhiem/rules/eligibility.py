"""Who is not rated in a campaign (QĐ 96-QĐ/TW; NQ 96/2023/QH15; NQ 85/2014/QH13: < 9 months in office).

The office decides; the core only names the grounds that the rule set gives, with the citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import gettext_noop
from .model import Citation, RuleSet


@dataclass(frozen=True)
class ExclusionGround:
    key: str
    message: str  # English gettext id, translated at the edge
    citation: Citation


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is before start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def exclusion_grounds(
    rules: RuleSet, *, retirement_notified: bool, took_office_on: date | None, rating_date: date
) -> list[ExclusionGround]:
    """The grounds on which the rule set says this person is not rated (empty = rated)."""
    e = rules.eligibility
    grounds = []
    if e.exclude_retirement_notified and retirement_notified:
        grounds.append(ExclusionGround("retirement", gettext_noop("notified of retirement"), e.citation))
    if took_office_on is not None:
        if e.exclude_appointed_in_rating_year and took_office_on.year == rating_date.year:
            grounds.append(
                ExclusionGround(
                    "appointed_this_year", gettext_noop("elected or appointed in the rating year"), e.citation
                )
            )
        elif e.min_months_in_office and months_between(took_office_on, rating_date) < e.min_months_in_office:
            grounds.append(
                ExclusionGround("too_recent", gettext_noop("in office for less than the required months"), e.citation)
            )
    return grounds
