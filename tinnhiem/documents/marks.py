"""Machine-readable marks of a printed ballot: ArUco fiducials and the QR code.

The QR names the conference, the ballot form, the layout version and the page, with an HMAC so
that a forged or foreign sheet is refused. It never carries a per-sheet serial: every copy of a
form is identical, so no sheet can be matched to the voter who received it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

PREFIX = "TN1"


@cache
def aruco_svg(marker_id: int) -> str:
    """The marker's black square as an SVG (6 × 6 cells for DICT_4X4_50: 4 × 4 bits plus the border)."""
    import cv2

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    image = cv2.aruco.generateImageMarker(dictionary, marker_id, 6)
    cells = "".join(
        f'<rect x="{x}" y="{y}" width="1.02" height="1.02"/>'
        for y, row in enumerate(image.tolist())
        for x, value in enumerate(row)
        if value < 128
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 6" shape-rendering="crispEdges"><g fill="#000">{cells}</g></svg>'


def qr_svg(payload: str) -> str:
    import segno

    return segno.make(payload, error="m", micro=False).svg_inline(scale=1, border=0, dark="#000")


@dataclass(frozen=True)
class SheetId:
    conference: int
    form: int
    version: str
    page: int


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:16]


def qr_payload(key: bytes, sheet: SheetId) -> str:
    body = f"{PREFIX}:{sheet.conference}:{sheet.form}:{sheet.version}:{sheet.page}"
    return f"{body}:{_mac(key, body)}"


def parse_qr(key: bytes, text: str) -> SheetId | None:
    """The sheet named by a QR, or None when it is not one of ours or its HMAC does not match."""
    parts = text.strip().split(":")
    if len(parts) != 6 or parts[0] != PREFIX:
        return None
    body = ":".join(parts[:5])
    if not hmac.compare_digest(_mac(key, body), parts[5]):
        return None
    try:
        return SheetId(int(parts[1]), int(parts[2]), parts[3], int(parts[4]))
    except ValueError:
        return None
