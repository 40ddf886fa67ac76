"""Secrecy of scanned ballots (docs/secrecy.md, claim 10): a scanned page or ballot keeps no time,
no scanner metadata and no name the scanner gave the file; its stored file name is random."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from django.core import serializers

from tinnhiem.audit.models import Event
from tinnhiem.scanning import synthetic
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import ScanFeed, ScannedBallot, ScannedPage

SCANNER_TIME = "2023:09:29 09:31:07"
UPLOAD_NAME = "scan_2023-09-29_09-31-07_0001.jpg"


def with_exif_time(jpeg: bytes, when: str) -> bytes:
    """The JPEG with an EXIF segment holding a DateTime tag, as office scanners and phones write,
    and a comment naming the scanner."""
    value = when.encode() + b"\0"
    tiff = b"II*\x00" + struct.pack("<I", 8)
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x0132, 2, len(value), 8 + 2 + 12 + 4) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff + ifd + value
    comment = b"Scanner fi-7160 " + when.encode()
    assert jpeg[:2] == b"\xff\xd8"
    return (
        jpeg[:2]
        + b"\xff\xe1"
        + struct.pack(">H", len(payload) + 2)
        + payload
        + b"\xff\xfe"
        + struct.pack(">H", len(comment) + 2)
        + comment
        + jpeg[2:]
    )


def with_png_time(png: bytes, when: str) -> bytes:
    """The PNG with a tEXt "Creation Time" and a tIME chunk after its header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    end_of_header = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    extra = chunk(b"tEXt", b"Creation Time\0" + when.encode()) + chunk(
        b"tIME", struct.pack(">HBBBBB", 2023, 9, 29, 9, 31, 7)
    )
    return png[:end_of_header] + extra + png[end_of_header:]


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments before its image data."""
    markers, at = [], 2
    while data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return markers


def pixels(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)


def test_scanned_records_hold_no_time_and_random_ids():
    for model in (ScannedPage, ScannedBallot):
        assert model._meta.pk.get_internal_type() == "UUIDField", model
        kinds = {f.get_internal_type() for f in model._meta.concrete_fields}
        assert not kinds & {"DateTimeField", "DateField", "TimeField", "GenericIPAddressField"}, model


def test_whose_scanner_a_waiting_ballot_came_from_names_no_page_or_ballot():
    """ScanFeed (two stacks of multi-page ballots must not interleave) holds the form and a
    committee member only: no page, ballot, time or position (it is deleted when nothing waits)."""
    fields = {f.name: f for f in ScanFeed._meta.concrete_fields}
    assert set(fields) == {"form", "member"}
    assert not any(
        f.related_model in (ScannedPage, ScannedBallot) for f in ScanFeed._meta.get_fields() if f.is_relation
    )


def test_a_scan_keeps_neither_the_scanners_time_nor_its_file_name(scan_vote, make_scan):
    """The scanner's own JPEG or PNG (also the JPEG that is a page of a scanner's PDF) is kept
    without its metadata, pixel for pixel; any other PDF page is kept as a PNG of its pixels.
    Nothing keeps the scanner's time or file name."""
    form, member = scan_vote["form"], scan_vote["member"]
    jpeg = with_exif_time(make_scan(5000, fmt=".jpg", style="cross")[0], SCANNER_TIME)
    png = with_png_time(make_scan(5001, style="cross")[0], SCANNER_TIME)
    scanned = make_scan(5002, style="cross")[2]
    pdf = synthetic.scanner_pdf([scanned], info="/CreationDate (D:20230929093107) /Producer (fi-7160)")
    printed = scan_vote["pdf"]  # the ballot as tinnhiem printed it: drawn, not scanned, so rendered
    for data in (jpeg, png, pdf):
        assert SCANNER_TIME.encode() in data or b"D:20230929093107" in data
    uploads = [
        (UPLOAD_NAME, jpeg),
        ("scan_2023-09-29_09-31-09_0002.png", png),
        ("scan_2023-09-29_0003.pdf", pdf),
        ("scan_2023-09-29_0004.pdf", printed),
    ]
    for name, data in uploads:
        assert scan.scan_file(member, form, name=name, data=data).ballots == 1

    pages = list(ScannedPage.objects.filter(form=form).order_by("sequence"))
    stored = [Path(page.image.path).read_bytes() for page in pages]
    for page, data in zip(pages, stored, strict=True):
        # a random name: nothing from the upload, the scanner or the position in the stack
        assert re.fullmatch(r"scans/\d+/[0-9a-f]{32}\.(jpg|png)", page.image.name), page.image.name
        assert SCANNER_TIME.encode() not in data and b"Exif" not in data and b"fi-7160" not in data
        assert b"20230929" not in data
    assert [page.image.name[-3:] for page in pages] == ["jpg", "png", "jpg", "png"]
    assert np.array_equal(pixels(stored[0]), pixels(jpeg))  # the scanner's own image, pixel for pixel
    assert np.array_equal(pixels(stored[1]), pixels(png))
    embedded = pixels(stored[2])
    assert embedded.shape == scanned.shape and np.abs(embedded.astype(int) - scanned).mean() < 2  # its JPEG
    assert set(jpeg_markers(stored[0])) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}
    for data in (stored[1], stored[3]):
        assert set(png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}
    assert len({page.image.name for page in pages}) == 4

    everything = serializers.serialize("json", [*pages, *ScannedBallot.objects.filter(form=form)])
    everything += json.dumps([e.data for e in Event.objects.all()], ensure_ascii=False)
    for secret in (UPLOAD_NAME, "2023-09-29", "09-31-07", SCANNER_TIME, "2023:09:29", "fi-7160", "20230929"):
        assert secret not in everything
