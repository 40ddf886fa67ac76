"""Photos of the pages of a paper document (a signed report, a written explanation) made into one
PDF, a page each, in the order given: what a rated person has when the document is on paper and
the office's scanner is far away.

Each photo is turned upright as the phone recorded it (EXIF orientation: OpenCV applies it when
it decodes), made no larger than an A4 page needs at 200 dpi, and written again as a JPEG of its
pixels only: no date, no position, no phone model reaches the PDF the voters get. The same
photos give the same PDF, byte for byte (Typst, no date), so a file sent twice is known as such.
"""

from __future__ import annotations

import cv2
import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinnhiem.scanning.images import MAX_PIXELS, PNG_SIGNATURE, size
from tinnhiem.text import clean_line

from .render import render_pdf_with_files

MAX_PHOTOS = 20  # the pages of one document (Typst holds each decoded: about 14 MB a page)
LONG_SIDE = 2339  # pixels: the long side of an A4 page at 200 dpi, as ballots are scanned
JPEG_QUALITY = 85


def is_photo(data: bytes) -> bool:
    """A JPEG or PNG file, by its first bytes."""
    return data[:3] == b"\xff\xd8\xff" or data[:8] == PNG_SIGNATURE


def _reduction(width: int, height: int) -> int:
    """The OpenCV flag that decodes a JPEG at 1/2, 1/4 or 1/8 of its size when that is still
    enough for the page (a 50-megapixel photo is read at a quarter of the memory)."""
    for factor, flag in (
        (8, cv2.IMREAD_REDUCED_COLOR_8),
        (4, cv2.IMREAD_REDUCED_COLOR_4),
        (2, cv2.IMREAD_REDUCED_COLOR_2),
    ):
        if max(width, height) // factor >= LONG_SIDE:
            return flag
    return cv2.IMREAD_COLOR


def _page(name: str, data: bytes) -> tuple[bytes, bool]:
    """One photo as a page of the PDF: its JPEG bytes, cleaned, and whether it lies sideways."""
    # its size from its header, before it is decoded: a file whose header cannot be read is not decoded
    width, height = size(data) or (0, 0)
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The photo “%(name)s” has %(megapixels)s million pixels, more than the %(limit)s million it may have.")
            % {"name": clean_line(name), "megapixels": round(width * height / 1e6), "limit": round(MAX_PIXELS / 1e6)}
        )
    flag = _reduction(width, height) if data[:3] == b"\xff\xd8\xff" else cv2.IMREAD_COLOR
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag) if width and height else None
    if image is None:
        raise ValidationError(
            _("The photo “%(name)s” cannot be read (the file is damaged or cut short). Send it again.")
            % {"name": clean_line(name)}
        )
    longest = max(image.shape[:2])
    if longest > LONG_SIDE:
        scale = LONG_SIDE / longest
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1]  # a decoded image encodes
    return encoded.tobytes(), image.shape[1] > image.shape[0]


def photos_pdf(photos: list[tuple[str, bytes]]) -> bytes:
    """One PDF of ``photos`` (file name, JPEG or PNG bytes), a page each, in their order."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("%(n)s photos were chosen; a document may have at most %(max)s pages. Send it in parts.")
            % {"n": len(photos), "max": MAX_PHOTOS}
        )
    pages = [_page(name, data) for name, data in photos]
    files = {f"{number}.jpg": jpeg for number, (jpeg, _across) in enumerate(pages, start=1)}
    listed = [{"file": f"{number}.jpg", "landscape": across} for number, (_jpeg, across) in enumerate(pages, start=1)]
    return render_pdf_with_files("photos", {"photos": listed}, files)
