"""Build the default Word templates: the counting minutes (tinnhiem/documents/word/bien-ban-kiem-phieu.docx)
and the summary report of a campaign (tinnhiem/documents/word/bao-cao-tong-hop.docx).

The office may replace them with its own .docx using the same tags (docs/documents.md).
Run: .venv/bin/python scripts/make_docx_template.py
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

WORD = Path(__file__).resolve().parent.parent / "tinnhiem" / "documents" / "word"
OUT = WORD / "bien-ban-kiem-phieu.docx"
SUMMARY_OUT = WORD / "bao-cao-tong-hop.docx"


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
    left.paragraphs[0].add_run("{{ header.parent|upper }}").font.size = Pt(12)
    r = left.add_paragraph().add_run("{{ header.body|upper }}")
    r.bold = True
    for p in left.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = right.paragraphs[0].add_run(
        "{% if header.system == 'party' %}ĐẢNG CỘNG SẢN VIỆT NAM{% else %}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM{% endif %}"
    )
    r.bold = True
    r = right.add_paragraph().add_run("{% if header.system != 'party' %}Độc lập - Tự do - Hạnh phúc{% endif %}")
    r.bold = True
    right.add_paragraph().add_run("{{ header.place_date }}").italic = True
    for p in right.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def signatures(doc) -> None:
    para(doc, "{%p for s in signers %}")
    para(doc, "{{ s.role|upper }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "(Ký, ghi rõ họ tên)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)
    para(doc, "")
    para(doc, "")
    para(doc, "{{ s.name }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p endfor %}")


def results_table(doc, rows: str) -> None:
    """STT | name, post | the levels as text | invalid; one row per person of ``rows``."""
    table = doc.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    hdr, start, body, end = table.rows
    start.cells[0].text = "{%tr for r in " + rows + " %}"
    hdr.cells[0].text = "STT"
    hdr.cells[1].text = "Họ và tên, chức vụ"
    hdr.cells[2].text = "Kết quả"
    hdr.cells[3].text = "{{ invalid_word }}"
    body.cells[0].text = "{{ r.no }}"
    body.cells[1].text = "{{ r.name }}, {{ r.post }}"
    body.cells[2].text = "{{ r.levels_text }}"
    body.cells[3].text = "{{ r.invalid }}"
    end.cells[0].text = "{%tr endfor %}"


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
    para(doc, "{{ conclusions_word }}", bold=True)
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
    para(doc, "{{ fingerprint_sentence }}", size=11)
    signatures(doc)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print(OUT)


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
    para(doc, "{{ conclusions_word }}", bold=True)
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
    para(doc, "{{ fingerprint_sentence }}", size=11)
    signatures(doc)
    doc.save(SUMMARY_OUT)
    print(SUMMARY_OUT)


def main() -> None:
    minutes()
    summary()


if __name__ == "__main__":
    main()
