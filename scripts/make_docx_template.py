"""Build the default Word templates: the counting minutes (tinnhiem/documents/word/bien-ban-kiem-phieu.docx),
the report of a conference's results and the draft resolution (bao-cao-ket-qua.docx), and the
summary report of a campaign (bao-cao-tong-hop.docx).

The office may replace them with its own .docx using the same tags (docs/documents.md).
Run: .venv/bin/python scripts/make_docx_template.py
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

WORD = Path(__file__).resolve().parent.parent / "tinnhiem" / "documents" / "word"
OUT = WORD / "bien-ban-kiem-phieu.docx"
SUMMARY_OUT = WORD / "bao-cao-tong-hop.docx"
REPORT_OUT = WORD / "bao-cao-ket-qua.docx"


def para(doc, text, bold=False, italic=False, align=None, size=13):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if align:
        p.alignment = align
    return p


def new_document():
    """A4, the margins of Nghị định 30/2020/NĐ-CP, Times New Roman 13, and the two-column header."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
        Mm(20),
        Mm(20),
        Mm(30),
        Mm(15),
    )
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    # the governing body's line only when there is one (a People's Committee prints none)
    left.paragraphs[0].add_run("{%p if header.parent %}")
    left.add_paragraph().add_run("{{ header.parent|upper }}").font.size = Pt(12)
    left.add_paragraph().add_run("{%p endif %}")
    r = left.add_paragraph().add_run("{{ header.body|upper }}")
    r.bold = True
    # a Party body's star (Hướng dẫn 36-HD/VPTW), on its line; then Số: …/BC-UBND (empty for the minutes)
    left.add_paragraph().add_run('{% if header.mark %}{{ header.mark }}{{ "\\n" }}{% endif %}{{ header.number }}')
    for p in left.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = right.paragraphs[0].add_run(
        "{% if header.system == 'party' %}ĐẢNG CỘNG SẢN VIỆT NAM{% else %}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM{% endif %}"
    )
    r.bold, r.font.size = True, Pt(12)
    r = right.add_paragraph().add_run("{% if header.system != 'party' %}Độc lập - Tự do - Hạnh phúc{% endif %}")
    r.bold = True
    right.add_paragraph().add_run("{{ header.place_date }}").italic = True
    for p in right.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _widths(head, [62, TEXT_WIDTH - 62])  # the national motto (12 pt) on one line, as Nghị định 30/2020 sets it
    return doc


TEXT_WIDTH = 165  # mm: A4 less the margins of new_document()


def _row_flag(row, tag: str) -> None:
    """A row property of Word: ``w:tblHeader`` repeats the row on every page, ``w:cantSplit`` keeps
    the row on one page."""
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _widths(table, widths_mm) -> None:
    """Both the grid (which LibreOffice follows) and every cell (which Word follows)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cell_lines(cell, lines) -> None:
    """(text, bold, italic, size) per paragraph of a cell, centred, after what the cell holds."""
    for n, (text, bold, italic, size) in enumerate(lines):
        empty = n == 0 and len(cell.paragraphs) == 1 and not cell.paragraphs[0].text
        p = cell.paragraphs[0] if empty else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def keep_with_signatures(paragraph) -> None:
    """The line above the signatures goes to the next page with them: they never stand alone."""
    paragraph.paragraph_format.keep_with_next = True


def _recipients(cell) -> None:
    """“Nơi nhận” at the top of the first cell of a row, left-aligned, when that cell's entry has
    ``to`` (the blank beside a body's one signature: documents/word.py)."""
    lines = [
        ("{%p if row[0].to %}", False, False, 11),
        ("Nơi nhận:", True, True, 12),
        ("{%p for t in row[0].to %}", False, False, 11),
        ("- {{ t }}", False, False, 11),
        ("{%p endfor %}", False, False, 11),
        ("{%p endif %}", False, False, 11),
    ]
    for text, bold, italic, size in lines:
        p = cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = p.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    first = cell.paragraphs[0]  # the cell's own empty paragraph, before them
    first._p.getparent().remove(first._p)


def signatures(doc, columns: int, *, recipients: bool = False) -> None:
    """The signers side by side, ``columns`` to a row (``signer_rows``, made by documents/word.py), as
    on the printed minutes; a row never breaks across pages, so a title stays with its name. With
    ``recipients``, the first cell of a row begins with its “Nơi nhận”, if it has one."""
    para(doc, "").paragraph_format.keep_with_next = True  # with the signatures' first row
    table = doc.add_table(rows=3, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    start, body, end = table.rows
    start.cells[0].text = "{%tr for row in signer_rows %}"
    if recipients:
        _recipients(body.cells[0])
    for i, cell in enumerate(body.cells):
        s = f"row[{i}]"
        _cell_lines(
            cell,
            [
                ("{{ " + s + ".role|upper }}", True, False, 13),
                ("{% if " + s + ".role %}(Ký, ghi rõ họ tên){% endif %}", False, True, 11),
                ("", False, False, 13),
                ("", False, False, 13),
                ("", False, False, 13),
                ("{{ " + s + ".name }}", True, False, 13),
            ],
        )
    end.cells[0].text = "{%tr endfor %}"
    _row_flag(body, "w:cantSplit")
    for cell in body.cells:  # every row keeps with the next: the signatures stay together on one page
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    _widths(table, [TEXT_WIDTH / columns] * columns)


def results_table(doc, rows: str, *, invalid: bool = True) -> None:
    """STT | name, post | the levels as text | invalid (unless ``invalid`` is false); one row per
    person of ``rows``. The heading row repeats on every page and a person's row is never split
    between two pages."""
    heads = ["STT", "Họ và tên, chức vụ", "Kết quả"] + (["{{ invalid_word }}"] if invalid else [])
    table = doc.add_table(rows=4, cols=len(heads))
    table.style = "Table Grid"
    hdr, start, body, end = table.rows
    start.cells[0].text = "{%tr for r in " + rows + " %}"
    for cell, text in zip(hdr.cells, heads, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    body.cells[0].text = "{{ r.no }}"
    body.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    body.cells[1].text = "{{ r.name }}, {{ r.post }}"
    body.cells[2].text = "{{ r.levels_text }}"
    if invalid:
        body.cells[3].text = "{{ r.invalid }}"
        body.cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    end.cells[0].text = "{%tr endfor %}"
    _row_flag(hdr, "w:tblHeader")
    _row_flag(body, "w:cantSplit")
    _widths(table, [14, 61, 60, 30] if invalid else [14, 79, 72])  # "STT" in bold fits 14 mm


def after_table(doc, text: str) -> None:
    """A heading right after a table, with room above it."""
    para(doc, text, bold=True).paragraph_format.space_before = Pt(10)


def minutes() -> None:
    doc = new_document()
    para(doc, "{{ title }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(doc, "{{ subtitle }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{{ opening }}")
    para(doc, "{%p for line in intro %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for form in forms %}")
    para(doc, "{{ form.name }}", bold=True)
    para(doc, "{{ form.ballots_sentence }}")
    para(doc, "{{ form.base_sentence }}")
    results_table(doc, "form.rows")
    after_table(doc, "{{ conclusions_word }}")
    para(doc, "{%p for r in form.rows %}")
    para(doc, "– {{ r.name }}: {{ r.consequence }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if form.rulings %}")
    para(doc, "{{ rulings_word }}", bold=True)
    para(doc, "{%p for x in form.rulings %}")
    para(doc, "– {{ x }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if form.rulings_legend %}")
    para(doc, "{{ form.rulings_legend }}", italic=True, size=11)
    para(doc, "{%p endif %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for line in closing %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    keep_with_signatures(para(doc, "{{ fingerprint_sentence }}", size=11))
    signatures(doc, 3)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print(OUT)


def report() -> None:
    """The report of one conference's results to the managing authority, and the draft resolution
    confirming them (People's Councils, the National Assembly): the keys of ``official.report_context``.
    The resolution is a draft the secretariat completes, so it is wanted in Word."""
    doc = new_document()
    para(doc, "{{ title }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(doc, "{{ subtitle }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p if recipient %}")
    para(doc, "{{ recipient }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p endif %}")
    para(doc, "{%p for line in body %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for form in forms %}")
    results_table(doc, "form.rows", invalid=False)
    para(doc, "{%p for r in form.rows %}")
    para(doc, "{%p if r.outcome != 'none' %}")
    para(doc, "– {{ r.name }}: {{ r.consequence }}").paragraph_format.space_before = Pt(6)
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for line in closing %}")
    para(doc, "{{ line }}").paragraph_format.space_before = Pt(6)
    para(doc, "{%p endfor %}")
    keep_with_signatures(para(doc, "{{ fingerprint_sentence }}", size=11))
    signatures(doc, 2, recipients=True)
    doc.save(REPORT_OUT)
    print(REPORT_OUT)


def summary() -> None:
    """The tags are the keys of ``official.summary_context``."""
    doc = new_document()
    para(doc, "{{ title }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(doc, "{{ subtitle }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{{ recipient }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p for line in body %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for s in sections %}")
    para(doc, "{{ s.heading }}", bold=True)
    para(doc, "{%p for line in s.lines %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    results_table(doc, "s.table.rows")
    para(doc, "{%p endfor %}")
    after_table(doc, "{{ conclusions_word }}")
    para(doc, "{%p for line in conclusions %}")
    para(doc, "– {{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if places %}")
    para(doc, "{{ places_word }}", bold=True)
    para(doc, "{%p for line in places %}")
    para(doc, "– {{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{{ places_note }}", italic=True)
    para(doc, "{%p endif %}")
    para(doc, "{%p for line in closing %}")
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}")
    keep_with_signatures(para(doc, "{{ fingerprint_sentence }}", size=11))
    signatures(doc, 2, recipients=True)
    doc.save(SUMMARY_OUT)
    print(SUMMARY_OUT)


def main() -> None:
    minutes()
    report()
    summary()


if __name__ == "__main__":
    main()
