"""Reading and writing lists of persons as Excel (.xlsx) or CSV, and reading them from a table in
a Word document (.docx): the voter roll, and the list of rated persons.

Reading checks everything before anything is saved: one bad row rejects the whole file with the
row number, the column and the reason in Vietnamese.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem import legacy_fonts
from tinnhiem.files import megabytes
from tinnhiem.text import (
    FIRST_YEAR,
    LAST_YEAR,
    clean_line,
    may_be_addressed,
    parse_day,
    plausible_day,
    strip_marks,
    without_address,
)


@dataclass(frozen=True)
class Column:
    key: str
    title: object  # lazy translation: the header printed in the template
    required: bool
    aliases: tuple[str, ...]
    max_length: int = 255
    kind: str = "text"  # "text", "date" (a day) or "yes" (x / Có, or empty)


# Headers as offices write them (without diacritics, lower case). "Chức vụ, đơn vị công tác" in
# one column is common: it is read as the post, whole.
COLUMNS = (
    Column("order", gettext_lazy("No."), False, ("stt", "so thu tu", "so tt", "tt", "no.", "no")),
    Column("full_name", gettext_lazy("Full name"), True, ("ho va ten", "ho ten", "ho, ten", "full name", "name")),
    Column(
        "post",
        gettext_lazy("Post"),
        True,
        (
            "chuc vu",
            "chuc danh",
            "chuc vu, chuc danh",
            "chuc vu, don vi",
            "chuc vu, don vi cong tac",
            "chuc vu - don vi cong tac",
            "chuc vu va don vi cong tac",
            "post",
            "position",
        ),
    ),
    Column(
        "unit",
        gettext_lazy("Unit"),
        False,
        ("don vi", "don vi cong tac", "co quan", "co quan, don vi", "co quan cong tac", "noi cong tac", "unit"),
    ),
    Column(
        "phone",
        gettext_lazy("Phone"),
        False,
        ("dien thoai", "so dien thoai", "sdt", "so dt", "dt", "dien thoai di dong", "di dong", "phone"),
        32,
    ),
    Column("email", gettext_lazy("Email"), False, ("email", "e-mail", "thu dien tu", "dia chi email")),
    Column("note", gettext_lazy("Note"), False, ("ghi chu", "note")),
)

# The list of rated persons: the post as the ballot prints it, and what the rule set needs to name
# the grounds for not rating a person (QĐ 96, NQ 96: newly elected or appointed, retiring).
RATED_COLUMNS = (
    *(c for c in COLUMNS if c.key in ("order", "full_name", "post")),
    Column(
        "group",
        gettext_lazy("Ballot group"),
        False,
        ("nhom", "nhom phieu", "nhom tren phieu", "nhom chuc danh", "ballot group", "group"),
    ),
    Column(
        "took_office_on",
        gettext_lazy("Elected or appointed on"),
        False,
        (
            "ngay bau, bo nhiem",
            "ngay bau bo nhiem",
            "ngay bau/bo nhiem",
            "ngay bau",
            "ngay bo nhiem",
            "ngay duoc bau, bo nhiem",
            "ngay duoc bau",
            "ngay duoc bo nhiem",
            "elected or appointed on",
        ),
        kind="date",
    ),
    Column(
        "retirement_notified",
        gettext_lazy("Notified of retirement"),
        False,
        (
            "da co thong bao nghi cong tac cho nghi huu",
            "da co thong bao nghi huu",
            "thong bao nghi huu",
            "nghi huu",
            "cho nghi huu",
            "notified of retirement",
        ),
        kind="yes",
    ),
    # the office's own note: kept and shown beside the person, it decides nothing
    *(c for c in COLUMNS if c.key == "note"),
)

_YES = {"x", "co", "da co", "1", "yes", "true"}
_NO = {"", "khong", "chua", "0", "no", "false"}


class RosterRows(list):
    """The persons of a list file, in its order; ``headings``: the rows passed over as headings of
    a group or a total (row number, text), for the office to see what was not read as a person;
    ``unused``: the headers of the columns left out (``UNUSED_HEADERS``); ``captions``: in a Word
    document made one table a group, the numbered heading just above a table ("II. ỦY BAN NHÂN
    DÂN"), with the number of the table's first row."""

    headings: list[tuple[int, str]]
    unused: list[str]
    captions: list[tuple[int, str]]

    def __init__(self, rows=(), headings: list[tuple[int, str]] | None = None, unused: list[str] | None = None) -> None:
        super().__init__(rows)
        self.headings = headings or []
        self.unused = unused or []
        self.captions = []

    @property
    def addressed(self) -> int:
        """How many names were written after "Đ/c" or "Đồng chí", taken out."""
        return sum(row.address_removed for row in self)

    @property
    def unclear(self) -> list[tuple[int, str]]:
        """(row, name) of the names beginning with Ông, Bà or ĐỒNG CHÍ, for the office to say which it is."""
        return [(row.row, row.full_name) for row in self if row.address_unclear]


# "I. ", "2) ", "A - ", "III – " before the words of a heading
_ENUMERATOR = re.compile(r"^\s*(?:[IVXLC]+|[0-9]+|[A-Za-z])\s*[.)\-–—:]\s*")
# a row that totals the list, not a group: "Tổng cộng: 12 người", "Cộng", "Tổng số"
_TOTAL = re.compile(r"^(tong|cong)\b")


def heading_group(text: str) -> str:
    """The ballot group a heading of a list of rated persons names ("I. THƯỜNG TRỰC HĐND TỈNH":
    "THƯỜNG TRỰC HĐND TỈNH"), or "" for a total."""
    words = clean_line(_ENUMERATOR.sub("", text, count=1))
    return "" if _TOTAL.match(strip_marks(words)) else words


def _word_captions(document: Any) -> list[str]:
    """For each table of a Word document, in order, the paragraph just above it when that is a
    numbered heading ("I. THƯỜNG TRỰC HĐND", not the document's title or a "(Kèm theo …)"), or ""."""
    from docx.oxml.ns import qn

    captions, last = [], ""
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = clean_line("".join(node.text or "" for node in child.iter(qn("w:t"))))
            if text:
                last = text
        elif child.tag == qn("w:tbl"):
            numbered = _ENUMERATOR.match(last) and len(last) <= 120 and not legacy_fonts.looks_legacy(last)
            captions.append(last if numbered else "")
            last = ""
    return captions


class RosterError(Exception):
    """A problem that rejects the whole file; ``row`` is the row of the sheet (1-based)."""

    def __init__(
        self, message: str, *, row: int | None = None, column: str | None = None, sheet: str | None = None
    ) -> None:
        self.row = row
        self.column = column
        self.sheet = sheet  # named when the list was not on a workbook's first sheet
        self.reason = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return (", ".join(where) + ": " if where else "") + self.reason


@dataclass(frozen=True)
class RosterRow:
    row: int  # the row number in the file, for messages
    order: int | None
    full_name: str
    post: str
    unit: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""
    group: str = ""
    took_office_on: date | None = None
    retirement_notified: bool = False
    converted: bool = False  # typed in a TCVN3 font (.VnTime): converted to Unicode on reading
    address_removed: bool = False  # the name was written after "Đ/c" or "Đồng chí", taken out
    address_unclear: bool = False  # begins with Ông, Bà or ĐỒNG CHÍ (text.may_be_addressed): address, or family name?


def _header_key(text: str) -> str:
    return strip_marks(text).strip(" :*")


def _find_column(columns: tuple[Column, ...], key: str) -> Column | None:
    return next((c for c in columns if key in c.aliases or key == _header_key(str(c.title))), None)


_FULL_NAME = next(c for c in COLUMNS if c.key == "full_name")
_POST = next(c for c in COLUMNS if c.key == "post")
# The name and the post in one column, as lists for an invitation or a signature write them:
# "Nguyễn Văn An" and "Phó Chủ tịch UBND" on two lines of the cell, or "Đ/c Nguyễn Văn An - Phó Chủ
# tịch UBND"; read as the two columns of the template. Not a column of the template.
NAME_AND_POST = Column(
    "name_and_post",
    gettext_lazy("Full name and post"),
    False,
    (
        "ho va ten, chuc vu",
        "ho ten, chuc vu",
        "ho va ten - chuc vu",
        "ho ten - chuc vu",
        "ho va ten chuc vu",
        "ho ten chuc vu",
        "ho va ten, chuc danh",
        "ho ten, chuc danh",
        "ho va ten, chuc vu, don vi",
        "ho va ten, chuc vu, don vi cong tac",
        "ho ten, chuc vu, don vi cong tac",
        "full name and post",
    ),
    max_length=_FULL_NAME.max_length + _POST.max_length + 3,
)
_NAME_POST_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*,\s*")  # " - ", " – ", ", ": the first one


def _name_and_post(raw: object, number: int) -> tuple[str, str]:
    """The full name and the post of a cell that holds both (``NAME_AND_POST``): on its first line
    and the next ones, or before and after the first " - " or ", " (a name has neither), or the
    post in brackets after the name."""
    lines = [clean_line(_unguarded(line)) for line in str(raw).splitlines()]
    lines = [line for line in lines if line]
    if len(lines) >= 2:
        name, post = lines[0], " ".join(lines[1:])
    else:
        text = lines[0] if lines else ""
        inside = re.fullmatch(r"([^()]+?)\s*\((.+)\)", text)  # "Nguyễn Văn An (Phó Chủ tịch UBND)"
        parts = [inside[1], inside[2]] if inside else _NAME_POST_SEPARATOR.split(text, maxsplit=1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise RosterError(
                _(
                    "the name cannot be told from the post in “%(text)s”: write the post on the next line of the "
                    "cell (Alt+Enter), or after “ - ”, or put the name and the post in two columns “Họ và tên” and "
                    "“Chức vụ”."
                )
                % {"text": text},
                row=number,
                column=str(NAME_AND_POST.title),
            )
        name, post = parts
    for value, column in ((name, _FULL_NAME), (post, _POST)):
        if len(value) > column.max_length:
            raise RosterError(
                _("the text is longer than %(max)s characters.") % {"max": column.max_length},
                row=number,
                column=str(column.title),
            )
    return name, post


# a row's number as lists write it: 12, or typed "12." or "12)" in a Word list, or 12.0 as a
# program wrote the number of a spreadsheet; at most 9 digits, to fit a database integer
ROW_NUMBER = re.compile(r"([0-9]{1,9})(?:\.0|[.)])?")

# A name in two columns, each with its header, as staff-management software exports it: the family
# and middle names, then the given name. Read together as the full name; not columns of the template.
NAME_PARTS = (
    Column(
        "family_name",
        gettext_lazy("Family and middle names"),
        False,
        ("ho", "ho dem", "ho va ten dem", "ho va chu dem", "ho, ten dem", "ho ten dem", "ho va dem"),
    ),
    Column("given_name", gettext_lazy("Given name"), False, ("ten",)),
)


# Particulars that lists made for other purposes carry (a staff-management export, the sign-in sheet
# of a meeting) and that a vote of confidence does not need: their columns are left out, unread and
# unsaved, and the office is told which. Any other unknown column is refused, as it may be a
# column of the template under another name.
UNUSED_HEADERS = frozenset(
    {
        "gioi tinh",
        "nam",
        "nu",
        "nam, nu",
        "nam/nu",
        "ngay sinh",
        "nam sinh",
        "ngay, thang, nam sinh",
        "ngay thang nam sinh",
        "sinh ngay",
        "dan toc",
        "ton giao",
        "que quan",
        "noi sinh",
        "noi o",
        "noi o hien nay",
        "dia chi",
        "trinh do",
        "trinh do chuyen mon",
        "chuyen mon",
        "trinh do ly luan chinh tri",
        "ly luan chinh tri",
        "trinh do llct",
        "llct",
        "trinh do qlnn",
        "quan ly nha nuoc",
        "trinh do hoc van",
        "hoc van",
        "trinh do van hoa",
        "van hoa",
        "ngoai ngu",
        "trinh do ngoai ngu",
        "tin hoc",
        "trinh do tin hoc",
        "hoc ham, hoc vi",
        "hoc ham",
        "hoc vi",
        "tuoi",
        "ma can bo",
        "ma so can bo",
        "so hieu",
        "so hieu can bo",
        "so cccd",
        "cccd",
        "so can cuoc",
        "can cuoc cong dan",
        "so cmnd",
        "cmnd",
        "so cmnd/cccd",
        "ngay vao dang",
        "ngay vao dang chinh thuc",
        "dang vien",
        "ky ten",
        "ky nhan",
        "chu ky",
    }
)


def _match_columns(
    header: list[object], row_number: int, columns: tuple[Column, ...], unused: list[int]
) -> dict[int, Column]:
    """The columns of the list, by their place in ``header``. The places of the columns left out as
    unused (``UNUSED_HEADERS``) are added to ``unused``."""
    found: dict[int, Column] = {}
    for index, raw in enumerate(header):
        text = clean_line(str(raw)) if raw is not None else ""
        if not text:
            continue
        key = _header_key(text)
        if key in UNUSED_HEADERS:
            unused.append(index)
            continue
        column = _find_column(columns, key) or _find_column(NAME_PARTS, key) or _find_column((NAME_AND_POST,), key)
        if column is None:
            roll = _find_column(COLUMNS, key)
            if columns is RATED_COLUMNS and roll is not None and roll.key == "unit":
                raise RosterError(
                    _(
                        "a list of rated persons has no unit column: the ballot prints the post as the "
                        "Post column writes it. Put the unit in that column (e.g. Giám đốc Sở Tài chính)."
                    ),
                    row=row_number,
                    column=text,
                )
            raise RosterError(
                _("the column is not part of the roster template. Allowed columns: %(columns)s.")
                % {"columns": ", ".join(str(c.title) for c in columns)},
                row=row_number,
                column=text,
            )
        if column in found.values():
            raise RosterError(_("this column appears twice."), row=row_number, column=text)
        found[index] = column
    parts = [c for c in found.values() if c in NAME_PARTS]
    if parts and (len(parts) != len(NAME_PARTS) or any(c.key == "full_name" for c in found.values())):
        raise RosterError(
            _(
                "the name must be in one column “Họ và tên”, or in two: “Họ và tên đệm” and “Tên”. "
                "This header has: %(columns)s."
            )
            % {
                "columns": ", ".join(
                    str(c.title) for c in found.values() if c.key in ("full_name", *(p.key for p in NAME_PARTS))
                )
            },
            row=row_number,
        )
    named_in_parts = len(parts) == len(NAME_PARTS)
    together = NAME_AND_POST in found.values()
    if together and any(c.key in ("full_name", "post", *(p.key for p in NAME_PARTS)) for c in found.values()):
        raise RosterError(
            _(
                "the column “%(together)s” holds the name and the post: the header cannot also have a column of the "
                "name or of the post."
            )
            % {"together": str(NAME_AND_POST.title)},
            row=row_number,
        )
    missing = [
        str(c.title)
        for c in columns
        if c.required
        and c not in found.values()
        and not (c.key == "full_name" and named_in_parts)
        and not (c.key in ("full_name", "post") and together)
    ]
    if missing:
        raise RosterError(
            _("required column missing: %(columns)s. Download the template to see the expected columns.")
            % {"columns": ", ".join(missing)},
            row=row_number,
        )
    return found


def _is_header(values: list[object]) -> bool:
    keys = {_header_key(clean_line(str(v))) for v in values if v is not None and str(v).strip()}
    if any(_find_column((_FULL_NAME,), k) or _find_column((NAME_AND_POST,), k) for k in keys):
        return True
    return all(any(_find_column((part,), k) for k in keys) for part in NAME_PARTS)  # "Họ và tên đệm", "Tên"


HEADER_SEARCH = 10  # the header row is looked for among the first rows that are not empty
MAX_ROWS = 20_000  # of a sheet or a document's tables (the messages say 20,000)


def _likeliest_header(rows: list[tuple[int, list[object]]], columns: tuple[Column, ...]) -> int:
    """When no row names the persons' column: the place of the row with most cells that are a
    column's name (the first row if none has one). The message then names the column missing or
    unknown in the header row, not a line of the title block above it as an unknown column."""
    counts = [
        sum(
            value is not None and _find_column(columns, _header_key(clean_line(str(value)))) is not None
            for value in values
        )
        for _n, values in rows
    ]
    return counts.index(max(counts))


# (number of digits, first digit) of a Vietnamese number that lost its 0: mobile 0[35789]…, 10
# digits; landline with its area code 02…, 11 digits
_LOST_ZERO = {(9, d) for d in "35789"} | {(10, "2")}


def _leading_zero(phone: str) -> str:
    """A phone number that Excel kept as a number has lost its leading 0 (0912 345 678 became
    912345678), in the sheet and in a CSV saved from it. A Vietnamese mobile number (10 digits,
    03/05/07/08/09…) or a landline with its area code (11 digits, 02…) gets it back; any other
    number is kept as written."""
    if phone.isascii() and phone.isdigit() and (len(phone), phone[0]) in _LOST_ZERO:
        return "0" + phone
    return phone


def _day(raw: object, number: int, column: Column) -> date | None:
    """A date cell: Excel's own date, or a text day/month/year (29/09/2023)."""
    if isinstance(raw, date):  # Excel's own date (a datetime)
        day: date | None = raw.date() if isinstance(raw, datetime) else raw
    else:
        text = clean_line(str(raw)) if raw is not None else ""
        if not text:
            return None
        day = parse_day(text, any_year=True) if isinstance(raw, str) else None
    if day is None:
        raise RosterError(_("write the date as day/month/year, e.g. 29/09/2023."), row=number, column=str(column.title))
    if not plausible_day(day):
        raise RosterError(
            _("the year must be from %(first)s to %(last)s: type its four digits, e.g. 29/09/2023.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            row=number,
            column=str(column.title),
        )
    return day


def _yes(raw: object, number: int, column: Column) -> bool:
    """A yes/no cell: x or Có for yes, empty (or Không) for no."""
    if isinstance(raw, bool):
        return raw
    key = strip_marks(clean_line(str(raw))) if raw is not None else ""
    if isinstance(raw, float) and raw.is_integer():
        key = str(int(raw))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise RosterError(
        _("write x (or Có) for yes, and leave the cell empty for no."), row=number, column=str(column.title)
    )


# the lines an office writes under its table, which are neither a person nor an opinion
_FOOTER_DAY = re.compile(  # "Móng Cái, ngày 20 tháng 9 năm 2023", "ngày …/…/2023": read with its comma
    r"(?:[^,;:]{1,40}, ?)?ngay(?: ?[\d._…/-]* ?thang ?[\d._…/-]* ?nam ?[\d._…]*| ?[\d._…/-]+)[.]?"
)
_FOOTER_TITLE = re.compile(  # who signs: "NGƯỜI LẬP BIỂU", "TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"
    r"nguoi (?:lap bieu|lap bang|lap|tong hop|ky)|(?:thu truong|lanh dao) (?:don vi|co quan)"
    r"|xac nhan(?: cua (?:thu truong|lanh dao) (?:don vi|co quan))?|(?:tm|kt|tl|tuq|t m|k t) [a-z].*"
)
_FOOTER_OTHER = re.compile(  # "(Ký, ghi rõ họ tên)", "Nơi nhận: …", "Tổng cộng: 142 ý kiến"
    r"(?:ky|ky ten|da ky)(?: (?:va )?ghi ro ho (?:va )?ten)?(?: (?:va )?dong dau)?|noi nhan\b.*"
    r"|(?:tong cong|tong so|cong)(?: (?:y kien|so y kien|so nguoi))?(?: \d+)?(?: (?:y kien|nguoi|dong chi))?"
)


def footer_line(text: str, *, titles: bool = True) -> bool:
    """Whether ``text``, a whole cell, is a line an office writes under its table: the place and
    date, the signers' titles (unless ``titles`` is False: a post may be "Lãnh đạo đơn vị"),
    "(Ký, ghi rõ họ tên)", "Nơi nhận", a total. Read without marks or case; a whole cell: an
    opinion that speaks of a day or a total is not one of them."""
    plain = strip_marks(text).lower()
    if _FOOTER_DAY.fullmatch(" ".join(re.sub(r"[^\w…/,.-]+", " ", plain).split())):
        return True
    key = " ".join(re.sub(r"[^\w]+", " ", plain).split())
    return bool(key) and (
        _FOOTER_OTHER.fullmatch(key) is not None or (titles and _FOOTER_TITLE.fullmatch(key) is not None)
    )


def filled_rows(
    rows: list[tuple[int, list[object]]], label: Callable[[int], str] | None = None
) -> list[tuple[int, list[object]]]:
    """The rows with something in a cell; a cell whose text is in an old font that no cell's font
    said (or in a CSV file) refused, naming it (``label``: a column's name from its index, Excel's
    letter unless told)."""
    label = label or _letter
    rows = [(n, values) for n, values in rows if any(v is not None and str(v).strip() for v in values)]
    for number, values in rows:
        for index, value in enumerate(values):
            if isinstance(value, str) and legacy_fonts.looks_legacy(value):
                raise RosterError(_legacy_message(value), row=number, column=label(index))
    return rows


def _rows_to_roster(
    rows: list[tuple[int, list[object]]],
    columns: tuple[Column, ...] = COLUMNS,
    converted: set[int] | frozenset[int] = frozenset(),
    merged: Sequence[tuple[int, int, int, int]] = (),
    column_label: Callable[[int], str] | None = None,
) -> RosterRows:
    """``rows``: (row number, values), including the header. Formulas were checked by the reader,
    and the cells typed in a TCVN3 font converted (``converted``: the numbers of their rows).
    ``merged``: the sheet's merged cells, as ``_sheet_layout`` gives them. ``column_label``: how
    a message names a column, from its index (0-based): Excel's letter unless told."""
    label = column_label or _letter
    rows = filled_rows(rows, label)
    if not rows:
        raise RosterError(_("the sheet is empty: it needs a header row and at least one person."))
    # a list made as an official document has a title block above its table: the bodies and the
    # motto side by side, the title, the document it goes with, a date (up to HEADER_SEARCH rows)
    header_at = next((i for i, (_n, values) in enumerate(rows[:HEADER_SEARCH]) if _is_header(values)), None)
    if header_at is None:  # the name's column missing, or under a name not in the template
        header_at = _likeliest_header(rows[:HEADER_SEARCH], columns)
    header_row, header = rows[header_at]
    unused: list[int] = []
    found = _match_columns(header, header_row, columns, unused)
    unused += [
        i  # a header of unused particulars spread over its sub-columns ("Năm sinh" over "Nam", "Nữ")
        for first_col, first_row, last_col, last_row in merged
        if first_col - 1 in unused and first_row <= header_row <= last_row
        for i in range(first_col, last_col)
    ]
    data = rows[header_at + 1 :]
    if not data:
        raise RosterError(_("the file has a header but no person under it."), row=header_row + 1)
    name_rest = _name_continued(found, header_row, merged)
    _refuse_unnamed_columns(header, header_row, data, set(found) | set(name_rest) | set(unused), label)
    out = RosterRows(unused=[clean_line(str(header[i])) for i in unused if i < len(header) and header[i]])
    previous, apart = header_row, False  # ``apart``: a blank row since the last person with a number
    for position, (number, values) in enumerate(data):
        apart, previous = apart or number > previous + 1, number
        if _trimmed(values) == _trimmed(header):  # the header again: merged over two rows, or pasted twice
            continue
        if position == 0 and unused and _under_unused(values, header, unused):  # their sub-header row
            continue
        if _column_numbers(values):  # "1 2 3 4" under the header (again): not a person "2" of post "3"
            continue
        heading = _heading(number, values, found, merged)
        if heading:
            out.headings.append((number, heading))
            continue
        fields: dict[str, str] = {}
        typed: dict[str, object] = {}
        for index, column in found.items():
            raw = values[index] if index < len(values) else None
            if column.kind == "date":
                typed[column.key] = _day(raw, number, column)
                continue
            if column.kind == "yes":
                typed[column.key] = _yes(raw, number, column)
                continue
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            if column.key == "name_and_post":  # its lines read before they are joined
                if raw is not None and str(raw).strip():
                    fields["full_name"], fields["post"] = _name_and_post(raw, number)
                continue
            if column.key == "full_name" and name_rest:  # "Nguyễn Văn" | "An" under one header
                parts = [raw, *(values[i] if i < len(values) else None for i in name_rest)]
                raw = " ".join(str(p).strip() for p in parts if p is not None and str(p).strip()) or None
            text = clean_line(_unguarded(str(raw))) if raw is not None else ""
            if len(text) > column.max_length:
                raise RosterError(
                    _("the text is longer than %(max)s characters.") % {"max": column.max_length},
                    row=number,
                    column=str(column.title),
                )
            fields[column.key] = text
        if "given_name" in fields:  # the name in two columns: family and middle names, then the given name
            family, given = fields.pop("family_name", ""), fields.pop("given_name")
            fields["full_name"] = " ".join(part for part in (family, given) if part)
            if len(fields["full_name"]) > _FULL_NAME.max_length:
                raise RosterError(
                    _("the text is longer than %(max)s characters.") % {"max": _FULL_NAME.max_length},
                    row=number,
                    column=str(_FULL_NAME.title),
                )
        named = fields.get("full_name", "")
        if footer := next(
            (
                text
                for text, titles in ((named, True), (fields.get("post", ""), False))
                if footer_line(text, titles=titles)
            ),
            "",
        ):  # a signature block under the table, its two columns filled: not a person "NGƯỜI LẬP BIỂU"
            raise RosterError(
                _(
                    "“%(line)s” is not a person but a line written under the table (a place and date, a signature, "
                    "a total): delete it and the lines under it that are not persons, then import the file again."
                )
                % {"line": footer},
                row=number,
            )
        fields["full_name"] = without_address(named)
        if not fields.get("full_name") and not fields.get("post"):  # not a person: what, then?
            raise RosterError(
                _(
                    "this row has neither a name nor a post. If it is not a person (a signature, a date or a "
                    "note under the table), delete it from the file and import it again."
                ),
                row=number,
            )
        for column in columns:
            if column.required and not fields.get(column.key):
                reason = _("this cell must not be empty.")
                if "order" in fields and not fields["order"]:  # no number: a signature block under the table?
                    reason += " " + _(
                        "If this row is not a person (a signature, a date or a note under the table), delete it "
                        "from the file and import it again."
                    )
                raise RosterError(reason, row=number, column=str(column.title))
        if not any(ch.isalpha() for ch in fields["full_name"]):  # "2": a row of numbers, not a person
            raise RosterError(
                _(
                    "the name has no letter. If this row is not a person (the numbers of the columns, say), "
                    "delete it from the file and import it again."
                ),
                row=number,
                column=str(_FULL_NAME.title),
            )
        if "order" in fields and not fields["order"] and apart and out and all(r.order is not None for r in out):
            # under a blank row, after persons all numbered: most likely the signers' names under the table
            raise RosterError(
                _(
                    "“%(name)s” has no number and stands under a blank row, after persons who all have one: if "
                    "it is a person of the list, write their number; if it is the name of someone who signs under "
                    "the table, delete the lines under the table. Then import the file again."
                )
                % {"name": fields["full_name"]},
                row=number,
                column=str(COLUMNS[0].title),
            )
        if fields.get("order"):
            apart = False
        order = None
        if fields.get("order"):
            if not (numeral := ROW_NUMBER.fullmatch(fields["order"])):
                raise RosterError(_("the number must be a whole number."), row=number, column=str(COLUMNS[0].title))
            order = int(numeral[1])
        if fields.get("email"):
            try:
                validate_email(fields["email"])
            except ValidationError:
                raise RosterError(_("this is not a valid email address."), row=number, column="Email") from None
        phone = _leading_zero(fields.get("phone", ""))
        if phone and not all(ch in "0123456789 +.-()" for ch in phone):  # not "٣" or "²", which isdigit() takes
            raise RosterError(
                _("a phone number may hold only digits, spaces and + . - ( )."),
                row=number,
                column=str(COLUMNS[4].title),
            )
        out.append(
            RosterRow(
                row=number,
                order=order,
                full_name=fields["full_name"],
                post=fields["post"],
                unit=fields.get("unit", ""),
                phone=phone,
                email=fields.get("email", ""),
                note=fields.get("note", ""),
                group=fields.get("group", ""),
                took_office_on=typed.get("took_office_on"),  # type: ignore[arg-type]
                retirement_notified=bool(typed.get("retirement_notified", False)),
                converted=number in converted,
                address_removed=fields["full_name"] != named,
                address_unclear=may_be_addressed(fields["full_name"]),
            )
        )
    if not out:
        raise RosterError(_("the file has a header but no person under it."), row=header_row + 1)
    return out


# what openpyxl raises on a damaged file: XML cut short or not XML (SyntaxError: ElementTree's and
# lxml's ParseError), a bad cell address or value (ValueError), a part or sheet missing (KeyError,
# IndexError), a member that does not unpack (BadZipFile, zlib.error, EOFError)
DAMAGED_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    SyntaxError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
)


def _read_xlsx(data: bytes, columns: tuple[Column, ...]) -> RosterRows:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DAMAGED_XLSX as exc:
        raise RosterError(_("the Excel file is damaged or is not an .xlsx file.")) from exc
    named = None  # the sheet's name in messages, when it is not the first
    try:
        sheet = _list_sheet(workbook)
        named = None if sheet is workbook.worksheets[0] else sheet.title
        rows, converted = _sheet_rows(sheet)
        merged, hidden = _sheet_layout(data, sheet)
        _fill_merged_down(rows, merged)
        _refuse_hidden_rows(rows, hidden)
    except RosterError as exc:
        raise _on_sheet(exc, named) from None
    except DAMAGED_XLSX as exc:
        # the sheet is read as it is used: a damaged sheet inside a sound ZIP is found here (XML
        # cut short, a cell address out of range, no sheet at all), not by load_workbook
        raise RosterError(_("the Excel file is damaged or is not an .xlsx file.")) from exc
    finally:
        workbook.close()
    try:
        return _rows_to_roster(rows, columns, converted, merged)
    except RosterError as exc:
        raise _on_sheet(exc, named) from None


def _on_sheet(error: RosterError, sheet: str | None) -> RosterError:
    """The error, naming the sheet when the list was not on the workbook's first sheet."""
    return RosterError(error.reason, row=error.row, column=error.column, sheet=sheet) if sheet else error


def _list_sheet(workbook: Any) -> Any:
    """The sheet that holds the list: the first, or else the only one with a header row among its
    first rows (a workbook whose first sheet is a cover, instructions, or another list). Two
    sheets with a list are refused, naming them: one list a sheet (a group each) would be lost
    but for the first, and which one is meant cannot be told."""
    sheets = workbook.worksheets
    if len(sheets) == 1:
        return sheets[0]
    with_list = []
    for sheet in sheets:
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            if index >= 3 * HEADER_SEARCH:
                break
            if _is_header(list(row)):
                with_list.append(sheet)
                break
    if len(with_list) > 1:
        raise RosterError(
            _(
                "the workbook has a list on several sheets (%(sheets)s): only one is imported. Put the "
                "whole list on one sheet, or delete the sheets that are not part of it, then import it again."
            )
            % {"sheets": ", ".join(f"“{sheet.title}”" for sheet in with_list)}
        )
    return with_list[0] if with_list else sheets[0]


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b(?=[^>]*\bhidden="(?:1|true)")[^>]*\br="([0-9]+)"')


def _sheet_layout(data: bytes, sheet: Any) -> tuple[list[tuple[int, int, int, int]], set[int]]:
    """The sheet's merged cells, (first column, first row, last column, last row) each, and the
    numbers of its hidden rows. openpyxl reads neither in its read-only mode, which a long list
    needs: they are read from the sheet's XML in the file."""
    from openpyxl.utils.cell import range_boundaries

    path = getattr(sheet, "_worksheet_path", None)
    if not path:
        return [], set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path)
    merged = [range_boundaries(ref.decode()) for ref in _MERGE_CELL.findall(xml)]
    return merged, {int(n) for n in _HIDDEN_ROW.findall(xml)}  # type: ignore[return-value]


def _refuse_hidden_rows(rows: list[tuple[int, list[object]]], hidden: set[int], message: str = "") -> None:
    """A row hidden in Excel (by hand, or by a filter) is neither imported nor left out silently:
    whoever hid it may have meant the person is not convened, or only have tidied the view, and
    the number convened decides the quorum. ``message``: what to say, with ``%(rows)s``, for a
    table of something other than persons."""
    shown = sorted(n for n, values in rows if n in hidden and any(v not in (None, "") for v in values))
    if shown:
        listed = ", ".join(str(n) for n in shown[:10]) + ("…" if len(shown) > 10 else "")
        raise RosterError(
            (
                message
                or _(
                    "the sheet has hidden rows (%(rows)s). Show them (Unhide, or clear the filter), delete "
                    "the persons who are not on the list, then import the file again."
                )
            )
            % {"rows": listed}
        )


def _name_continued(
    found: dict[int, Column], header_row: int, merged: Sequence[tuple[int, int, int, int]]
) -> list[int]:
    """The columns (0-based) that continue the full name: its header cell merged across them, as
    lists that keep the family and middle names in one column and the given name in the next do."""
    name = next((i for i, c in found.items() if c.key == "full_name"), None)
    for first_col, first_row, last_col, last_row in merged:
        if name is not None and first_col == name + 1 and first_row <= header_row <= last_row:
            return list(range(first_col, last_col))
    return []


def _refuse_unnamed_columns(
    header: list[object],
    header_row: int,
    data: list[tuple[int, list[object]]],
    read: set[int],
    label: Callable[[int], str],
) -> None:
    """A column holding data under an empty header cell is not left out silently: it may be half
    of the names (the given names), or anything else the office meant to be read."""
    width = max((len(values) for _n, values in data), default=0)
    for index in range(width):
        if index in read or (index < len(header) and header[index] not in (None, "")):
            continue
        for number, values in data:
            if index < len(values) and values[index] not in (None, "") and str(values[index]).strip():
                raise RosterError(
                    _(
                        "this column holds data (row %(row)s: “%(value)s”) but has no name in the header row. "
                        "Give it one of the template's names, or delete it."
                    )
                    % {"row": number, "value": str(values[index])[:40]},
                    row=header_row,
                    column=label(index),
                )


def _heading(
    number: int, values: list[object], found: dict[int, Column], merged: Sequence[tuple[int, int, int, int]]
) -> str:
    """The text of a row that heads a group of the list ("I. THƯỜNG TRỰC HĐND", "Khối Đảng"), or
    totals it ("Tổng cộng: 183 người"), or "" for any other row. Such a row has one cell with
    text, and no name and no post; that cell spreads over several columns, or stands in the
    column of the numbers without being a number. Any other row without a name or a post is
    refused for it, as it may be a person whose post was left out."""
    filled = [i for i, v in enumerate(values) if v is not None and str(v).strip()]
    if len(filled) != 1:
        return ""
    index = filled[0]
    column = found.get(index)
    text = clean_line(str(values[index]))
    spread = any(
        first_col == index + 1 and last_col > first_col and first_row <= number <= last_row
        for first_col, first_row, last_col, last_row in merged
    )
    if (
        column is not None
        and column.key in ("full_name", "post", "family_name", "given_name", "name_and_post")
        and not spread
    ):
        return ""
    numbered = column is not None and column.key == "order"
    if spread or (numbered and not ROW_NUMBER.fullmatch(text)):
        return text
    return ""


def _under_unused(values: list[object], header: list[object], unused: list[int]) -> bool:
    """The row under the header holds text only in unused columns ("Nam", "Nữ" under "Năm sinh"),
    besides the header's own cells merged down over it."""
    filled = {
        i
        for i, v in enumerate(values)
        if v is not None and str(v).strip() and (i >= len(header) or v != header[i])  # not filled down
    }
    return bool(filled) and filled <= set(unused)


def _column_numbers(values: list[object]) -> bool:
    """A row that numbers the table's columns, as official tables do under their header: 1, 2, 3…
    or (1), (2), (3)…, or A, B, C…, one a column in order."""
    filled = [str(v).strip() for v in values if v is not None]
    filled = [text for text in filled if text]
    if len(filled) < 2 or any(len(text) > 5 for text in filled):  # a person's row: at once
        return False
    marks = [text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text for text in filled]
    if all(mark.isascii() and mark.isdigit() for mark in marks):
        return [int(mark) for mark in marks] == list(range(1, len(marks) + 1))
    return marks == [chr(ord("A") + i) for i in range(len(marks))]


def _letter(index: int) -> str:
    """Excel's name of the column at ``index`` (0-based): A, B, … AA."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _trimmed(values: list[object]) -> list[object]:
    """A row without the empty cells at its end (how far a row reaches depends on its formatting)."""
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return values[:end]


def _fill_merged_down(rows: list[tuple[int, list[object]]], merged: list[tuple[int, int, int, int]]) -> None:
    """A cell merged down over several rows (the unit of the persons under it, say) holds its
    value in its first row only: each row gets it, as the sheet shows it. Across columns nothing
    is copied: a title over the table, or a header over two columns, stays in one cell."""
    by_number = {number: values for number, values in rows}
    for first_col, first_row, _last_col, last_row in merged:
        top = by_number.get(first_row)
        value = top[first_col - 1] if top is not None and len(top) >= first_col else None
        if value is None:
            continue
        for number in range(first_row + 1, last_row + 1):
            values = by_number.get(number)
            if values is None:
                continue
            values.extend([None] * (first_col - len(values)))
            if values[first_col - 1] is None:
                values[first_col - 1] = value


_NO_VALUE: tuple[object, str | None, str] = (None, None, "")  # an empty cell: (value, font, letter)


def _sheet_rows(sheet: Any) -> tuple[list[tuple[int, list[object]]], set[int]]:
    """The sheet's rows, numbered, and the numbers of those with a cell typed in a TCVN3 font,
    converted to Unicode; a formula, or a cell in a font that cannot be converted, refused with
    its cell."""
    cells: list[tuple[int, list[tuple[object, str | None, str]]]] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        read = []
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:  # a row is padded to the sheet's last formatted column, XFD at worst
                read.append(_NO_VALUE)
                continue
            letter = getattr(cell, "column_letter", "")
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                raise RosterError(
                    _("the cell holds a formula; copy the sheet and paste values only (Paste Values)."),
                    row=number,
                    column=letter,
                )
            font = getattr(getattr(cell, "font", None), "name", None) if isinstance(value, str) else None
            read.append((value, font, letter))
        while read and read[-1] is _NO_VALUE:
            read.pop()
        if number > MAX_ROWS:
            if any(value not in (None, "") for value, *_rest in read):
                raise RosterError(_("the sheet has more than 20,000 rows."))
            continue  # only formatting (borders drawn down to row 30,000 under a short list)
        cells.append((number, read))
    # a list typed in an old font shows it in some cell: then its cells that read as Unicode too
    # are in that font as well
    evident = any(
        isinstance(value, str) and legacy_fonts.legacy_evidence(value, font)
        for _n, read in cells
        for value, font, _l in read
    )
    rows: list[tuple[int, list[object]]] = []
    converted: set[int] = set()
    for number, read in cells:
        values = []
        for value, font, letter in read:
            if isinstance(value, str):
                try:
                    value, was = legacy_fonts.from_font(value, font, legacy_evident=evident)
                except legacy_fonts.LegacyFontError as exc:
                    raise RosterError(_legacy_message(exc.text, exc), row=number, column=letter) from None
                if was:
                    converted.add(number)
            values.append(value)
        rows.append((number, values))
    return rows, converted


def _legacy_message(text: str, error: legacy_fonts.LegacyFontError | None = None) -> str:
    if isinstance(error, legacy_fonts.AmbiguousFont):
        return _(
            "the text “%(text)s” is in an old font (%(font)s), but reads as Unicode too, and nothing else "
            "in the list shows which it is. If the list is typed in Unicode, give its cells a Unicode font "
            "(Times New Roman); if in the old font, convert it to Unicode (for example with Unikey: Công cụ "
            "chuyển mã)."
        ) % {"text": text[:60], "font": error.font}
    return _(
        "the text “%(text)s” is typed in an old Vietnamese font (VNI or TCVN3), not in Unicode. Convert the "
        "file to Unicode (for example with Unikey: Công cụ chuyển mã), then import it again."
    ) % {"text": text[:60]}


def _word_xpath(path: str) -> Any:
    from docx.oxml.ns import nsmap
    from lxml import etree

    return etree.XPath(path, namespaces={"w": nsmap["w"]})


# compiled once: a long list has tens of thousands of cells. A cell's paragraphs, also those of a
# content control; a paragraph's runs, also in a link, a smart tag, a field or a tracked insertion,
# not in a tracked deletion or a text box drawn over the page
_WORD_PARAGRAPHS = _word_xpath("./w:p | ./w:sdt/w:sdtContent/w:p")
_WORD_RUNS = _word_xpath(".//w:r[not(ancestor::w:del) and not(ancestor::w:txbxContent)]")
_WORD_V_MERGE = _word_xpath("w:tcPr/w:vMerge")


def _v_merge(tc: Any) -> str | None:
    """How a cell is merged down: "restart" (its first row), "continue", or None (not merged)."""
    found = _WORD_V_MERGE(tc)
    if not found:
        return None
    from docx.oxml.ns import qn

    return found[0].get(qn("w:val")) or "continue"  # an empty vMerge continues the cell above


class _WordFonts:
    """The font each run of a Word document is drawn in: its own, else its character style's,
    else its paragraph style's (each with the styles it is based on), else the document's."""

    def __init__(self, document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml.ns import qn

        defaults = document.styles.element.find(qn("w:docDefaults"))
        fonts = None if defaults is None else defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        self.default = None if fonts is None else fonts.get(qn("w:ascii")) or fonts.get(qn("w:hAnsi"))
        # looked up once: python-docx finds a paragraph's style by walking every style each time
        self.styles = {style.style_id: self.of_style(style) for style in document.styles}
        normal = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self.normal = self.of_style(normal) if normal is not None else None
        self.legacy = False  # the document shows that it is typed in an old font (legacy_evident)
        self.found: dict[Any, list[list[tuple[str, str | None]]]] = {}  # a cell's runs (runs)

    @staticmethod
    def of_style(style: Any) -> str | None:
        seen = 0
        while style is not None and seen < 20:  # a loop of styles based on each other ends here
            if getattr(style, "font", None) is not None and style.font.name:
                return style.font.name
            style, seen = getattr(style, "base_style", None), seen + 1  # a numbering style has none
        return None

    def runs(self, tc: Any, table: Any) -> list[list[tuple[str, str | None]]]:
        """A cell's paragraphs, each as its runs: (text, font). Every run counts, also one inside
        a link, a smart tag, a tracked insertion or a content control; a tracked deletion does not.
        Kept once found: the document is looked through for an old font before it is read."""
        if tc in self.found:
            return self.found[tc]
        paragraphs = [self.paragraph_runs(p, table) for p in _WORD_PARAGRAPHS(tc)]
        self.found[tc] = paragraphs
        return paragraphs

    def paragraph_runs(self, p: Any, parent: Any) -> list[tuple[str, str | None]]:
        """A paragraph's runs (``w:p``, in a cell or in the document's body): (text, font)."""
        from docx.text.paragraph import Paragraph
        from docx.text.run import Run

        paragraph = Paragraph(p, parent)
        style = paragraph._p.style
        around = (self.styles.get(style) if style else self.normal) or self.default
        return [
            (run.text, run.font.name or (self.styles.get(r.style) if r.style else None) or around)
            for r in _WORD_RUNS(paragraph._p)
            for run in (Run(r, paragraph),)
        ]

    def legacy_evident(self, tables: list[Any]) -> bool:
        """Whether some run of these tables shows that the list is typed in an old font
        (``legacy_fonts.from_font``)."""
        return any(
            legacy_fonts.legacy_evidence(text, font)
            for table in tables
            for tr in table._tbl.tr_lst
            for tc in tr.tc_lst
            for parts in self.runs(tc, table)
            for text, font in parts
        )

    def cell_text(self, tc: Any, table: Any) -> tuple[str, bool]:
        """A cell's text as Word shows it, its paragraphs joined by spaces, the runs in an old
        font converted to Unicode (and whether one was), as ``legacy`` says of the document."""
        paragraphs, was = [], False
        for parts in self.runs(tc, table):
            text, converted = self.text_of(parts)
            paragraphs.append(text)
            was = was or converted
        return "\n".join(paragraphs), was

    def text_of(self, parts: list[tuple[str, str | None]]) -> tuple[str, bool]:
        """A paragraph's text from its runs, those in an old font converted (and whether one was)."""
        texts, was = [], False
        for text, font in parts:
            try:
                text, converted = legacy_fonts.from_font(text, font, legacy_evident=self.legacy)
            except legacy_fonts.LegacyFontError as exc:
                raise RosterError(_legacy_message(exc.text, exc)) from None
            texts.append(text)
            was = was or converted
        return "".join(texts), was


def _word_table_rows(
    table: Any, fonts: _WordFonts, offset: int = 0
) -> tuple[list[tuple[int, list[object]]], list[tuple[int, int, int, int]], set[int]]:
    """A Word table's rows, numbered from ``offset`` + 1, as a sheet's: a cell spread over several
    grid columns holds its text in the first, and a cell merged down holds it in its first row;
    both are given as merged cells, (first column, first row, last column, last row), columns
    from 1. Also the numbers of the rows with text converted from TCVN3."""
    rows: list[tuple[int, list[object]]] = []
    merged: list[list[int]] = []
    down: dict[int, list[int]] = {}  # grid column → the merged range it continues
    converted: set[int] = set()
    for number, tr in enumerate(table._tbl.tr_lst, start=offset + 1):
        values: list[object] = [None] * tr.grid_before
        column = tr.grid_before + 1
        for tc in tr.tc_lst:
            span, v_merge = max(tc.grid_span, 1), _v_merge(tc)
            if v_merge == "continue":
                value: object = None
                if column in down:
                    down[column][3] = number
            else:
                try:
                    value, was = fonts.cell_text(tc, table)
                except RosterError as exc:
                    raise RosterError(exc.reason, row=number, column=str(column)) from None
                if was:
                    converted.add(number)
                down.pop(column, None)
                if span > 1 or v_merge == "restart":
                    merged.append([column, number, column + span - 1, number])
                    if v_merge == "restart":
                        down[column] = merged[-1]
            values.extend([value, *([None] * (span - 1))])
            column += span
        rows.append((number, values))
        if number > MAX_ROWS:
            raise RosterError(_("the tables have more than 20,000 rows."))
    return rows, [(a, b, c, d) for a, b, c, d in merged], converted


def _read_docx(data: bytes, columns: tuple[Column, ...]) -> RosterRows:
    """A list kept as a table of a Word document (the list attached to a plan or an invitation,
    under its title block): every table with a header row among its first rows, in the order of
    the document (a list made one table per group, or per page, is read whole; a table without
    such a row, as the title block, is not part of it). A row's number is its place in these
    tables counted on from one to the next, the first header row being 1; a column's, its place
    in the row."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        fonts = _WordFonts(document)
        tables = list(document.tables)
        captions = _word_captions(document)
        fonts.legacy = fonts.legacy_evident(tables)
    except (PackageNotFoundError, *DAMAGED_XLSX) as exc:
        raise RosterError(_("the Word file is damaged or is not a .docx file.")) from exc
    lists, headers = [], []
    try:
        offset = 0
        for table, caption in zip(tables, captions, strict=True):
            rows, merged, converted = _word_table_rows(table, fonts, offset)
            header = next((values for _n, values in rows[:HEADER_SEARCH] if _is_header(values)), None)
            if header is not None:
                lists.append((rows, merged, converted, caption))
                headers.append([clean_line(str(v)) for v in _trimmed(header) if v])
                offset = rows[-1][0]
    except DAMAGED_XLSX as exc:
        raise RosterError(_("the Word file is damaged or is not a .docx file.")) from exc
    keys = [[_header_key(name) for name in names] for names in headers]
    if any(k != keys[0] for k in keys):
        # one table a group has the same header each time; tables with other headers are other
        # lists (the rated persons and those convened, both attached to a plan): which is meant?
        kinds = []
        for names in headers:
            if names not in kinds:
                kinds.append(names)
        raise RosterError(
            _(
                "the document has tables of persons with different header rows (%(headers)s): it may hold "
                "several lists. Keep only the tables of this list in the file, then import it again."
            )
            % {"headers": "; ".join(", ".join(names) for names in kinds)}
        )
    if not lists:
        raise RosterError(
            _(
                "the Word document has no table with a header row naming its columns (“Họ và tên”, "
                "“Chức vụ”…). The list must be a Word table: download the template to see the columns."
            )
        )
    out = RosterRows()
    for rows, merged, converted, caption in lists:
        _fill_merged_down(rows, merged)
        part = _rows_to_roster(rows, columns, converted, merged, column_label=lambda index: str(index + 1))
        out.extend(part)
        out.headings += part.headings
        out.unused += [name for name in part.unused if name not in out.unused]
        if caption:
            out.captions.append((rows[0][0], caption))
    return out


# Letters and tone marks of Windows-1258 (Vietnamese) that Windows-1252 has not: a text that decodes
# in 1258 and holds one of them is Vietnamese as Excel writes "CSV (Comma delimited)" on a Windows
# set to Vietnamese, a letter's tone as a mark after it ("ộ": "ô" then a dot below).
_CP1258_OWN = frozenset("ĂăƠơƯưĐđ₫\u0300\u0301\u0303\u0309\u0323")


def _csv_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without the mark Excel's "CSV UTF-8" puts first),
    UTF-16 with its mark (Excel's "Unicode Text"), or Windows-1258 when it is that beyond doubt:
    Vietnamese letters of its own, and none of the characters an old TCVN3 or VNI font leaves."""
    refused = RosterError(_("the CSV file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise refused from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise refused from None
    if not any(c in _CP1258_OWN for c in text) or legacy_fonts.looks_legacy(text):
        raise refused
    return unicodedata.normalize("NFC", text)


def _read_csv(data: bytes, columns: tuple[Column, ...]) -> RosterRows:
    return _rows_to_roster(csv_rows(data), columns)


def csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """The rows of a CSV file, numbered, its separator the one its first line uses most; a
    formula refused with its cell."""
    text = _csv_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # the first of the most used: "," when none is
    try:
        rows = [
            (n, list(values))
            for n, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
        ]
    except csv.Error as exc:
        raise RosterError(_("the CSV file cannot be read (%(detail)s).") % {"detail": exc}) from exc
    for number, values in rows:
        for index, value in enumerate(values):
            if value.strip().startswith("="):
                raise RosterError(
                    _("the cell holds a formula; copy the sheet and paste values only (Paste Values)."),
                    row=number,
                    column=_letter(index),  # as the file's other messages name a column
                )
    return rows


# an OLE compound file: what Excel and Word write for a file with a password to open it (the
# package encrypted, its "EncryptionInfo" stream beside it), and the old .xls and .doc formats
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_ole(data: bytes, *, word: bool) -> None:
    """Refuse an .xlsx or .docx file that is an OLE compound file, saying which it is."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise RosterError(
            _(
                "the Word file has a password to open it. In Word: File → Info → Protect Document → Encrypt "
                "with Password, clear the password, save, then import the file again."
            )
            if word
            else _(
                "the Excel file has a password to open it. In Excel: File → Info → Protect Workbook → Encrypt "
                "with Password, clear the password, save, then import the file again."
            )
        )
    raise RosterError(
        _("the file is an old Word file (.doc) named .docx: open it in Word and save it as .docx.")
        if word
        else _("the file is an old Excel file (.xls) named .xlsx: open it in Excel and save it as .xlsx.")
    )


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse a file over ``max_bytes``, or an empty one, saying which."""
    if len(data) > max_bytes:
        raise RosterError(
            _("the file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": megabytes(len(data)), "limit": megabytes(max_bytes)}
        )
    if not data:
        raise RosterError(_("the file is empty."))


def read_roster(filename: str, data: bytes, max_bytes: int, columns: tuple[Column, ...] = COLUMNS) -> RosterRows:
    """Parse a roster file (``columns``: the voter roll's, or ``RATED_COLUMNS``); raise
    :class:`RosterError` with a Vietnamese reason."""
    name = filename.lower()
    check_size(data, max_bytes)
    if name.endswith((".xlsx", ".docx")) and data.startswith(_OLE):
        _refuse_ole(data, word=name.endswith(".docx"))
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            raise RosterError(_("the Excel file is damaged or is not an .xlsx file."))
        return _read_xlsx(data, columns)
    if name.endswith(".csv"):
        return _read_csv(data, columns)
    if name.endswith(".docx"):
        if not data.startswith(b"PK\x03\x04"):
            raise RosterError(_("the Word file is damaged or is not a .docx file."))
        return _read_docx(data, columns)
    if name.endswith(".xls"):
        raise RosterError(_("old Excel files (.xls) are not supported: open it in Excel and save it as .xlsx."))
    if name.endswith(".doc"):
        raise RosterError(_("old Word files (.doc) are not supported: open it in Word and save it as .docx."))
    raise RosterError(_("only Excel (.xlsx), CSV and Word (.docx) files can be imported."))


def write_roster_xlsx(rows: list[dict[str, object]], title: str) -> bytes:
    """The roster (or, with no rows, the empty template) as an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Voter roll"))[:31]
    sheet.append([str(c.title) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([excel_safe(row.get(c.key, "")) for c in COLUMNS])
    for letter, width in zip("ABCDEFG", (6, 30, 36, 30, 14, 26, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_rated_xlsx(people: list[tuple[int, str, str, str, date | None, bool, str]], sheet_title: str) -> bytes:
    """The list of rated persons, (No., full name, post, ballot group, elected or appointed on,
    notified of retirement, note) each, under the headers its import reads: with no one, the
    template of that import."""
    header = [str(c.title) for c in RATED_COLUMNS]
    rows = [[*p[:5], "x" if p[5] else "", p[6]] for p in people]
    return write_table_xlsx([header, *rows], sheet_title)


def write_table_xlsx(rows: list[list[object]], sheet_title: str) -> bytes:
    """A table (header first, in bold, kept in view) as an .xlsx file: the results exports."""
    return write_sheets_xlsx([(sheet_title, rows)])


def write_sheets_xlsx(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    """Several tables, one sheet each, as one .xlsx file. A ``Decimal`` is written as a number with
    two decimals, which Excel shows in the reader's own way (79,66 in Vietnamese)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for number, row in enumerate(rows, start=1):  # counted here: sheet.max_row reads every cell
            sheet.append([excel_safe(v) for v in row])
            for column, value in enumerate(row, start=1):
                if isinstance(value, Decimal):  # a percentage: a number, shown with its two decimals
                    sheet.cell(row=number, column=column).number_format = "0.00"
                elif isinstance(value, date):  # a day, as Vietnamese write it
                    sheet.cell(row=number, column=column).number_format = "dd/mm/yyyy"
                elif isinstance(value, str) and "\n" in value:  # several lines in one cell
                    sheet.cell(row=number, column=column).alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# what a spreadsheet may run as a formula when a cell begins with it
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> object:
    """No formula injection: text that a spreadsheet would run as a formula is prefixed with '."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def _unguarded(text: str) -> str:
    """A cell as it was before ``excel_safe``: a list exported here, edited and imported again
    gives back "+84 912 345 678", not "'+84 912 345 678" (which the phone check refuses)."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START else text
