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

from .rules import Ballot, BallotCounts, PersonTotals, RuleSet, TallyResult, compute_result
from .rules.errors import RulesError, TallyError, gettext_noop

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

    def place(self, translate) -> str:
        """Where in the file, in the language of ``translate``: "dòng 5, cột 3 («Lê Thị Hồng Nhung»)"."""
        where = []
        if self.row is not None:
            where.append(translate(gettext_noop("row %(row)s")) % {"row": self.row})
        if self.column is not None:
            column = translate(gettext_noop("column %(column)s")) % {"column": self.column}
            where.append(column + (f" («{self.header}»)" if self.header else ""))
        return ", ".join(where)


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


def _csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV file, a BOM taken off; the first, its header, not empty."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise BallotFileError(
            "bad_csv", gettext_noop("The file is not valid CSV (%(detail)s)."), detail=str(exc)
        ) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise BallotFileError("empty", gettext_noop("The file is empty: it needs a header line."), row=1)
    return rows


def parse_ballot_csv(text: str, rules: RuleSet) -> BallotFile:
    """Parse the ballots file; raise :class:`BallotFileError` naming the row and column."""
    rows = _csv_rows(text)
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


PERSON_COLUMN = "nguoi"
INVALID_HEADERS = (INVALID_COLUMN, "không hợp lệ", "invalid")  # a table of counts' last column, as written


@dataclass(frozen=True)
class CountsFile:
    """A table of counts as published: per person their counts per level, and their invalid
    ratings if the table gives them (``None`` otherwise)."""

    labels: tuple[str, ...]
    counts: tuple[dict[str, int], ...]
    invalid: tuple[int | None, ...]


def _level_of_header(rules: RuleSet, text: str):
    """The level a counts column is headed by: its digit ("1"), its key ("high") or its label
    ("Tín nhiệm cao", "High confidence"), in any case."""
    key = _key(text)
    return next(
        (lv for lv in rules.levels if key in (str(lv.digit), lv.key, _key(lv.label), _key(lv.label_en))),
        None,
    )


def parse_counts_csv(text: str, rules: RuleSet) -> CountsFile:
    """Parse a table of counts (``tinnhiem tally --counts``): a header ``nguoi``, one column per
    level of the rule set (headed by its digit, key or label, in any order), optionally
    ``khong_hop_le`` last (each person's invalid ratings); then one line per rated person. An
    empty count is 0. Raise :class:`BallotFileError` naming the row and column."""
    return _counts_from_rows(_csv_rows(text), rules)


def parse_counts_text(text: str, rules: RuleSet) -> CountsFile:
    """A table of counts pasted on a page: copied from Excel (cells separated by tabs) or typed with
    commas or semicolons, with the header of :func:`parse_counts_csv` or without it. Without it,
    each line is the person, then the counts in the order of the rule set's levels, then maybe
    the person's invalid ratings; rows and columns are numbered as pasted."""
    text = text.strip("\r\n ")  # not a tab: a first cell left empty
    if not text:
        raise BallotFileError("no_people", gettext_noop("The table names no rated person."), row=1)
    first = text.splitlines()[0]
    rows = _csv_rows(text, "\t" if "\t" in first else ";" if ";" in first and "," not in first else ",")
    titles = [cell.strip() for cell in rows[0][1:]]
    if _key(rows[0][0]) == PERSON_COLUMN or (
        any(titles)
        and all(not t.isdigit() and (_level_of_header(rules, t) or _key(t) in INVALID_HEADERS) for t in titles if t)
    ):  # its header, as copied with the table ("Họ và tên", "Tín nhiệm cao", …): names, not counts
        return _counts_from_rows([[PERSON_COLUMN, *rows[0][1:]], *rows[1:]], rules)
    header = [PERSON_COLUMN, *(str(lv.digit) for lv in rules.levels)]
    if len(rows[0]) == len(header) + 1:
        header.append(INVALID_COLUMN)
    for line_no, cells in enumerate(rows, start=1):
        if cells and any(cell.strip() for cell in cells) and len(cells) != len(header):
            raise BallotFileError(
                "cell_count_pasted",
                gettext_noop(
                    "This line has %(found)s cells: a line is the name, then the counts of the %(levels)s levels "
                    "(%(names)s), then maybe the invalid ratings, as the first line."
                ),
                row=line_no,
                found=len(cells),
                levels=len(rules.levels),
                names=", ".join(lv.label for lv in rules.levels),
            )
    return _counts_from_rows([header, *rows], rules, first_line=1)


def _counts_from_rows(rows: list[list[str]], rules: RuleSet, first_line: int = 2) -> CountsFile:
    """The table of counts of these rows, the first its header; the others numbered from
    ``first_line`` in messages."""
    header = [cell.strip() for cell in rows[0]]
    if _key(header[0]) != PERSON_COLUMN:
        raise BallotFileError(
            "bad_counts_header",
            gettext_noop("The first column of a table of counts must be called “nguoi”, not “%(found)s”."),
            row=1,
            column=1,
            header=header[0],
            found=header[0],
        )
    has_invalid = len(header) > 1 and _key(header[-1]) in INVALID_HEADERS
    columns: dict[str, int] = {}  # level key → column (1-based)
    for i, title in enumerate(header[1 : len(header) - has_invalid], start=2):
        level = _level_of_header(rules, title)
        if level is None:
            raise BallotFileError(
                "unknown_level_column",
                gettext_noop(
                    "Column “%(found)s” is no level of rule set %(rules)s: head each level's column with its digit "
                    "(%(digits)s) or its name."
                ),
                row=1,
                column=i,
                header=title,
                found=title,
                rules=rules.id,
                digits=", ".join(str(lv.digit) for lv in rules.levels),
            )
        if level.key in columns:
            raise BallotFileError(
                "repeated_level_column",
                gettext_noop("Column “%(found)s” is the same level as column %(other)s."),
                row=1,
                column=i,
                header=title,
                found=title,
                other=columns[level.key],
            )
        columns[level.key] = i
    missing = [lv for lv in rules.levels if lv.key not in columns]
    if missing:
        raise BallotFileError(
            "missing_level_column",
            gettext_noop("The table has no column for the level “%(level)s” (digit %(digit)s) of rule set %(rules)s."),
            row=1,
            level=missing[0].label,
            digit=missing[0].digit,
            rules=rules.id,
        )
    width = len(header)
    labels: list[str] = []
    counts: list[dict[str, int]] = []
    invalid: list[int | None] = []
    seen: dict[str, int] = {}

    def number(cells: list[str], column: int, row: int) -> int:
        cell = "".join(cells[column - 1].split())
        if not cell:
            return 0
        if not cell.isascii() or not cell.isdigit():
            raise BallotFileError(
                "not_a_count",
                gettext_noop("“%(cell)s” is not a count: write a whole number (empty = 0)."),
                row=row,
                column=column,
                header=header[column - 1],
                cell=cells[column - 1].strip(),
            )
        return int(cell)

    for line_no, cells in enumerate(rows[1:], start=first_line):
        if not cells or not any(cell.strip() for cell in cells):
            continue  # a blank line is no person
        if len(cells) != width:
            raise BallotFileError(
                "cell_count",
                gettext_noop("This line has %(found)s cells; the header has %(expected)s."),
                row=line_no,
                found=len(cells),
                expected=width,
            )
        label = unicodedata.normalize("NFC", cells[0].strip())
        if not label:
            raise BallotFileError("no_label", gettext_noop("This line names no rated person."), row=line_no, column=1)
        if _key(label) in seen:
            raise BallotFileError(
                "duplicate_person",
                gettext_noop("“%(found)s” appears twice (also line %(other)s)."),
                row=line_no,
                column=1,
                found=label,
                other=seen[_key(label)],
            )
        seen[_key(label)] = line_no
        labels.append(label)
        counts.append({key: number(cells, column, line_no) for key, column in columns.items()})
        invalid.append(number(cells, width, line_no) if has_invalid and cells[-1].strip() else None)
    if not labels:
        raise BallotFileError("no_people", gettext_noop("The file has a header but no rated person."), row=first_line)
    return CountsFile(tuple(labels), tuple(counts), tuple(invalid))


def result_from_counts(
    rules: RuleSet,
    table: CountsFile,
    *,
    collected: int | None = None,
    invalid_ballots: int = 0,
    issued: int | None = None,
    members: int | None = None,
) -> TallyResult:
    """The result of a table of counts as published: the same rule set's base and steps applied
    to each person's counts (``compute_result``), nothing invented. Ballots collected, if not
    given, are the most that one person's counts and invalid ratings add up to, with the whole
    ballots invalid; a person whose invalid ratings the table does not give has the rest of the
    valid ballots. Shared by ``tinnhiem tally --counts`` and the page that checks a result."""
    given = [sum(c.values()) + (i or 0) for c, i in zip(table.counts, table.invalid, strict=True)]
    collected = collected if collected is not None else max(given) + invalid_ballots
    valid = collected - invalid_ballots
    totals = []
    for label, counts, invalid in zip(table.labels, table.counts, table.invalid, strict=True):
        if invalid is None and sum(counts.values()) > valid:
            raise TallyError(
                "levels_over_valid",
                gettext_noop("%(person)s: the levels (%(rated)s) are more than the valid ballots (%(valid)s)."),
                person=label,
                rated=sum(counts.values()),
                valid=valid,
            )
        totals.append(PersonTotals(counts, valid - sum(counts.values()) if invalid is None else invalid))
    counts = BallotCounts(issued=collected if issued is None else issued, collected=collected, invalid=invalid_ballots)
    return compute_result(rules, table.labels, totals, counts, members=members)


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
