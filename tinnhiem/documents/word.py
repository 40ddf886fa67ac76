"""Word documents from .docx templates with Jinja tags (docxtpl): the counting minutes, the report of
a conference's results and the draft resolution confirming them, and the summary report of a
campaign, which the office completes, numbers and signs.

The office may use its own templates: put them in ``<TINNHIEM_DATA_DIR>/templates/`` under the same
names (``bien-ban-kiem-phieu.docx``, ``bao-cao-ket-qua.docx``, ``bao-cao-tong-hop.docx``). The tags
are listed in docs/documents.md; they are the keys of ``minutes_context``, ``report_context`` and
``summary_context``.
"""

from __future__ import annotations

import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from tinnhiem.conferences.models import Campaign, Conference

from .official import minutes_context, report_context, summary_context

TEMPLATE_NAME = "bien-ban-kiem-phieu.docx"
SUMMARY_TEMPLATE_NAME = "bao-cao-tong-hop.docx"
REPORT_TEMPLATE_NAME = "bao-cao-ket-qua.docx"


def _custom(name: str) -> Path | None:
    custom = Path(settings.DATA_DIR) / "templates" / name
    return custom if custom.exists() else None


class WordTemplateError(CommandError):
    """The office's own template cannot make the document (a tag that does not parse, a file that
    is not a .docx): said with the file and the error. A CommandError, so that the commands print
    it as any of their errors; the pages show it on the page the document was asked from."""


def template_problem(path: Path, exc: BaseException) -> str:
    return _(
        "The office's Word template %(file)s cannot be used: %(error)s. Correct it, or remove it to use the built-in one."
    ) % {"file": path, "error": (str(exc) or type(exc).__name__).rstrip(".")}


def _render(name: str, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    custom = _custom(name)
    if custom is None:  # DocxTemplate opens its file only when rendering: inside as_file's lifetime
        with resources.as_file(resources.files(__package__).joinpath("word", name)) as path:
            return _rendered(DocxTemplate(str(path)), context)
    try:  # the office's file, edited in Word: any error of it is the office's to correct
        return _rendered(DocxTemplate(str(custom)), context)
    except Exception as exc:
        raise WordTemplateError(template_problem(custom, exc)) from exc


def _rendered(template: Any, context: dict[str, Any]) -> bytes:
    template.render(context, autoescape=True)
    _unbroken(template.docx)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


# a fingerprint (3F2A-91C0-7B44-E1D2), or a document number or date (274-KH/TU, 05/KH-HĐND): the
# PDFs keep each on one line (common.typ), and so does Word, with its own non-breaking hyphens
UNBROKEN = re.compile(r"\b[0-9A-F]{4}(?:-[0-9A-F]{4}){3}\b|\b\d{1,4}(?:[-/][^\W_]{1,10}){1,4}\b")


def _unbroken(document: Any) -> None:
    """The hyphens inside a fingerprint or a document number become Word's non-breaking hyphens
    (``w:noBreakHyphen``; the text read back is the same): Word would end a line after one."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for t in list(document.element.body.iter(qn("w:t"))):
        text = t.text or ""
        cuts = [i for m in UNBROKEN.finditer(text) for i in range(*m.span()) if text[i] == "-"]
        if not cuts:
            continue
        pieces = [text[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(text)], strict=True)]
        parts = []
        for n, piece in enumerate(pieces):
            if n:
                parts.append(OxmlElement("w:noBreakHyphen"))
            if piece:
                part = OxmlElement("w:t")
                part.text = piece
                part.set(qn("xml:space"), "preserve")
                parts.append(part)
        for part in reversed(parts):  # each put right after the text it replaces, so in order
            t.addnext(part)
        t.getparent().remove(t)


def signer_rows(signers: list[dict[str, str]], columns: int, *, right: bool = False) -> list[list[dict[str, str]]]:
    """The signers ``columns`` to a row, as the table of signatures shows them; the last row filled up
    with blanks, after the signers, or before them when ``right`` (one signature for a body goes on
    the right, as on an official letter)."""
    blank = {"role": "", "name": ""}
    rows = [list(signers[i : i + columns]) for i in range(0, len(signers), columns)]
    if rows and len(rows[-1]) < columns:
        pad = [blank] * (columns - len(rows[-1]))
        rows[-1] = pad + rows[-1] if right else rows[-1] + pad
    return rows


def _with_recipients(rows: list[list[dict[str, str]]], to: list[str]) -> list[list[dict[str, Any]]]:
    """The blank beside a body's one signature carries the document's “Nơi nhận” (``to``), which
    the template prints there, at the left, as the PDF does."""
    if rows and to and not rows[0][0]["role"]:
        rows[0][0] = {**rows[0][0], "to": to}
    return rows


def render_minutes_docx(conference: Conference) -> bytes:
    context = minutes_context(conference)
    return _render(TEMPLATE_NAME, context | {"signer_rows": signer_rows(context["signers"], 3)})


def render_report_docx(conference: Conference, *, resolution: bool = False) -> bytes:
    """The report to the managing authority, or (``resolution``) the draft resolution confirming the
    results, as the PDF has them: one template serves both."""
    context = report_context(conference, resolution=resolution)
    rows = _with_recipients(signer_rows(context["signers"], 2, right=True), context["to"])
    return _render(REPORT_TEMPLATE_NAME, context | {"signer_rows": rows})


def render_summary_docx(campaign: Campaign) -> bytes:
    context = summary_context(campaign)
    rows = _with_recipients(signer_rows(context["signers"], 2, right=True), context["to"])
    return _render(SUMMARY_TEMPLATE_NAME, context | {"signer_rows": rows})
