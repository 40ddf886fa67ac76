"""The preparation deadlines before the vote, as a checklist (QĐ 96-QĐ/TW Điều 9 bước 1).

"Trước 15 ngày" = done on or before the day 15 days before the vote. A rule set that sets 0 days
has no such deadline (a confidence vote held at the session itself): it is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .errors import gettext_noop
from .model import Citation, RuleSet

Status = Literal["done", "late", "missed", "pending"]


@dataclass(frozen=True)
class Deadline:
    key: Literal["dossiers", "questions", "explanations"]
    message: str  # English gettext id
    days_before: int
    due: date
    citation: Citation

    def status(self, done_on: date | None, today: date) -> Status:
        if done_on is not None:
            return "done" if done_on <= self.due else "late"
        return "missed" if today > self.due else "pending"


def deadlines(rules: RuleSet, vote_date: date) -> tuple[Deadline, ...]:
    d = rules.deadlines
    every = (
        Deadline(
            "dossiers",
            gettext_noop("Reports and dossiers sent to the voters"),
            d.dossiers_days_before,
            vote_date - timedelta(days=d.dossiers_days_before),
            d.citation,
        ),
        Deadline(
            "questions",
            gettext_noop("Questions and requests for explanation sent to the rated persons"),
            d.questions_days_before,
            vote_date - timedelta(days=d.questions_days_before),
            d.citation,
        ),
        Deadline(
            "explanations",
            gettext_noop("Explanations received from the rated persons"),
            d.explanations_days_before,
            vote_date - timedelta(days=d.explanations_days_before),
            d.explanations_citation,
        ),
    )
    return tuple(deadline for deadline in every if deadline.days_before > 0)
