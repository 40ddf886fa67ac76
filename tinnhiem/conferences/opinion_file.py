"""Reading a table of opinions (Excel .xlsx or CSV): the opinions an office, or its units, compiled
from the letters and forms received, imported at once instead of typed one by one.

Everything is checked before anything is saved (``opinions.import_opinions``): one bad row refuses
the whole file with its row, its column and the reason in Vietnamese. The cells are read as the
lists of persons are read (``roster_file``): formulas refused, text typed in an old TCVN3 font
converted (refused in a CSV file, which names no font), a cell merged down read in each of its
rows, hidden rows refused, Unicode normalised.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.text import clean_block, clean_line, parse_day, strip_marks

from .roster_file import (
    _OLE,
    DAMAGED_XLSX,
    HEADER_SEARCH,
    RosterError,
    _fill_merged_down,
    _letter,
    _on_sheet,
    _refuse_hidden_rows,
    _refuse_ole,
    _sheet_layout,
    _sheet_rows,
    _word_table_rows,
    _WordFonts,
    check_size,
    csv_rows,
    filled_rows,
    footer_line,
)


@dataclass(frozen=True)
class OpinionColumn:
    key: str
    title: object  # lazy translation: the header of the template
    aliases: tuple[str, ...]  # as offices write them, without marks, lower case


OPINION_COLUMNS = (
    OpinionColumn(
        "about",
        gettext_lazy("About"),
        (
            "ve nguoi",
            "ve dong chi",
            "gop y cho",
            "gop y doi voi",
            "doi voi",
            "nguoi duoc gop y",
            "nguoi duoc lay phieu",
            "ho va ten nguoi duoc lay phieu",
            "ho ten nguoi duoc lay phieu",
            "about",
        ),
    ),
    OpinionColumn(
        "text",
        gettext_lazy("Opinion"),
        ("y kien", "noi dung", "noi dung y kien", "noi dung gop y", "y kien gop y", "y kien, kien nghi", "opinion"),
    ),
    OpinionColumn(
        "signed_by",
        gettext_lazy("Signed by"),
        ("nguoi ky ten", "ky ten", "nguoi gop y", "nguoi gui", "nguoi viet", "signed by"),
    ),
    OpinionColumn("received_on", gettext_lazy("Received on"), ("ngay nhan", "ngay gop y", "ngay", "received on")),
    OpinionColumn(
        "tag", gettext_lazy("Classification"), ("phan loai", "phan loai y kien", "loai y kien", "classification")
    ),
)
# what a row may write in "Phân loại" (without marks, any case), for each classification of an
# opinion (models.Opinion.Tag): its label in either language, and the words offices use for it
TAGS = {
    "new": ("", "chua phan loai", "not yet classified", "new"),
    "agrees": ("dong tinh", "nhat tri", "agrees", "agree"),
    "requests_explanation": (
        "de nghi giai trinh",
        "yeu cau giai trinh",
        "can giai trinh",
        "giai trinh",
        "requests an explanation",
    ),
    "other": ("khac", "y kien khac", "other"),
}
# the classifications offered in the template's column, in the page's order (and language)
TAG_CHOICES = (gettext_lazy("Agrees"), gettext_lazy("Requests an explanation"), gettext_lazy("Other"))
# headers read and left out: the number of the row, and the post of the person it is about
NUMBER_HEADERS = ("stt", "tt", "so tt", "so thu tu", "no.", "no")  # a column of the rows' numbers
IGNORED_HEADERS = (*NUMBER_HEADERS, "chuc vu", "post")
# a header of tinnhiem's own download of the opinions (``views.opinions_xlsx``): those opinions
# are recorded already, and would be twice
DOWNLOAD_HEADERS = ("nhan qua", "received through")
# what a row may write in "Về người" for an opinion about no one in particular (without marks)
GENERAL = {"", "chung", "- chung -", "— chung —", "y kien chung", "general", "— general —"}
# what a row may write in "Người ký tên" for an opinion nobody signed (without marks)
UNSIGNED = {"khong ky ten", "khong", "unsigned", "-", "—"}


@dataclass(frozen=True)
class OpinionRow:
    row: int  # the row number in the file, for messages
    about: str  # the rated person's name as written; "" for an opinion about no one in particular
    text: str
    signed_by: str
    received_on: date | None
    sheet: str | None = None  # the workbook's sheet it is on, when it has several (said in messages)
    title: str = ""  # the name of its sheet, even the only one (which may name the person it is about)
    tag: str = "new"  # its classification (models.Opinion.Tag), if the table gives one
    general: bool = False  # "Về người" says "chung": about no one, whatever its sheet is named
    above: tuple[str, ...] = ()  # in a Word document, the lines above its table, nearest first (which
    # may name the person it is about: "2. Đồng chí Lê Thị Hồng Nhung, Phó Chủ tịch UBND thành phố")


def _header_key(value: object) -> str:
    return strip_marks(str(value)).strip(" :*") if value is not None else ""


def _column_of(key: str) -> OpinionColumn | None:
    return next((c for c in OPINION_COLUMNS if key in c.aliases), None)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _day(value: object, number: int, column: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = parse_day(_text(value))
    if day is None:
        raise RosterError(_("this is not a date: write it as day/month/year (05/12/2026)."), row=number, column=column)
    return day


def _tag(value: object, number: int, column: str) -> str:
    written = strip_marks(clean_line(_text(value))).strip(" .")
    tag = next((tag for tag, words in TAGS.items() if written in words), None)
    if tag is None:
        raise RosterError(
            _(
                "“%(value)s” is not a classification: write %(choices)s, or leave it empty for an opinion not yet "
                "classified."
            )
            % {"value": clean_line(_text(value)), "choices": ", ".join(f"“{c}”" for c in TAG_CHOICES)},
            row=number,
            column=column,
        )
    return tag


def _no_column() -> RosterError:
    return RosterError(
        _(
            "no column of opinions was found: the header row needs a column “Ý kiến” (or “Nội dung”), and may "
            "have “Về người”, “Người ký tên” and “Ngày nhận”. Download the template from this page."
        )
    )


def _header_at(rows: list[tuple[int, list[object]]]) -> int | None:
    """Which of the first rows is the header: the first with a column of opinions."""
    return next(
        (
            i
            for i, (_n, values) in enumerate(rows[:HEADER_SEARCH])
            if any(_column_of(_header_key(v)) is OPINION_COLUMNS[1] for v in values)
        ),
        None,
    )


def rows_to_opinions(rows: list[tuple[int, list[object]]]) -> list[OpinionRow]:
    """``rows``: (row number, values), the header among the first ones; every row checked."""
    rows = filled_rows(rows)
    if not rows:
        raise RosterError(_("the sheet is empty: it needs a header row and at least one opinion."))
    header_at = _header_at(rows)
    if header_at is None:
        raise _no_column()
    header_row, header = rows[header_at]
    if any(_header_key(v) in DOWNLOAD_HEADERS for v in header):
        raise RosterError(
            _(
                "this is a download of the opinions recorded here (it has the column “Nhận qua”): importing it "
                "would record them twice. Import a table of opinions not yet recorded."
            ),
            row=header_row,
        )
    found: dict[int, OpinionColumn] = {}
    for index, value in enumerate(header):
        key = _header_key(value)
        column = _column_of(key)
        if column is not None:
            if column in found.values():
                raise RosterError(
                    _("two columns are headed “%(title)s”: keep one.") % {"title": clean_line(str(value))},
                    row=header_row,
                    column=_letter(index),
                )
            found[index] = column
    data = rows[header_at + 1 :]
    for index, value in enumerate(header):  # a column the office filled and nothing would read
        key = _header_key(value)
        if index in found or key in IGNORED_HEADERS:
            continue
        if any(index < len(values) and values[index] is not None and str(values[index]).strip() for _n, values in data):
            raise RosterError(
                _(
                    "the column “%(title)s” is not read: head it “Về người”, “Ý kiến”, “Người ký tên”, “Ngày "
                    "nhận” or “Phân loại”, or delete it, then import the file again."
                )
                % {"title": clean_line(_text(value)) or _letter(index)},
                row=header_row,
                column=_letter(index),
            )
    out = []
    numbers = next((i for i, value in enumerate(header) if _header_key(value) in NUMBER_HEADERS), None)
    previous, apart, numbered = header_row, False, True  # ``apart``: a blank row since the last numbered one
    for number, values in data:
        apart, previous = apart or number > previous + 1, number
        has_number = numbers is not None and numbers < len(values) and bool(_text(values[numbers]).strip())
        fields: dict[str, Any] = {}
        for index, column in found.items():
            raw = values[index] if index < len(values) else None
            title = str(column.title)
            if column.key == "received_on":
                fields["received_on"] = _day(raw, number, title)
                continue
            if column.key == "tag":
                fields["tag"] = _tag(raw, number, title)
                continue
            text = clean_block(_text(raw)) if column.key == "text" else clean_line(_text(raw))
            if column.key != "text" and len(text) > 255:
                raise RosterError(
                    _("the text is longer than %(max)s characters.") % {"max": 255}, row=number, column=title
                )
            fields[column.key] = text
        if footer := next((fields[k] for k in ("text", "about", "signed_by") if footer_line(fields.get(k, ""))), ""):
            raise RosterError(
                _(
                    "“%(line)s” is not an opinion but a line written under the table (a place and date, a signature, "
                    "a total): delete it and the lines under it that are not opinions, then import the file again."
                )
                % {"line": footer},
                row=number,
            )
        if not fields.get("text"):
            raise RosterError(
                _(
                    "this row has no opinion. If it is not an opinion (a total, a signature or a note under the "
                    "table), delete it from the file and import it again."
                ),
                row=number,
                column=str(OPINION_COLUMNS[1].title),
            )
        if numbers is not None and not has_number and apart and out and numbered:
            # under a blank row, after opinions all numbered: most likely the signers' names under the table
            raise RosterError(
                _(
                    "“%(text)s” has no number and stands under a blank row, after opinions that all have one: if it "
                    "is an opinion, write its number; if it is the name of someone who signs under the table, "
                    "delete the lines under the table. Then import the file again."
                )
                % {"text": fields["text"]},
                row=number,
                column=clean_line(_text(header[numbers])),
            )
        numbered = numbered and has_number
        apart = apart and not has_number
        about, signed = fields.get("about", ""), fields.get("signed_by", "")
        out.append(
            OpinionRow(
                row=number,
                about="" if (general := strip_marks(about) in GENERAL or about in GENERAL) else about,
                general=general and bool(about),
                text=fields["text"],
                signed_by="" if strip_marks(signed) in UNSIGNED else signed,
                received_on=fields.get("received_on"),
                tag=fields.get("tag", "new"),
            )
        )
    if not out:
        raise RosterError(_("the file has a header but no opinion under it."), row=header_row + 1)
    return out


def _xlsx_opinions(data: bytes) -> list[OpinionRow]:
    """The opinions of every sheet of the workbook that has a column of opinions (a sheet for each
    person, as offices often keep them; a cover or a note without one is passed over), in the
    order of the sheets; a refusal names its sheet when the workbook has several."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DAMAGED_XLSX as exc:
        raise RosterError(_("the Excel file is damaged or is not an .xlsx file.")) from exc
    out: list[OpinionRow] = []
    written = False  # whether any sheet has something in it
    try:
        sheets = workbook.worksheets
        for sheet in sheets:
            named = sheet.title if len(sheets) > 1 else None
            try:
                rows = _sheet_rows(sheet)[0]
                written = written or bool(filled_rows(rows))
                if _header_at(filled_rows(rows)) is None and (len(sheets) > 1 or not rows):
                    continue  # not a table of opinions: a cover, a note, an empty sheet
                merged, hidden = _sheet_layout(data, sheet)
                _fill_merged_down(rows, merged)  # a person's name merged down over their opinions
                _refuse_hidden_rows(
                    rows,
                    hidden,
                    _(
                        "the sheet has hidden rows (%(rows)s). Show them (Unhide, or clear the filter), delete "
                        "the opinions not to be imported, then import the file again."
                    ),
                )
                out += [replace(row, sheet=named, title=sheet.title) for row in rows_to_opinions(rows)]
            except RosterError as exc:
                raise _on_sheet(exc, named) from None
    except DAMAGED_XLSX as exc:
        raise RosterError(_("the Excel file is damaged or is not an .xlsx file.")) from exc
    finally:
        workbook.close()
    if not out:  # no sheet holds a table of opinions
        raise (
            _no_column()
            if written
            else RosterError(_("the sheet is empty: it needs a header row and at least one opinion."))
        )
    return out


ABOVE_LINES = 5  # the lines above a Word table that may name whom it is about


def _docx_opinions(data: bytes) -> list[OpinionRow]:
    """The opinions of a Word document's tables that have a column of opinions (the table of a
    report compiling them, under its title block; one table a person, or one a page), in the
    order of the document; a table without such a column (the title block, the signatures) is
    passed over. A row's number is its place in these tables counted on from one to the next, as
    a Word list of persons is read (``roster_file._read_docx``). Each row carries the lines of
    text between its table and the one before (``ABOVE_LINES`` at most, nearest first): a report
    heads each person's table with their name."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        fonts = _WordFonts(document)
        tables = list(document.tables)
        fonts.legacy = fonts.legacy_evident(tables)
    except (PackageNotFoundError, *DAMAGED_XLSX) as exc:
        raise RosterError(_("the Word file is damaged or is not a .docx file.")) from exc
    out: list[OpinionRow] = []
    offset = 0
    above: list[str] = []  # the lines since the last table, nearest first
    try:
        for block in document.iter_inner_content():
            if not isinstance(block, Table):
                if line := clean_line(fonts.text_of(fonts.paragraph_runs(block._p, document))[0]):
                    above = [line, *above][:ABOVE_LINES]
                continue
            table, lines, above = block, tuple(above), []
            rows, merged, _converted = _word_table_rows(table, fonts, offset)
            if not rows or _header_at(filled_rows(rows)) is None:
                continue  # not a table of opinions: the title block, the signatures
            _fill_merged_down(rows, merged)  # a person's name merged down over their opinions
            out += [replace(row, above=lines) for row in rows_to_opinions(rows)]
            offset = rows[-1][0]
    except DAMAGED_XLSX as exc:
        raise RosterError(_("the Word file is damaged or is not a .docx file.")) from exc
    if not out:
        raise _no_column()
    return out


def template_xlsx() -> bytes:
    """An empty table of opinions to fill in and import, its headers the ones read here, in the
    page's language; the column "Phân loại" offers its classifications in a list (Excel's data
    validation), and may be left empty."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from .roster_file import write_table_xlsx

    header = [_("No."), *(str(c.title) for c in OPINION_COLUMNS)]
    workbook = load_workbook(io.BytesIO(write_table_xlsx([header], _("Opinions"))))
    sheet = workbook.active
    letter = _letter(len(header) - 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(str(c) for c in TAG_CHOICES) + '"', allow_blank=True)
    choices.add(f"{letter}2:{letter}2000")
    sheet.add_data_validation(choices)
    for column, width in zip("ABCDEF", (6, 28, 60, 24, 14, 22), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_opinions(filename: str, data: bytes, max_bytes: int) -> list[OpinionRow]:
    """The opinions of a table file; :class:`RosterError` with a Vietnamese reason if it is refused."""
    name = filename.lower()
    check_size(data, max_bytes)
    if name.endswith((".xlsx", ".docx")):
        word = name.endswith(".docx")
        if data.startswith(_OLE):  # protected by a password, or an old file renamed
            _refuse_ole(data, word=word)
        if not data.startswith(b"PK\x03\x04"):
            raise RosterError(
                _("the Word file is damaged or is not a .docx file.")
                if word
                else _("the Excel file is damaged or is not an .xlsx file.")
            )
        return _docx_opinions(data) if word else _xlsx_opinions(data)
    if name.endswith(".csv"):
        return rows_to_opinions(csv_rows(data))
    if name.endswith(".xls"):
        raise RosterError(_("old Excel files (.xls) are not supported: open it in Excel and save it as .xlsx."))
    if name.endswith(".doc"):
        raise RosterError(_("old Word files (.doc) are not supported: open it in Word and save it as .docx."))
    raise RosterError(_("only Excel (.xlsx), CSV and Word (.docx) files of opinions can be imported."))
