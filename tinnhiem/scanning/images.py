"""What is kept of a scanned page.

A single JPEG or PNG, as scanners and phones write them, is kept as it came, minus its metadata:
no EXIF (date, scanner or phone model, position), no XMP, no ICC profile, no comment, no text
chunk. The pixels are untouched, so the stored file decodes to exactly what was read, and keeping
it costs nothing (re-encoding a 200-dpi page as PNG takes longer than reading it). Any other page
(a PDF page, a TIFF) is kept as a PNG of its pixels.
"""

from __future__ import annotations

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG segments that decoding needs besides the tables: APP0 (JFIF) and APP14 (Adobe colour transform)
_JPEG_APP_KEPT = {0xE0, 0xEE}
# PNG chunks that decoding needs; everything else (tEXt, zTXt, iTXt, tIME, eXIf, iCCP…) is dropped
_PNG_KEPT = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


# An A4 page scanned at 1,200 dpi has 140 million pixels, a phone's usual photo 12 to 50 million.
# One at 2,400 dpi (560 million; a 12 MB JPEG) took about 1.1 GB to read, two workers reading such
# pages 2.5 GB; from 1,074 million OpenCV refuses to decode, and the page seemed damaged.
MAX_PIXELS = 150_000_000
# the brands of an ISO base media file that hold a HEIF image (HEIC: iPhones' photos since iOS 11)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def is_heic(data: bytes) -> bool:
    """A HEIC (or AVIF) photo, which OpenCV cannot read."""
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def heic_refused(name: str) -> str:
    """Why a HEIC photo is refused, and what to do (on the scan page, and a rated person's page)."""
    from django.utils.translation import gettext as _

    from tinnhiem.text import clean_line

    return _(
        "“%(name)s” is a HEIC photo, as iPhones take them, which cannot be read here. Send the photo "
        "from the phone through this page (the phone sends it as JPEG), or set the camera to "
        "“Most Compatible” (Settings → Camera → Formats) and take it again."
    ) % {"name": clean_line(name)}


def without_metadata(data: bytes) -> tuple[bytes, str] | None:
    """The bytes of a single JPEG or PNG image without its metadata, and the file extension;
    None for any other file, or one whose structure cannot be walked."""
    if data[:3] == b"\xff\xd8\xff":
        kept = _jpeg(data)
        return (kept, "jpg") if kept else None
    if data[:8] == PNG_SIGNATURE:
        kept = _png(data)
        return (kept, "png") if kept else None
    return None


def size(data: bytes) -> tuple[int, int] | None:
    """The width and height in pixels of a single JPEG or PNG image, from its header, without
    decoding it; None for any other file, or one whose header cannot be read."""
    if data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:3] == b"\xff\xd8\xff":
        for marker, start, _end in _jpeg_segments(data) or ():
            if marker in _JPEG_FRAMES:  # FF Cn, length, precision, height, width
                return int.from_bytes(data[start + 7 : start + 9], "big"), int.from_bytes(
                    data[start + 5 : start + 7], "big"
                )
    return None


# the start-of-frame markers, which carry the image's size (C4, C8 and CC are other segments)
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_segments(data: bytes) -> list[tuple[int, int, int]] | None:
    """The segments of a JPEG as (marker, start, end), the last one the start of scan with the
    compressed image and everything after it; None if the structure cannot be walked."""
    found, i = [], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the compressed image follows, kept as it is
            found.append((marker, i, len(data)))
            return found
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            found.append((marker, i, i + 2))
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > len(data):
            return None
        found.append((marker, i, i + 2 + length))
        i += 2 + length
    return None


def _jpeg(data: bytes) -> bytes | None:
    segments = _jpeg_segments(data)
    if segments is None:
        return None
    out = bytearray(data[:2])
    for marker, start, end in segments:
        metadata = (0xE0 <= marker <= 0xEF and marker not in _JPEG_APP_KEPT) or marker == 0xFE
        if not metadata:
            out += data[start:end]
    return bytes(out)


def _png(data: bytes) -> bytes | None:
    out, i = bytearray(data[:8]), 8
    while i + 12 <= len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            return None
        if kind in _PNG_KEPT:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)
    return None
