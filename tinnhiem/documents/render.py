"""Rendering PDFs with Typst. Data goes in as one JSON input; templates live in ``typst/``.

Fonts: Times New Roman or Liberation Serif when installed (official documents use Times New
Roman 13–14 pt); otherwise Typst's embedded serif. No font is fetched from the network.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import typst

TEMPLATES = resources.files(__package__).joinpath("typst")


def render_pdf(template: str, data: dict[str, Any]) -> bytes:
    """Compile ``typst/<template>.typ`` with ``data`` available as ``json(bytes(sys.inputs.data))``."""
    with resources.as_file(TEMPLATES) as folder:
        path = folder / f"{template}.typ"
        return typst.compile(str(path), root=str(folder), sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
