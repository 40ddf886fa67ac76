"""A ballot as the counting committee reads it, and how a row becomes a rating.

QĐ 96-QĐ/TW Điều 6 k3: for a listed person, no box or two or three boxes marked is not a valid
rating. Published results show this voids only that person's row; the ballot stays in the base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import TallyError, gettext_noop
from .model import RuleSet

RowProblem = Literal["no_mark", "several_marks"]


@dataclass(frozen=True)
class Ballot:
    """One collected ballot.

    ``rows[i]`` holds the level keys marked for person ``i``. When ``invalid_reason`` is set the
    whole ballot is invalid: its marks are ignored, but it is still a collected ballot and so
    stays in the percentage base.
    """

    rows: tuple[frozenset[str], ...] = ()
    invalid_reason: str | None = None

    @property
    def whole_invalid(self) -> bool:
        return self.invalid_reason is not None

    @classmethod
    def marked(cls, *rows: str | set[str] | frozenset[str] | None) -> Ballot:
        """Convenience: ``Ballot.marked("high", None, {"high", "low"})``."""
        out = []
        for row in rows:
            if row is None:
                out.append(frozenset())
            elif isinstance(row, str):
                out.append(frozenset({row}))
            else:
                out.append(frozenset(row))
        return cls(tuple(out))

    @classmethod
    def invalid(cls, reason: str) -> Ballot:
        if not reason.strip():
            raise ValueError("an invalid ballot needs a reason")
        return cls((), reason)


def read_row(rules: RuleSet, marks: frozenset[str]) -> tuple[str | None, RowProblem | None]:
    """The level a row gives, or ``(None, problem)`` when the row is invalid."""
    unknown = marks - set(rules.level_keys)
    if unknown:
        raise TallyError(
            "unknown_level",
            gettext_noop("Level “%(level)s” is not a level of rule set %(rules)s."),
            level=sorted(unknown)[0],
            rules=rules.id,
        )
    if not marks:
        return None, "no_mark"
    if len(marks) > 1:
        return None, "several_marks"
    (level,) = marks
    return level, None
