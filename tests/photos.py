"""Photos as phones take them, for the documents a rated person photographs: a JPEG of a page
(light, with a dark block in its top left corner, as stored), which may carry an EXIF orientation
and what else a phone writes beside the pixels."""

from __future__ import annotations

import cv2
import numpy as np


def photo(width: int = 600, height: int = 800, *, orientation: int | None = None, note: bytes = b"") -> bytes:
    """A JPEG ``width`` × ``height`` as stored; with ``orientation``, an EXIF segment telling how
    to turn it upright (6: a quarter turn clockwise), followed by ``note`` (a position, a model)."""
    image = np.full((height, width, 3), 235, np.uint8)
    image[: height // 4, : width // 4] = (40, 40, 40)
    data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    if orientation is None and not note:
        return data
    return with_orientation(data, orientation or 1, note)


def with_orientation(jpeg: bytes, orientation: int, note: bytes = b"") -> bytes:
    """``jpeg`` with an EXIF segment holding its orientation, followed by ``note``."""
    # TIFF, big-endian: one IFD of one entry, Orientation (0x0112, SHORT, 1 value), no next IFD
    ifd = b"\x00\x01" + b"\x01\x12\x00\x03\x00\x00\x00\x01" + orientation.to_bytes(2, "big") + b"\x00\x00"
    payload = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + ifd + b"\x00\x00\x00\x00" + note
    return jpeg[:2] + b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[2:]


def png(width: int = 800, height: int = 600) -> bytes:
    image = np.full((height, width, 3), 235, np.uint8)
    return cv2.imencode(".png", image)[1].tobytes()
