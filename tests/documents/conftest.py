"""Conferences with finalised results for the documents: the seed (2 persons, demo) and a
44-person People's Council-size vote counted by hand totals."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest

from tests.conftest import shared_demo_open
from tinnhiem.conferences.models import Conference
from tinnhiem.site.demo import FINISHED_TITLE, build_council_vote


@pytest.fixture
def seed(shared_demo, request, db):
    """The finished demo conference (the demo loaded once per module, rolled back after each test)."""
    shared_demo_open(request)
    return Conference.objects.get(title=FINISHED_TITLE)


@pytest.fixture
def big(office, make_user):
    """44 rated persons, 60 deputies, under NQ 96/2023 at a province: counted by hand totals."""
    chair = make_user("chair", "chair44")
    counters = [make_user("committee", f"kp44-{i}") for i in range(7)]
    return build_council_vote(office, chair, counters)


def pdf_pages(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in doc]  # lines joined
    finally:
        doc.close()


def page_image(data: bytes, index: int = 0, dpi: int = 150) -> np.ndarray:
    doc = pdfium.PdfDocument(data)
    try:
        image = doc[index].render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        doc.close()
    return np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)  # zxing-cpp needs contiguous memory
