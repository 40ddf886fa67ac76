"""The counting minutes as a Word document, from a .docx template with Jinja tags (docxtpl).

The office may use its own template: put it at ``<TINNHIEM_DATA_DIR>/templates/bien-ban-kiem-phieu.docx``.
The tags are listed in docs/documents.md; they are the keys of ``minutes_context``.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from django.conf import settings

from tinnhiem.conferences.models import Conference

from .official import minutes_context

TEMPLATE_NAME = "bien-ban-kiem-phieu.docx"


def minutes_template() -> Path | None:
    custom = Path(settings.DATA_DIR) / "templates" / TEMPLATE_NAME
    return custom if custom.exists() else None


def render_minutes_docx(conference: Conference) -> bytes:
    from docxtpl import DocxTemplate

    custom = minutes_template()
    if custom is not None:
        template = DocxTemplate(str(custom))
    else:
        with resources.as_file(resources.files(__package__).joinpath("word", TEMPLATE_NAME)) as path:
            template = DocxTemplate(str(path))
    template.render(minutes_context(conference), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
