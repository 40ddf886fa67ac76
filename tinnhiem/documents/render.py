"""Rendering PDFs with Typst. Data goes in as one JSON input; templates live in ``typst/``.

Fonts: Times New Roman or Liberation Serif when installed (official documents use Times New
Roman 13–14 pt); otherwise Typst's embedded Libertinus Serif. No font is fetched from a network.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import typst

TEMPLATES = resources.files(__package__).joinpath("typst")


def render_pdf(template: str, data: dict[str, Any]) -> bytes:
    """Compile ``typst/<template>.typ`` with ``data`` available as ``json(bytes(sys.inputs.data))``."""
    with resources.as_file(TEMPLATES) as folder:
        path = folder / f"{template}.typ"
        return typst.compile(str(path), root=str(folder), sys_inputs={"data": json.dumps(data, ensure_ascii=False)})


def render_pdf_with_files(template: str, data: dict[str, Any], files: dict[str, bytes]) -> bytes:
    """As ``render_pdf``, with ``files`` (name → bytes) in the template's folder for it to read,
    such as images: a file as it is, where a JSON input would hold each of its bytes as a number
    (10 photos so took 489 MB to compile: docs/benchmarks.md). The template stands alone (it
    imports nothing)."""
    with tempfile.TemporaryDirectory() as folder, resources.as_file(TEMPLATES) as templates:
        path = Path(folder) / f"{template}.typ"
        shutil.copyfile(templates / f"{template}.typ", path)
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        return typst.compile(str(path), root=folder, sys_inputs={"data": json.dumps(data, ensure_ascii=False)})


def query(template: str, data: dict[str, Any], label: str) -> list[Any]:
    """The values of the metadata labelled ``label`` in ``typst/<template>.typ`` with ``data``
    (what the template tells of its own layout)."""
    with resources.as_file(TEMPLATES) as folder:
        found = typst.query(
            str(folder / f"{template}.typ"),
            f"<{label}>",
            field="value",
            root=str(folder),
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        )
    return json.loads(found)


def merge_pdfs(parts: list[bytes]) -> bytes:
    import io

    import pypdfium2 as pdfium

    from tinnhiem.pdfium_lock import LOCK

    if len(parts) == 1:
        return parts[0]
    out = io.BytesIO()
    with LOCK:
        merged = pdfium.PdfDocument.new()
        try:
            for part in parts:
                source = pdfium.PdfDocument(part)
                try:
                    merged.import_pages(source)
                finally:
                    source.close()
            merged.save(out)
        finally:
            merged.close()
    return out.getvalue()


def render_pdf_chunks(
    template: str,
    data_for: Callable[[int], dict[str, Any]],
    total: int,
    *,
    chunk: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Render ``total`` copies in chunks (``data_for(n)`` gives the data of n copies), reporting progress."""
    parts = []
    done = 0
    cache: dict[int, bytes] = {}
    while done < total:
        n = min(chunk, total - done)
        if n not in cache:  # every copy is identical: a full chunk is rendered once
            cache[n] = render_pdf(template, data_for(n))
        parts.append(cache[n])
        done += n
        if progress:
            progress(done, total)
    return merge_pdfs(parts)
