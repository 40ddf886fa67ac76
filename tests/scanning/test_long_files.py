"""A whole stack in one file: a scanner's PDF or TIFF of hundreds of pages is rendered or decoded
a few pages at a time, and every use of PDFium, which is not thread-safe, holds one lock; a page
too large to read, or a file over the limit on the command line, is refused before it is read."""

from __future__ import annotations

import ctypes
import threading
import weakref

import cv2
import numpy as np
import pypdfium2.raw as pdfium_raw
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tinnhiem.audit import verify
from tinnhiem.documents.render import merge_pdfs
from tinnhiem.pdfium_lock import LOCK
from tinnhiem.scanning import synthetic
from tinnhiem.scanning import usecases as scan
from tinnhiem.site import preflight


@pytest.fixture
def pdfium_calls(monkeypatch):
    """Every function of PDFium's C library, wrapped to note whether the thread calling it holds
    the lock: (calls made holding it, calls made without it, by function and thread)."""
    held: list[str] = []
    unheld: list[tuple[str, str]] = []

    def checked(name, function):
        def call(*args):
            if LOCK._is_owned():
                held.append(name)
            else:
                unheld.append((name, threading.current_thread().name))
            return function(*args)

        return call

    for name in dir(pdfium_raw):
        function = getattr(pdfium_raw, name)
        if isinstance(function, ctypes._CFuncPtr):
            monkeypatch.setattr(pdfium_raw, name, checked(name, function))
    return held, unheld


def test_every_use_of_pdfium_holds_the_lock(pdfium_calls, scan_vote, make_scan):
    """The scan page's PDFs (a scanner's JPEG pages, black and white, lossless grey, one that does
    not open), the trial's pages, documents joined from parts, a record's PDF read for its text,
    a blank ballot rendered, the check before the conference; and a PDF read on another thread
    while this one reads one, as two committee members' uploads are."""
    form, member = scan_vote["form"], scan_vote["member"]
    held, unheld = pdfium_calls
    images = [make_scan(9300 + i)[2] for i in range(3)]
    jpeg = synthetic.scanner_pdf(images[:2], dpi=150)
    black_and_white = synthetic.scanner_pdf(images[:1], dpi=150, black_and_white=True)
    grey = synthetic.scanner_pdf(images[2:], dpi=150, lossless=True)
    results = scan.scan_files(
        member, form, [("a.pdf", jpeg), ("b.pdf", black_and_white), ("c.pdf", grey), ("d.pdf", b"%PDF-1.4 hong")]
    )
    assert [r.ballots for r in results[:3]] == [2, 0, 1]
    assert [i["reason"] for i in results[1].ignored] == ["black_and_white"]
    assert isinstance(results[3], ValidationError)
    assert [c.reason for c in scan.check_pages(member, form, [("thu.pdf", jpeg)])] == ["", ""]

    other = []
    thread = threading.Thread(target=lambda: other.append(len(scan.load_pages("e.pdf", grey))))
    thread.start()
    assert len(scan.load_pages("f.pdf", jpeg)) == 2
    thread.join()
    assert other == [1]

    assert len(scan.load_pages("g.pdf", merge_pdfs([jpeg, black_and_white]))) == 3
    assert scan_vote["people"][0].full_name in verify._pdf_text(scan_vote["pdf"])
    assert synthetic.render_blank(scan_vote["pdf"], 0, 100).shape[0] > 1000
    assert preflight._sample_ballot_problem() is None
    assert len(held) > 100  # the wrapping works: PDFium was called, holding the lock
    assert unheld == []


def test_a_whole_stack_in_one_pdf_is_rendered_a_few_pages_at_a_time(scan_vote, make_scan, monkeypatch):
    """Thirty pages in one PDF (six ballots, each followed by its blank back side, and more blank
    pages), read by two workers with one page each in flight: no more than three rendered pages
    are ever in memory at once (two with the workers, the one being rendered); all thirty were
    before. The file is counted as if its pages came one at a time."""
    form, member = scan_vote["form"], scan_vote["member"]
    monkeypatch.setattr(scan, "WORKERS", 2)
    monkeypatch.setattr(scan, "PAGES_IN_FLIGHT", 1)
    rendered: list[weakref.ref] = []
    most = 0
    render = scan._render

    def watched(page):
        nonlocal most
        image = render(page)
        most = max(most, sum(ref() is not None for ref in rendered) + 1)
        rendered.append(weakref.ref(image))
        return image

    monkeypatch.setattr(scan, "_render", watched)
    sheets = [make_scan(9400 + i)[2] for i in range(6)]
    back = np.full_like(sheets[0], 255)
    pages = [page for sheet in sheets for page in (sheet, back)] + [back] * 18
    seen = []
    report = scan.scan_file(
        member,
        form,
        name="ca-tap.pdf",
        data=synthetic.scanner_pdf(pages, dpi=150, lossless=True),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(rendered) == 30 and 2 <= most <= 3, most
    assert report.pages == 30 and report.ballots == 6
    assert [i["reason"] for i in report.ignored] == ["blank"] * 24
    assert seen == [(n, 30) for n in range(1, 31)]


def test_a_page_of_a_pdf_that_does_not_render_refuses_its_file_whole_and_only_it(scan_vote, make_scan, monkeypatch):
    """Pages are rendered as the workers go: a page that does not render, found after others of
    its file were read, still refuses the whole file (none of its pages stored), and the next file
    is counted."""
    import pypdfium2 as pdfium

    form, member = scan_vote["form"], scan_vote["member"]
    monkeypatch.setattr(scan, "WORKERS", 1)
    monkeypatch.setattr(scan, "PAGES_IN_FLIGHT", 1)
    render = scan._render
    count = 0

    def failing(page):
        nonlocal count
        count += 1
        if count == 4:
            raise pdfium.PdfiumError("Failed to render page")
        return render(page)

    monkeypatch.setattr(scan, "_render", failing)
    images = [make_scan(9500 + i)[2] for i in range(5)]
    results = scan.scan_files(
        member,
        form,
        [
            ("hong.pdf", synthetic.scanner_pdf(images[:4], dpi=150, lossless=True)),
            ("tot.pdf", synthetic.scanner_pdf(images[4:], dpi=150, lossless=True)),
        ],
    )
    assert isinstance(results[0], ValidationError) and "hong.pdf" in results[0].messages[0]
    assert results[1].ballots == 1
    assert form.scanned_pages.count() == 1 and form.scanned_ballots.count() == 1


def _tiff(pages: list[np.ndarray]) -> bytes:
    ok, encoded = cv2.imencodemulti(".tiff", pages)
    assert ok
    return encoded.tobytes()


def test_a_tiff_of_many_pages_is_decoded_a_few_at_a_time(scan_vote, make_scan, monkeypatch):
    """Its pages counted from its directories without decoding any, then decoded a few at a
    time, the last few fewer or not; a TIFF cut short (a copy not finished), which OpenCV would
    read as its first pages only, is refused whole."""
    form, member = scan_vote["form"], scan_vote["member"]
    sheets = [make_scan(9600 + i)[2] for i in range(6)]
    data = _tiff(sheets)
    assert scan._tiff_pages(data) == [(sheets[0].shape[1], sheets[0].shape[0])] * 6
    for at_once in (4, 3, 6, 7):
        monkeypatch.setattr(scan, "TIFF_PAGES_AT_ONCE", at_once)
        pages = scan.load_pages("chong.tiff", data)
        assert len(pages) == 6 and all(np.array_equal(a, b) for a, b in zip(pages, sheets, strict=True))
    monkeypatch.setattr(scan, "TIFF_PAGES_AT_ONCE", 4)
    cut = data[: len(data) * 2 // 3]
    assert scan._tiff_pages(cut) is None
    with pytest.raises(scan.ScanInputError, match=r"dang-do\.tiff"):
        scan.load_pages("dang-do.tiff", cut)
    results = scan.scan_files(member, form, [("dang-do.tiff", cut), ("chong.tiff", data)])
    assert isinstance(results[0], ValidationError)
    assert results[1].pages == 6 and results[1].ballots == 6
    assert form.scanned_pages.count() == 6


def _chain(sizes: list[tuple[int, int]], *, big: bool = False, order: str = "little", loop: bool = False) -> bytes:
    """A TIFF's header and one image directory per page of ``sizes`` (width and height, as SHORT
    where they fit, else LONG), classic or BigTIFF (8-byte offsets), in either byte order, its
    last directory pointing back to the first when ``loop``."""
    width, count_width, entry = (8, 8, 20) if big else (4, 2, 12)
    first = 16 if big else 8
    out = bytearray(b"II" if order == "little" else b"MM")
    out += (43 if big else 42).to_bytes(2, order)
    out += ((8).to_bytes(2, order) + bytes(2) if big else b"") + first.to_bytes(width, order)
    for number, (across, down) in enumerate(sizes):
        following = len(out) + count_width + 2 * entry + width if number + 1 < len(sizes) else (first if loop else 0)
        out += (2).to_bytes(count_width, order)
        for tag, value in ((256, across), (257, down)):
            kind, size = (3, 2) if value < 65536 else (4, 4)
            out += tag.to_bytes(2, order) + kind.to_bytes(2, order) + (1).to_bytes(width, order)
            out += value.to_bytes(size, order) + bytes(width - size)
        out += following.to_bytes(width, order)
    return bytes(out)


def test_the_pages_of_a_tiff_are_counted_and_measured_from_its_chain_of_directories():
    sizes = [(1654, 2339), (70000, 3), (5, 100000)]
    for big in (False, True):
        for order in ("little", "big"):
            assert scan._tiff_pages(_chain(sizes, big=big, order=order)) == sizes
            assert scan._tiff_pages(_chain(sizes[:1], big=big, order=order)) == sizes[:1]
            assert scan._tiff_pages(_chain(sizes, big=big, order=order, loop=True)) is None
            assert scan._tiff_pages(_chain(sizes, big=big, order=order)[:-4]) is None
    assert scan._tiff_pages(_tiff([np.zeros((8, 9), np.uint8)] * 2)) == [(9, 8), (9, 8)]
    assert scan._tiff_pages(b"%PDF-1.4") is None and scan._tiff_pages(b"II*\0") is None


def _sized(data: bytes, width: int, height: int) -> bytes:
    """A small real PNG or JPEG whose header says it is ``width`` × ``height`` pixels."""
    out = bytearray(data)
    if data[:4] == b"\x89PNG":
        out[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    else:
        start = next(i for i in range(2, len(data)) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
        out[start + 5 : start + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(out)


def test_a_page_too_large_to_read_is_refused_from_its_size_before_it_is_decoded(scan_vote, make_scan, monkeypatch):
    """A scanner set to its highest resolution (an A4 page at 2,400 dpi: 19,843 × 28,063 pixels, a
    12 MB JPEG) or a phone's 200-megapixel mode: refused with what to do, from the size its header
    or its PDF page says, before anything is decoded or rendered (OpenCV and PDFium are never
    asked); a file beside it is counted. An A4 page at 1,200 dpi is under the limit."""
    form, member = scan_vote["form"], scan_vote["member"]
    data, _truth, image = make_scan(9700)
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    progressive = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes()
    assert scan.images.size(data) == scan.images.size(jpeg) == scan.images.size(progressive) == image.shape[::-1]
    big = {
        "png.png": _sized(data, 19843, 28063),
        "jpeg.jpg": _sized(jpeg, 16320, 12240),
        "progressive.jpg": _sized(progressive, 65535, 2400),
        "tiff.tiff": _chain([(1654, 2339), (19843, 28063)]),
        "pdf.pdf": synthetic.scanner_pdf([image], dpi=10),  # a page 4 m tall, rendered at 200 dpi
    }
    # a scanner's PDF of an A4 page whose JPEG is 20,000 × 9,000 pixels (kept, decoded as it is)
    pdf_page = synthetic.scanner_pdf([image], dpi=150)
    pdf_jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    big["jpeg-in-pdf.pdf"] = pdf_page.replace(pdf_jpeg, _sized(pdf_jpeg, 20000, 9000))
    assert big["jpeg-in-pdf.pdf"] != pdf_page

    def never(*args, **kwargs):
        raise AssertionError("decoded or rendered")

    monkeypatch.setattr(scan.cv2, "imdecode", never)
    monkeypatch.setattr(scan.cv2, "imdecodemulti", never)
    monkeypatch.setattr(scan, "_render", never)
    for name, file in big.items():
        with pytest.raises(scan.ScanInputError) as refused:
            scan.load_pages(name, file)
        (said,) = refused.value.messages
        assert said.startswith(f"“{name}” có trang ") and "quét lại ở 200 hoặc 300 dpi" in said, said
    with translation.override("en"):
        with pytest.raises(scan.ScanInputError) as refused:
            scan.load_pages("png.png", big["png.png"])
    assert refused.value.messages == [
        "“png.png” has a page of 19843 × 28063 pixels (557 million), more than the 150 million a page "
        "may have here: it was scanned at too high a resolution. Scan it again at 200 or 300 dpi; if it is "
        "a photo, take it at the phone's usual setting."
    ]
    monkeypatch.undo()
    results = scan.scan_files(member, form, [("png.png", big["png.png"]), ("ok.png", data)])
    assert isinstance(results[0], ValidationError) and results[1].ballots == 1
    assert form.scanned_pages.count() == 1
    # an A4 page at 1,200 dpi (140 million pixels) is under the limit
    scan._check_pixels("1200.jpg", 9921, 14032)


def test_the_command_line_refuses_a_file_over_the_limit_without_reading_it(
    scan_vote, make_scan, tmp_path, settings, monkeypatch, capsys
):
    """A file over the limit named by mistake (here 3 MB, empty on disk, over a limit of 1 MB; it
    could be gigabytes) is refused from its size on disk, never read into memory, with its real
    size; the file beside it is counted."""
    import json
    from pathlib import Path

    from django.core.management import CommandError, call_command

    form, member = scan_vote["form"], scan_vote["member"]
    settings.TINNHIEM_MAX_SCAN_BYTES = 1_000_000
    big = tmp_path / "ca-o-dia.pdf"
    with big.open("wb") as sparse:
        sparse.truncate(3_000_000)
    page = tmp_path / "phieu.jpg"
    page.write_bytes(make_scan(9800, fmt=".jpg")[0])
    read: list[str] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or read_bytes(path))
    with pytest.raises(CommandError):  # exit status 1: a file was left out
        call_command(
            "scan", str(form.conference_id), str(big), str(page), "--user", member.username, "--format", "json"
        )
    first, second = json.loads(capsys.readouterr().out)["files"]
    assert read == ["phieu.jpg"]
    assert first["status"] == "refused"
    assert first["message"] == "“ca-o-dia.pdf” có dung lượng 3 MB; giới hạn là 1 MB: hãy chia bản quét thành nhiều tệp."
    assert second["status"] == "read" and form.scanned_ballots.count() == 1
