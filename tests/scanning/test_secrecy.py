"""Secrecy of scanned ballots (docs/secrecy.md, claim 10): a scanned page or ballot keeps no time,
no scanner metadata and no name the scanner gave the file; its stored file name is random."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from django.core import serializers

from tinnhiem.audit.models import Event
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import ScannedBallot, ScannedPage

SCANNER_TIME = "2023:09:29 09:31:07"
UPLOAD_NAME = "scan_2023-09-29_09-31-07_0001.jpg"


def with_exif_time(jpeg: bytes, when: str) -> bytes:
    """The JPEG with an EXIF segment holding a DateTime tag, as office scanners and phones write."""
    value = when.encode() + b"\0"
    tiff = b"II*\x00" + struct.pack("<I", 8)
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x0132, 2, len(value), 8 + 2 + 12 + 4) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff + ifd + value
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def test_scanned_records_hold_no_time_and_random_ids():
    for model in (ScannedPage, ScannedBallot):
        assert model._meta.pk.get_internal_type() == "UUIDField", model
        kinds = {f.get_internal_type() for f in model._meta.concrete_fields}
        assert not kinds & {"DateTimeField", "DateField", "TimeField", "GenericIPAddressField"}, model


def test_a_scan_keeps_neither_the_scanners_time_nor_its_file_name(scan_vote, make_scan):
    form, member = scan_vote["form"], scan_vote["member"]
    jpeg = with_exif_time(make_scan(5000, fmt=".jpg", style="cross")[0], SCANNER_TIME)
    assert SCANNER_TIME.encode() in jpeg
    report = scan.scan_file(member, form, name=UPLOAD_NAME, data=jpeg)
    second = scan.scan_file(member, form, name="scan_2023-09-29_09-31-09_0002.png", data=make_scan(5001)[0])
    assert (report.ballots, second.ballots) == (1, 1)

    pages = list(ScannedPage.objects.filter(form=form))
    assert len(pages) == 2
    for page in pages:
        stored = Path(page.image.path)
        # a random name: nothing from the upload, the scanner or the position in the stack
        assert re.fullmatch(r"scans/\d+/[0-9a-f]{32}\.png", page.image.name), page.image.name
        data = stored.read_bytes()
        # re-encoded: pixels only, no text, time or EXIF chunk
        assert set(png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}
        assert SCANNER_TIME.encode() not in data and b"Exif" not in data
    assert pages[0].image.name != pages[1].image.name

    everything = serializers.serialize("json", [*pages, *ScannedBallot.objects.filter(form=form)])
    everything += json.dumps([e.data for e in Event.objects.all()], ensure_ascii=False)
    for secret in (UPLOAD_NAME, "2023-09-29", "09-31-07", SCANNER_TIME, "2023:09:29"):
        assert secret not in everything
