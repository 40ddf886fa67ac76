"""The ballots file of ``tinnhiem tally``: one CSV line per collected ballot.

Format (a stable contract, see docs/cli.md): UTF-8 with or without BOM, comma-separated. Header:
``phieu``, then one column per rated person (the header text is that person's label), then
optionally ``khong_hop_le``. A cell holds the digits of the boxes marked in that row (``1``, ``2``,
``3``; for two-level rule sets ``1``, ``2``); empty = no mark; several digits = several marks.
Spaces are ignored. A non-empty ``khong_hop_le`` cell makes the whole ballot invalid with that
text as the reason, and its marks are ignored.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from .rules import Ballot, RuleSet
from .rules.errors import RulesError, gettext_noop

LABEL_COLUMN = "phieu"
INVALID_COLUMN = "khong_hop_le"


class BallotFileError(RulesError):
    """A problem at a place in the file: ``row`` is the 1-based line of the file (header = 1)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: int | None = None,
        header: str = "",
        **params: object,
    ) -> None:
        super().__init__(code, message, **params)
        self.row = row
        self.column = column
        self.header = header


@dataclass(frozen=True)
class BallotFile:
    labels: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    ballot_labels: tuple[str, ...]


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise BallotFileError("not_utf8", gettext_noop("The file is not UTF-8 text."), row=row) from exc


def parse_cell(rules: RuleSet, text: str, *, row: int, column: int, header: str) -> frozenset[str]:
    cell = "".join(text.split())
    marks: set[str] = set()
    for char in cell:
        level = rules.level_by_digit(int(char)) if char.isascii() and char.isdigit() else None
        if level is None:
            raise BallotFileError(
                "unknown_mark",
                gettext_noop(
                    "“%(cell)s” is not a mark: use only the digits %(digits)s of rule set %(rules)s (empty = no mark)."
                ),
                row=row,
                column=column,
                header=header,
                cell=text.strip(),
                digits=", ".join(str(lv.digit) for lv in rules.levels),
                rules=rules.id,
            )
        if level.key in marks:
            raise BallotFileError(
                "repeated_mark",
                gettext_noop("“%(cell)s” repeats a digit: write each marked box once."),
                row=row,
                column=column,
                header=header,
                cell=text.strip(),
            )
        marks.add(level.key)
    return frozenset(marks)


def parse_ballot_csv(text: str, rules: RuleSet) -> BallotFile:
    """Parse the ballots file; raise :class:`BallotFileError` naming the row and column."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BallotFileError(
            "bad_csv", gettext_noop("The file is not valid CSV (%(detail)s)."), detail=str(exc)
        ) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise BallotFileError("empty", gettext_noop("The file is empty: it needs a header line."), row=1)
    header = [cell.strip() for cell in rows[0]]
    if _key(header[0]) != LABEL_COLUMN:
        raise BallotFileError(
            "bad_header",
            gettext_noop("The first column must be called “phieu”, not “%(found)s”."),
            row=1,
            column=1,
            header=header[0],
            found=header[0],
        )
    has_invalid = _key(header[-1]) == INVALID_COLUMN
    people = header[1:-1] if has_invalid else header[1:]
    if not people:
        raise BallotFileError("no_people", gettext_noop("The header names no rated person."), row=1)
    seen: dict[str, int] = {}
    for i, label in enumerate(people, start=2):
        if not label:
            raise BallotFileError("empty_header", gettext_noop("A rated person's column has no name."), row=1, column=i)
        if _key(label) in (LABEL_COLUMN, INVALID_COLUMN):
            raise BallotFileError(
                "misplaced_column",
                gettext_noop("Column “%(found)s” is in the wrong place: “phieu” comes first, “khong_hop_le” last."),
                row=1,
                column=i,
                header=label,
                found=label,
            )
        if _key(label) in seen:
            raise BallotFileError(
                "duplicate_person",
                gettext_noop("“%(found)s” appears twice in the header (also column %(other)s)."),
                row=1,
                column=i,
                header=label,
                found=label,
                other=seen[_key(label)],
            )
        seen[_key(label)] = i
    width = len(header)
    ballots: list[Ballot] = []
    ballot_labels: list[str] = []
    for line_no, cells in enumerate(rows[1:], start=2):
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # a blank line is not a ballot
        if len(cells) != width:
            raise BallotFileError(
                "cell_count",
                gettext_noop("This line has %(found)s cells; the header has %(expected)s."),
                row=line_no,
                found=len(cells),
                expected=width,
            )
        ballot_labels.append(cells[0].strip())
        if has_invalid and cells[-1].strip():
            ballots.append(Ballot.invalid(unicodedata.normalize("NFC", cells[-1].strip())))
            continue
        ballots.append(
            Ballot(
                tuple(
                    parse_cell(rules, cells[col - 1], row=line_no, column=col, header=header[col - 1])
                    for col in range(2, len(people) + 2)
                )
            )
        )
    if not ballots:
        raise BallotFileError("no_ballots", gettext_noop("The file has a header but no ballot."), row=2)
    return BallotFile(tuple(people), tuple(ballots), tuple(ballot_labels))


def write_ballot_csv(rules: RuleSet, labels: list[str] | tuple[str, ...], ballots: list[Ballot]) -> str:
    """The inverse of :func:`parse_ballot_csv` (used to publish anonymous ballots for recounting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([LABEL_COLUMN, *labels, INVALID_COLUMN])
    digit = {lv.key: str(lv.digit) for lv in rules.levels}
    for ballot in ballots:
        if ballot.whole_invalid:
            writer.writerow(["", *([""] * len(labels)), ballot.invalid_reason])
        else:
            writer.writerow(["", *("".join(sorted(digit[k] for k in row)) for row in ballot.rows), ""])
    return out.getvalue()
