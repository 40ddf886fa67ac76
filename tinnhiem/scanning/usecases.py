"""Counting paper ballots by scanning: read the pages, never decide silently, send every doubt
to the counting committee, which rules on it (the ruling goes into the minutes)."""

from __future__ import annotations

import collections
import hashlib
import itertools
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tinnhiem import cores, disk
from tinnhiem.audit.log import record
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import BallotForm, CommitteeMember
from tinnhiem.documents.ballots import Printings, printings, qr_key
from tinnhiem.documents.layout import BallotLayout
from tinnhiem.files import files_removed_on_failure, save_file
from tinnhiem.i18n import official_language
from tinnhiem.once import short_key, submission_key
from tinnhiem.pdfium_lock import LOCK as PDFIUM_LOCK
from tinnhiem.text import clean_line
from tinnhiem.voting.models import Ruling
from tinnhiem.voting.usecases.counting import (
    clean_invalid_reason,
    describe_reading,
    member_for,
    parse_marks,
    people_of,
    refuse_if_finalised,
)

from . import images, recognize
from .models import PAGE_REASONS, ScanFeed, ScannedBallot, ScannedPage
from .stack import Assembler, wrong_order

SCAN_DPI = 200


class ScanInputError(ValidationError):
    pass


class StackOrderError(ScanInputError):
    """A batch whose pages are in the other order than the committee said: refused whole, and
    the files after it must not be read either (``scan_files``). ``aside``: the page set aside
    just before the batch, when it was that page which showed the order (it is asked about once)."""

    aside: ScannedPage | None = None


class DiskFullError(ScanInputError):
    """The server's disk filled while a batch was recorded: the file then being stored was rolled
    back whole, and the files after it are not tried (``scan_files``)."""


class OtherStackError(StackOrderError):
    """Files sent while a ballot that another member's scanner began waits for its other pages
    (``member``: that other member)."""

    member: CommitteeMember


def other_feeder(form: BallotForm, member: CommitteeMember) -> CommitteeMember | None:
    """The member whose stack has a ballot waiting for its other pages, if that is not ``member``
    (whose files are then refused, unless they say that they continue that same stack)."""
    feed = ScanFeed.objects.filter(form=form).select_related("member__voter").first()
    if feed is None or feed.member_id == member.pk:
        return None
    return feed.member if form.scanned_pages.filter(status=ScannedPage.Status.PENDING).exists() else None


def _after_refused() -> StackOrderError:
    return StackOrderError(_("Not counted either: it comes after that file in the stack."), code="with_batch")


def _other_stack_error(other: CommitteeMember) -> OtherStackError:
    error = OtherStackError(
        _(
            "A ballot of the stack that %(member)s is scanning waits for its other pages. The pages of a "
            "ballot are put together in the order of the stack, so two stacks of one ballot form cannot "
            "be scanned at the same time: this file and those after it were not counted. Scan them again once "
            "that stack has been scanned to the end of a ballot. If instead these files continue that same "
            "stack (the scanning was handed over), say so and scan them again: on the scan page, tick “These "
            "files continue the stack that %(member)s was scanning”; on the command line, add --take-over."
        )
        % {"member": other.voter.full_name},
        code="other_stack",
    )
    error.member = other
    return error


@dataclass
class _Source:
    """One page of an uploaded file. ``kept``: the scanner's own JPEG or PNG without metadata,
    stored as it is (decoded in a worker); otherwise ``image`` (a PDF or TIFF page), stored as PNG."""

    kept: bytes = b""
    ext: str = "png"
    image: np.ndarray | None = None
    # a page of a PDF refused from what the PDF says of its picture, which its rendering would
    # hide: "black_and_white" (one bit per pixel, recognize.is_bilevel) or "low_resolution" (under
    # recognize.MIN_DPI, enlarged when rendered)
    refused: str = ""


def _not_an_image(name: str) -> ScanInputError:
    return ScanInputError(
        _("“%(name)s” is not an image (PNG, JPEG, TIFF) or a PDF, or it is damaged.") % {"name": clean_line(name)}
    )


@dataclass
class _File:
    """An uploaded file, opened: its number of pages, and its pages one at a time, as they are
    read. A scanner can put a whole stack in one file: the 44-person form's 732 pages of 183
    ballots, scanned in black and white, make a 19 MB PDF, whose pages rendered all at once
    took 3.6 GB before they were read (``bench/scan_memory.py``). ``close`` lets go of it."""

    name: str
    count: int
    pages: Iterator[_Source]
    close: Callable[[], None] = lambda: None


def check_file_size(name: str, size: int) -> None:
    """Refuse a file over ``TINNHIEM_MAX_SCAN_BYTES`` (``size`` in bytes): before it is read into
    memory where its size is known first (the command line)."""
    limit = settings.TINNHIEM_MAX_SCAN_BYTES
    if size > limit:
        raise ScanInputError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB: split the scan into several files.")
            % {"name": clean_line(name), "size": round(size / 1e6), "limit": round(limit / 1e6)}
        )


def _open(name: str, data: bytes) -> _File:
    """The pages of an uploaded file: PNG, JPEG, TIFF (several pages) or PDF. A file that cannot
    be opened is refused here; a page of it that cannot be rendered or decoded, when it is reached
    (``ScanInputError`` from ``pages``: the file is refused whole, nothing of it is stored)."""
    if not data:
        raise ScanInputError(_("“%(name)s” is empty.") % {"name": clean_line(name)})
    check_file_size(name, len(data))
    if data[:5] == b"%PDF-":
        return _open_pdf(name, data)
    own = images.without_metadata(data)
    if own is not None:
        _check_pixels(name, *(images.size(own[0]) or (0, 0)))
        return _File(name, 1, iter([_Source(kept=own[0], ext=own[1])]))
    if images.is_heic(data):
        raise ScanInputError(images.heic_refused(name))
    buffer = np.frombuffer(data, np.uint8)
    if data[:4] in TIFF_MAGIC:  # decoded a few pages at a time: one page is 4–9 MB in memory
        sizes = _tiff_pages(data)
        if sizes is None:  # cut short (a copy not finished): OpenCV would give its first pages only
            raise _not_an_image(name)
        for width, height in sizes:
            _check_pixels(name, width, height)
        return _File(name, len(sizes), _tiff_sources(name, buffer, len(sizes)))
    ok, decoded = cv2.imdecodemulti(buffer, cv2.IMREAD_GRAYSCALE)
    if not ok or not decoded:
        image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise _not_an_image(name)
        decoded = [image]
    for image in decoded:
        _check_pixels(name, image.shape[1], image.shape[0])
    return _File(name, len(decoded), iter([_Source(image=np.ascontiguousarray(i)) for i in decoded]))


MAX_PAGE_PIXELS = images.MAX_PIXELS  # see there


def _check_pixels(name: str, width: int, height: int) -> None:
    """Refuse a page too large to read, from its size alone, before it is decoded or rendered."""
    if width * height > MAX_PAGE_PIXELS:
        raise ScanInputError(
            _(
                "“%(name)s” has a page of %(width)s × %(height)s pixels (%(megapixels)s million), more than "
                "the %(limit)s million a page may have here: it was scanned at too high a resolution. Scan "
                "it again at 200 or 300 dpi; if it is a photo, take it at the phone's usual setting."
            )
            % {
                "name": clean_line(name),
                "width": width,
                "height": height,
                "megapixels": round(width * height / 1e6),
                "limit": round(MAX_PAGE_PIXELS / 1e6),
            }
        )


TIFF_PAGES_AT_ONCE = 4
TIFF_MAGIC = {b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"}  # classic and BigTIFF, either byte order


def _tiff_pages(data: bytes) -> list[tuple[int, int]] | None:
    """The pages of a TIFF as their width and height in pixels (0 where a directory does not say),
    from the chain of its image directories (classic or BigTIFF), without decoding any; None for
    another file, or a chain that is cut or loops."""
    if data[:4] not in TIFF_MAGIC:
        return None
    order = "little" if data[:2] == b"II" else "big"
    if data[2:4] in (b"*\0", b"\0*"):
        width, count_width, entry, offset = 4, 2, 12, int.from_bytes(data[4:8], order)
    else:
        width, count_width, entry, offset = 8, 8, 20, int.from_bytes(data[8:16], order)
    value_bytes = {3: 2, 4: 4, 16: 8}  # SHORT, LONG, LONG8: the types a size is written in
    seen: set[int] = set()
    pages = []
    while offset:
        if offset in seen or offset + count_width > len(data):
            return None
        seen.add(offset)
        first = offset + count_width
        end = first + int.from_bytes(data[offset:first], order) * entry
        if end + width > len(data):
            return None
        size = {256: 0, 257: 0}  # ImageWidth, ImageLength
        for at in range(first, end, entry):
            tag, kind = int.from_bytes(data[at : at + 2], order), int.from_bytes(data[at + 2 : at + 4], order)
            if tag in size and kind in value_bytes:
                value = at + 4 + width  # after the tag, its type and its count
                size[tag] = int.from_bytes(data[value : value + value_bytes[kind]], order)
        pages.append((size[256], size[257]))
        offset = int.from_bytes(data[end : end + width], order)
    return pages or None


def _tiff_sources(name: str, buffer: np.ndarray, count: int) -> Iterator[_Source]:
    """The ``count`` pages of a TIFF, decoded ``TIFF_PAGES_AT_ONCE`` at a time; a page that does
    not decode refuses the file whole (``ScanInputError``), as any damaged file."""
    for first in range(0, count, TIFF_PAGES_AT_ONCE):
        last = min(first + TIFF_PAGES_AT_ONCE, count)
        ok, decoded = cv2.imdecodemulti(buffer, cv2.IMREAD_GRAYSCALE, None, (first, last))
        if not ok or len(decoded) != last - first:
            raise _not_an_image(name)
        for image in decoded:
            yield _Source(image=np.ascontiguousarray(image))


def _open_pdf(name: str, data: bytes) -> _File:
    import pypdfium2 as pdfium

    no_page = ScanInputError(_("“%(name)s” has no page.") % {"name": clean_line(name)})
    damaged = ScanInputError(_("“%(name)s” is a damaged PDF file.") % {"name": clean_line(name)})
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise (no_page if re.search(rb"/Count\s+0\b", data) else damaged) from exc  # a page tree with no page
        count = len(document)
        if count == 0:
            document.close()
            raise no_page

    def pages() -> Iterator[_Source]:
        for index in range(count):
            with PDFIUM_LOCK:  # one page at a time: the other threads may use PDFium between pages
                try:
                    page = document[index]
                    try:  # its size as rendered, and a scanner's JPEG as decoded
                        _check_pixels(name, *(round(side * SCAN_DPI / 72) for side in page.get_size()))
                        source = _pdf_page(page)
                        if source.kept:
                            _check_pixels(name, *(images.size(source.kept) or (0, 0)))
                    finally:
                        page.close()
                except pdfium.PdfiumError as exc:  # the file opens, but a page of it does not load or render
                    raise damaged from exc
            yield source

    def close() -> None:
        with PDFIUM_LOCK:
            document.close()

    return _File(name, count, pages(), close)


def _pdf_page(page: Any) -> _Source:
    """One page of a PDF, under the lock: a scanner's JPEG kept as it is, anything else rendered."""
    pictures = _pictures(page)
    if _one_bit(pictures):  # rendered to another resolution, its edges would turn grey
        return _Source(image=_render(page), refused="black_and_white")
    own = _scanned_jpeg(page)
    if own is not None:  # a scanner's page: its JPEG, decoded in a worker
        return _Source(kept=own, ext="jpg")
    dpi = _picture_dpi(pictures)  # rendered larger, its markers would measure SCAN_DPI
    low = dpi is not None and dpi < recognize.MIN_DPI
    return _Source(image=_render(page), refused="low_resolution" if low else "")


def _render(page: Any) -> np.ndarray:
    image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_numpy()
    return np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)


def _pictures(page: Any) -> list[tuple[bool, Any]] | None:
    """The pictures of a PDF page, each as (whether it covers the page, its metadata), looked at
    once; None when pdfium cannot give a picture's metadata (the page is then read as any other)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    found = []
    try:
        for picture in page.get_objects(max_depth=1):
            if picture.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                left, bottom, right, top = picture.get_bounds()
                found.append(((right - left) * (top - bottom) >= 0.8 * width * height, picture.get_metadata()))
    except pdfium.PdfiumError:
        return None
    return found


def _one_bit(pictures: list[tuple[bool, Any]] | None) -> bool:
    """A page of a PDF scanned in black and white: its pictures are one bit per pixel (CCITT,
    JBIG2 or plain), as a scanner's text mode writes them."""
    return bool(pictures) and all(info.bits_per_pixel == 1 for _covers, info in pictures)


def _picture_dpi(pictures: list[tuple[bool, Any]] | None) -> float | None:
    """The resolution of the pictures that cover a PDF page (a scan), as placed on the page: the
    finest, when there are several (a "compact" PDF keeps the text at full resolution over a
    coarser background); None for a page with no such picture (a drawn page: its resolution is
    the rendering's) or one pdfium cannot measure."""
    found = [min(info.horizontal_dpi, info.vertical_dpi) for covers, info in pictures or () if covers]
    return max(found) if found and max(found) > 0 else None


def _scanned_jpeg(page: Any) -> bytes | None:
    """The page's image when the page is one JPEG covering it, as office scanners write PDFs
    (an invisible OCR text layer is allowed, any drawing is not): kept as it is, without metadata."""
    import pypdfium2.raw as pdfium_c

    objects = list(page.get_objects(max_depth=1))
    pictures = [o for o in objects if o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    others = {o.type for o in objects} - {pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_TEXT}
    if len(pictures) != 1 or others or pictures[0].get_filters() != ["DCTDecode"]:
        return None
    left, bottom, right, top = pictures[0].get_bounds()
    width, height = page.get_size()
    if (right - left) * (top - bottom) < 0.8 * width * height:
        return None
    own = images.without_metadata(bytes(pictures[0].get_data(decode_simple=False)))
    return own[0] if own is not None and own[1] == "jpg" else None


def _decode(source: _Source, name: str) -> np.ndarray:
    if source.image is None:
        # the stored bytes are what is read; the recogniser finds the page in any orientation
        image = cv2.imdecode(np.frombuffer(source.kept, np.uint8), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)
        if image is None:
            raise _not_an_image(name)
        return image
    return source.image


def load_pages(name: str, data: bytes) -> list[np.ndarray]:
    """The pages of an uploaded file as grey images, as they are read."""
    opened = _open(name, data)
    try:
        return [_decode(source, name) for source in opened.pages]
    finally:
        opened.close()


_BLANKS: dict[tuple[int, str], dict[int, tuple[np.ndarray, np.ndarray]]] = {}
_BLANKS_LOCK = threading.Lock()  # the server reads uploads on several threads


def _blank_ink(form: BallotForm, layout: BallotLayout) -> dict[int, np.ndarray]:
    """The ink of ``layout``'s blank ballot, page by page, for the name check: rendered with the
    names and posts printed on it, once per form and layout version (which covers that list)."""
    return {number: ink for number, (ink, _darkness) in _blanks(form, layout).items()}


def _blank_darkness(form: BallotForm, layout: BallotLayout) -> dict[int, np.ndarray]:
    """How dark each page of ``layout``'s blank ballot is printed: what of it shows through the
    other side of a sheet printed on both sides (recognize.find_show_through)."""
    return {number: darkness for number, (_ink, darkness) in _blanks(form, layout).items()}


def _blanks(form: BallotForm, layout: BallotLayout) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    key = (form.pk, layout.version)
    with _BLANKS_LOCK:
        if key not in _BLANKS:
            from tinnhiem.documents.ballots import render_one
            from tinnhiem.scanning.synthetic import render_blank

            pdf, _layout = render_one(form, layout)
            if len(_BLANKS) >= 32:
                _BLANKS.pop(next(iter(_BLANKS)))
            rendered = {page.number: render_blank(pdf, page.number - 1, 150) for page in layout.pages}
            _BLANKS[key] = {
                number: (recognize.blank_ink(image), recognize.blank_darkness(image))
                for number, image in rendered.items()
            }
        return _BLANKS[key]


def _geometry(form: BallotForm, found: Printings | None = None) -> Callable[[Any], dict | None]:
    found = found or printings(form)

    def geometry_for(sheet):
        if sheet.conference != form.conference_id:
            raise recognize.NotABallot("other_conference", str(sheet.conference))
        if sheet.form != form.pk:
            removed = not BallotForm.objects.filter(pk=sheet.form, conference_id=form.conference_id).exists()
            raise recognize.NotABallot("removed_form" if removed else "other_form", str(sheet.form))
        if sheet.version in found.stale:
            raise recognize.NotABallot("stale_layout", sheet.version)
        readable = found.readable.get(sheet.version)
        return readable[0] if readable else None

    return geometry_for


@dataclass
class ScanReport:
    pages: int = 0
    ballots: int = 0
    to_review: int = 0
    waiting: int = 0  # pages of a ballot whose other pages have not been scanned yet
    ignored: list[dict[str, Any]] = field(default_factory=list)  # blank, duplicate, not a ballot
    # the file was recorded by the same request sent before (the scan page sends a request again
    # when its answer was lost on the way): nothing was recorded again
    already: bool = False


def _png(image: np.ndarray, black_and_white: bool = False) -> bytes:
    # Huffman coding only: a scan's noise leaves little for LZ77, and this is twice as fast. A page
    # scanned in black and white is long runs of one value, which LZ77 finds: a 200-dpi page kept
    # in 77 kB instead of 584, and in 25 ms instead of 45
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY]
    if black_and_white:
        params = [cv2.IMWRITE_PNG_COMPRESSION, 1]
    ok, encoded = cv2.imencode(".png", image, params)
    return encoded.tobytes() if ok else b""


@dataclass
class _Read:
    """A page as read, before anything is stored."""

    kept: bytes  # the file to store (empty for a blank page, which is not kept)
    ext: str
    sha256: str  # of the stored file
    reading: recognize.PageReading | None
    reason: str  # why it is not a ballot, or ""
    detail: str = ""  # what the reader measured of a page it refused (NotABallot.detail)


_POOL: ThreadPoolExecutor | None = None
# An office scanner feeds 0.5–1.7 pages a second and two cores read 20–30: more than eight readers
# would add memory (up to PAGES_IN_FLIGHT pages of 4–9 MB each), not speed the count
MAX_WORKERS = 8


def readers() -> int:
    """How many pages are read at once: one per core this process may use (not the machine's
    cores: a container's share), at most ``MAX_WORKERS``."""
    return min(cores.usable(), MAX_WORKERS)


WORKERS = readers()


def _pool() -> ThreadPoolExecutor:
    """The workers that read pages: one per core the process may use (OpenCV, NumPy and zxing work
    outside the GIL; ``tinnhiem.cores``)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="scan")
    return _POOL


def _check_scanning(actor: Any, form: BallotForm) -> CommitteeMember:
    member = member_for(actor, form.conference)
    if form.mode != BallotForm.Mode.SCAN:
        raise ValidationError(_("This ballot form is not counted by scanning."))
    if form.state == BallotForm.State.FINALISED or form.conference.status != form.conference.Status.COUNTING:
        raise ValidationError(_("Scanning happens after the vote is closed and before the count is finalised."))
    return member


def _read_files(
    form: BallotForm, found: Printings, files: list[tuple[str, bytes]], progress
) -> Iterator[list[_Read] | ScanInputError]:
    """Read every page of every file on all cores; nothing is stored here. The pages of each file
    are given as soon as they are read, so that storing one file overlaps reading the next. At
    most ``PAGES_IN_FLIGHT`` per core are rendered or decoded ahead of the workers: a page waiting
    for them is 4–9 MB in memory, a page read only what is kept of it."""
    key = qr_key()
    geometry_for = _geometry(form, found)
    # rendered here, once: the workers only look them up
    inks = {version: _blank_ink(form, layout) for version, (_geometry_, layout) in found.readable.items()}
    darkness = {version: _blank_darkness(form, layout) for version, (_geometry_, layout) in found.readable.items()}

    def read_page(source: _Source, name: str) -> _Read:
        image = _decode(source, name)
        if source.refused and not recognize.is_blank(recognize.reduced(image)):
            # as recognize.read_sheet refuses a page of black and white pixels, or of too few (a
            # blank back side of it is ignored as any other)
            kept = _png(image, black_and_white=source.refused == "black_and_white")
            return _Read(kept, "png", hashlib.sha256(kept).hexdigest(), None, source.refused)
        try:
            reading, reason = (
                recognize.read_sheet(
                    image,
                    key=key,
                    geometry_for=geometry_for,
                    blank_for=lambda sheet: (inks.get(sheet.version) or {}).get(sheet.page),
                    darkness_for=lambda sheet: (darkness.get(sheet.version) or {}).get(sheet.page),
                ),
                "",
            )
        except recognize.NotABallot as exc:
            reading, reason, detail = None, exc.reason, exc.detail
        else:
            detail = ""
        if reason == "blank":  # a blank back side is not kept
            return _Read(b"", "", hashlib.sha256(source.kept or image.tobytes()).hexdigest(), None, reason)
        kept = source.kept or _png(image, black_and_white=reason == "black_and_white")
        ext = source.ext if source.kept else "png"
        return _Read(kept, ext, hashlib.sha256(kept).hexdigest(), reading, reason, detail)

    opened: list[_File | ScanInputError] = []
    for name, data in files:
        try:
            opened.append(_open(name, data))
        except ScanInputError as exc:
            opened.append(exc)
    try:
        yield from _pages_read(opened, read_page, progress)
    finally:
        for file in opened:
            if isinstance(file, _File):
                file.close()


PAGES_IN_FLIGHT = 4


def _pages_read(
    opened: list[_File | ScanInputError], read_page: Callable[[_Source, str], _Read], progress
) -> Iterator[list[_Read] | ScanInputError]:
    """The pages of each file read, file after file, as ``_read_files`` gives them. The next pages
    are handed to the workers whenever fewer than ``PAGES_IN_FLIGHT`` per worker wait or are being
    read; a page read waits as what is kept of it (its stored file) until its file is given."""
    room = threading.Semaphore(PAGES_IN_FLIGHT * WORKERS)

    def items() -> Iterator[tuple[int, _Source | ScanInputError]]:
        for index, file in enumerate(opened):
            if isinstance(file, ScanInputError):
                yield index, file
                continue
            try:
                for source in file.pages:
                    yield index, source
            except ScanInputError as exc:  # a page that does not render: the file is refused whole
                yield index, exc

    feed = items()
    waiting: collections.deque[tuple[int, Future | ScanInputError]] = collections.deque()

    def hand_out() -> None:
        while room.acquire(blocking=False):
            item = next(feed, None)
            if item is None:
                room.release()
                return
            index, source = item
            if isinstance(source, ScanInputError):
                room.release()
                waiting.append((index, source))
                continue
            future = _pool().submit(read_page, source, opened[index].name)
            future.add_done_callback(lambda _future: room.release())
            waiting.append((index, future))

    total = sum(file.count for file in opened if isinstance(file, _File))
    done = 0
    for index in range(len(opened)):
        pages: list[_Read] = []
        error: ScanInputError | None = None
        while True:
            hand_out()
            if not waiting or waiting[0][0] != index:  # every page of this file is read
                break
            _index, item = waiting.popleft()
            if error is not None:
                continue  # the file is refused: its other pages are not looked at
            if isinstance(item, ScanInputError):
                error = item
                continue
            try:
                pages.append(item.result())
            except ScanInputError as exc:
                error = exc
                continue
            done += 1
            if progress:
                progress(done, total)
        yield error if error is not None else pages


def scan_files(
    actor: Any,
    form: BallotForm,
    files: list[tuple[str, bytes]],
    progress: Callable[[int, int], None] | None = None,
    *,
    last_page_first: bool = False,
    take_over: bool = False,
    submission: str = "",
) -> list[ScanReport | ValidationError]:
    """Count a batch of scanned files, in the order given (the order of the stack): their pages
    are read on all cores, then each file is recorded in its own transaction. A file that cannot
    be read is refused alone (its error takes its place in the list); nothing already counted is
    lost. The pages of a multi-page ballot follow each other in the stack, in one file or the
    next: 1, 2, …, or last page first when the committee says so (``stack.py``). A batch that
    begins in the other order is refused whole, before anything of it is stored.

    ``submission``: the scan page's one-time id for one request, the same when it sends that
    request again after losing the connection; a file already recorded with it is not recorded
    again (``ScanReport.already``), so a request the server answered but the browser never heard
    back from counts once, and lists no page as scanned twice; one refused for the stack's order is
    refused again in the same words (``_aside_at_start``).

    While a ballot waits for its other pages, only the member whose scanner began it goes on:
    another member's files are refused (two stacks at once would interleave), unless that member
    says with ``take_over`` that they continue the same stack."""
    form = BallotForm.objects.select_related("conference__campaign").get(pk=form.pk)
    member = _check_scanning(actor, form)
    other = None if take_over else other_feeder(form, member)
    if other is not None:  # refused whole before anything is read (checked again under the lock)
        _record_refusal(actor, form, member, "other_stack", len(files), other=other)
        return [_other_stack_error(other)] + [_after_refused() for _file in files[1:]]
    results: list[ScanReport | ValidationError] = []
    found = printings(form)  # once per batch (the list of rated persons is frozen while counting)
    reads = _read_files(form, found, files, progress)
    checked: list[list[_Read] | ScanInputError] = []
    key = submission_key(submission, "scan.file", {"form": form.pk})
    error = _order_problem(form, found, reads, checked, last_page_first, key)
    if error is not None:  # the batch is refused whole, once every page is read (nothing of it is stored)
        _record_refusal(
            actor, form, member, "order", len(files), last_page_first=last_page_first, aside=error.aside, key=key
        )
        also = _("Not counted either: sent with the files above, whose pages are in the other order.")
        for pages in itertools.chain(checked, reads):
            if isinstance(pages, ScanInputError):
                results.append(pages)
            else:
                results.append(error)
                error = StackOrderError(also, code="with_batch")
        return results
    refused = full = False
    for (name, data), pages in zip(files, itertools.chain(checked, reads), strict=True):
        if refused:  # the files after one refused for another member's stack continue the stack
            results.append(_after_refused())
        elif full:
            text = _("“%(file)s” was not read either: the server's disk is full.") % {"file": clean_line(name)}
            results.append(DiskFullError(text, code="disk_full"))
        elif isinstance(pages, ScanInputError):
            results.append(pages)
        else:
            try:
                results.append(
                    _record_file(
                        actor,
                        form,
                        hashlib.sha256(data).hexdigest(),
                        pages,
                        found,
                        last_page_first=last_page_first,
                        take_over=take_over,
                        key=key,
                        place=len(results),
                    )
                )
            except ValidationError as exc:
                results.append(exc)
                refused = isinstance(exc, OtherStackError)
                if refused:  # this file and those after it
                    left = len(files) - len(results) + 1
                    _record_refusal(actor, form, member, "other_stack", left, other=exc.member)
            except (DatabaseError, OSError) as exc:
                if not disk.is_full(exc):
                    raise
                full = True  # rolled back whole (and its image files removed): the files before it stay counted
                disk.log_full("a scanned file was not recorded, nor those after it in its request")
                results.append(
                    DiskFullError(
                        _(
                            "“%(file)s” was not recorded: the server's disk is full. Nothing of it was kept, and "
                            "the files before it are counted. Free some space on the server, then send this file "
                            "and those after it again."
                        )
                        % {"file": clean_line(name)},
                        code="disk_full",
                    )
                )
    return results


def _record_refusal(
    actor: Any,
    form: BallotForm,
    member: CommitteeMember,
    reason: str,
    files: int,
    *,
    other: CommitteeMember | None = None,
    last_page_first: bool | None = None,
    aside: ScannedPage | None = None,
    key: str = "",
) -> None:
    """Files refused by a check of the stack (nothing of them stored) go into the audit log: whose
    scanner sent them and why; for the order, what was ticked, and the page set aside before them
    that is asked about only this once (``_aside_at_start``): once by the committee, that is; the
    same request sent again by the page (``key``), whose answer was lost, is asked again."""
    data = {
        "form": form.pk,
        "member": member.pk,
        "refused_for": reason,
        "files": files,
        "other_member": other.pk if other is not None else None,
        "last_page_first": last_page_first,
        "page_set_aside": aside.sequence if aside is not None else None,
    }
    with transaction.atomic():
        if aside is not None:  # asked once: the committee may answer by scanning that ballot again whole
            aside.reading["order_known"] = True
            if key:
                aside.reading["asked_by"] = key
            aside.save(update_fields=["reading"])
        record(actor, "scan.refused", conference=form.conference, data=data)


def _order_problem(
    form: BallotForm,
    found: Printings,
    reads: Iterator[list[_Read] | ScanInputError],
    checked: list[list[_Read] | ScanInputError],
    last_page_first: bool,
    key: str = "",
) -> StackOrderError | None:
    """Whether the order the committee says the stack was fed in is not the order the pages show
    (files read from ``reads`` to see it go into ``checked``). Only where the stack begins can it
    be seen: the first two ballot pages of the batch, and the page set aside just before it; and a
    ballot that waits for its other pages was begun in one order, which the batch must keep."""
    if not any(len(geometry["pages"]) > 1 for geometry, _layout in found.readable.values()):
        return None
    waiting = _waiting(form)
    if waiting:
        began_last_first = waiting[0].page_number != 1  # a run begins with page 1 or with the last page
        if began_last_first == last_page_first:
            return None
        if began_last_first:
            text = _(
                "A ballot begun last page first waits for its other pages, but “Stack fed last page "
                "first” is not ticked for these files. Nothing of these files was counted. Scan the "
                "rest of that ballot with the box ticked, or, if its pages cannot be found, read it on "
                "paper as the ballot whose first pages wait; then scan these files again."
            )
        else:
            text = _(
                "A ballot begun first page first waits for its other pages, but “Stack fed last page "
                "first” is ticked for these files. Nothing of these files was counted. Scan the rest of "
                "that ballot with the box unticked, or, if its pages cannot be found, read it on paper "
                "as the ballot whose first pages wait; then scan these files again."
            )
        return StackOrderError(text)
    aside = _aside_at_start(form, key)
    first: list[tuple[str, int]] = []
    for pages in reads:  # a file or two, read before any is stored
        checked.append(pages)
        first = _first_pages(form, checked)
        if len(first) == 2:
            break
    # the page set aside and the batch's first page, then the batch's first two pages
    pairs = [((aside.reading["version"], aside.page_number), first[0], True)] if aside and first else []
    pairs += [(first[0], first[1], False)] if len(first) == 2 else []
    for (version, one), (other_version, two), after_aside in pairs:
        if version == other_version and wrong_order(
            one, two, _page_count(found)(version), last_page_first=last_page_first
        ):
            error = _order_error(one, two, last_page_first, after_aside=after_aside)
            error.aside = aside if after_aside else None
            return error
    return None


def _first_pages(form: BallotForm, reads: list[list[_Read] | ScanInputError]) -> list[tuple[str, int]]:
    """The layout version and page number of the first two pages of these files that would be
    counted as ballot pages."""
    pages = [read for file in reads if isinstance(file, list) for read in file if read.reading is not None]
    counted = set(
        form.scanned_pages.filter(_COUNTED, sha256__in=[read.sha256 for read in pages]).values_list("sha256", flat=True)
    )
    first, seen = [], set()
    for read in pages:
        if read.sha256 not in counted and read.sha256 not in seen:
            first.append((read.reading.sheet.version, read.reading.sheet.page))
            seen.add(read.sha256)
        if len(first) == 2:
            break
    return first


def _aside_at_start(form: BallotForm, key: str = "") -> ScannedPage | None:
    """The last ballot page scanned, if it was set aside as one that cannot begin a ballot (nothing
    waits for the rest of a ballot) and the order was not asked about it yet (or only in the answer
    to the request ``key``, which is this one sent again: that answer never arrived). With the
    page after it, it shows the order of a stack fed one file at a time: a two-page ballot fed
    last page first and read first page first would join each ballot's page 1 to the next
    ballot's page 2. (The pages of a run set aside by a ballot read on paper began a ballot: their
    order is known. A run set aside because a page broke it is followed by that page, so it is
    never the last.)"""
    last = form.scanned_pages.filter(page_number__isnull=False).order_by("-sequence").first()
    if (
        last is not None
        and last.status == ScannedPage.Status.NOT_BALLOT
        and last.reason == "incomplete"
        and (not last.reading.get("order_known") or (key and last.reading.get("asked_by") == key))
    ):
        return last
    return None


def stack_order(form: BallotForm) -> bool:
    """Whether the stack is being read last page first, as far as the pages scanned say: the order
    a waiting ballot began in, or else that of the last ballot scanned (its first page through the
    scanner); first page first when none. The scan page ticks its box so, for the next batch."""
    waiting = _waiting(form)
    if waiting:
        return waiting[0].page_number != 1
    ballot = counted_ballots(form).filter(by_hand=False).order_by("-position").first()
    if ballot is None:
        return False
    first = form.scanned_pages.filter(pk__in=ballot.pages).order_by("sequence").first()
    return first is not None and first.page_number != 1


def _order_error(first: int, second: int, last_page_first: bool, *, after_aside: bool = False) -> StackOrderError:
    values = {"first": first, "second": second}
    if after_aside and last_page_first:
        text = _(
            "The page scanned just before these files was set aside as page %(first)s, and their first "
            "ballot page is page %(second)s: the stack seems to have been fed first page first, not last "
            "page first. Nothing of these files was counted. If so, untick “Stack fed last page first” and "
            "scan again from the ballot of the page set aside, beginning with its page %(first)s. If "
            "instead that ballot lacks a page, find the page and scan that ballot again whole, then these "
            "files."
        )
    elif after_aside:
        text = _(
            "The page scanned just before these files was set aside as page %(first)s, and their first "
            "ballot page is page %(second)s: the stack seems to have been fed last page first. Nothing of "
            "these files was counted. If so, tick “Stack fed last page first” and scan again from the "
            "ballot of the page set aside, beginning with its page %(first)s. If instead that ballot lacks "
            "a page, find the page and scan that ballot again whole, then these files."
        )
    elif last_page_first:
        text = _(
            "The first ballot pages of these files are page %(first)s, then page %(second)s: the stack "
            "was fed first page first, not last page first. Nothing of these files was counted, and the "
            "files after them were not read: untick “Stack fed last page first” and read them again."
        )
    else:
        text = _(
            "The first ballot pages of these files are page %(first)s, then page %(second)s: the stack "
            "seems to have been fed last page first. Nothing of these files was counted, and the files "
            "after them were not read. If so, tick “Stack fed last page first” and read them again. If "
            "instead the first ballot of the stack lacks its page 1, find that page and scan the ballot "
            "again whole."
        )
    return StackOrderError(text % values)


@dataclass(frozen=True)
class PageCheck:
    """What the count would do with one page of a trial (``check_pages``)."""

    file: str
    page: int  # in the file, from 1
    reason: str  # why the count would not read it ("blank", "black_and_white", …), or "" when it would
    text: str  # the reason in words, or what the count would read
    ballot_page: int | None = None  # the page of the ballot it is
    dpi: int | None = None  # the resolution measured on the page
    in_doubt: bool = False  # the count would send it to the committee
    grey: str = ""  # the grey squares' levels, 0 black to 1 paper ("" when not measured)


MAX_CHECK_FILES = 10


def check_pages(actor: Any, form: BallotForm, files: list[tuple[str, bytes]]) -> list[PageCheck | ScanInputError]:
    """A trial of the printed ballots and of the scanner or the phone, at any time before the
    count: each page of ``files`` (blank ballots, as printed or copied) is read as the count would
    read it, and what the count would do with it is said. Nothing is stored, counted or kept:
    the office tries its printing or its copies, and the committee its scanner's settings, before
    the day (a scanner in black and white, too light, at 100 dpi; ballots copied in a mode that
    turns the grey squares white or black). A file that cannot be read takes its place in the list
    as its error."""
    from tinnhiem.accounts.roles import COUNT, PREPARE

    if not (actor.has_perm(PREPARE) or actor.has_perm(COUNT)):
        raise PermissionDenied(_("Only the office and the counting committee try the ballots with the scanner."))
    if not files:
        raise ValidationError(_("Choose at least one file."))
    if len(files) > MAX_CHECK_FILES:
        raise ValidationError(
            _("A trial takes at most %(n)s files: the ballots are counted on the scanning page.")
            % {"n": MAX_CHECK_FILES}
        )
    results: list[PageCheck | ScanInputError] = []
    for (name, _data), pages in zip(files, _read_files(form, printings(form), files, None), strict=True):
        if isinstance(pages, ScanInputError):
            results.append(pages)
            continue
        for number, page in enumerate(pages, start=1):
            if page.reading is None:
                text = str(PAGE_REASONS.get(page.reason, page.reason))
                levels = [float(v) for v in page.detail.split()] if page.reason == "filtered" else []
                results.append(PageCheck(clean_line(name), number, page.reason, text, grey=_levels(levels)))
                continue
            reading = page.reading
            doubt = reading.needs_review()  # a blank ballot should not: ink where there should be none
            text = (
                _("read, but the count would send it to the committee: ink it cannot be sure of")
                if doubt
                else _("every row read with certainty, as at the count")
            )
            results.append(
                PageCheck(
                    clean_line(name), number, "", text, reading.sheet.page, reading.dpi, doubt, _levels(reading.grey)
                )
            )
    return results


def _levels(levels: list[float]) -> str:
    """The grey squares' levels as the trial page shows them ("0,50 · 0,49" in Vietnamese)."""
    return " · ".join(number_format(level, 2) for level in levels)


def scan_file(
    actor: Any,
    form: BallotForm,
    *,
    name: str,
    data: bytes,
    progress: Callable[[int, int], None] | None = None,
    last_page_first: bool = False,
    take_over: bool = False,
) -> ScanReport:
    """Count one scanned file (``scan_files`` with one file); a file that cannot be read raises."""
    result = scan_files(actor, form, [(name, data)], progress, last_page_first=last_page_first, take_over=take_over)[0]
    if isinstance(result, ValidationError):
        raise result
    return result


def _page_reading(reading: recognize.PageReading, digits: dict[str, str]) -> dict[str, Any]:
    """What is kept of a page's reading: the measures for the record, and what a ballot is made
    of (the key of each row, or why not) for when the rest of its ballot comes in another file."""
    return {
        "rows": [
            {
                "person": r.person,
                "key": r.key(digits),
                "doubt": r.doubt,
                "name_flag": r.name_flag,
                "name_ink": r.name_ink,
                "name_strike": r.name_strike,
                "name_mark": r.name_mark,  # mm² (recognize.NAME_MARK_MM2)
                # state "pencil": marked, decided against the page (recognize.PENCIL_LIKE); last, the
                # darkness of the box's printed frame (recognize.FRAME_SEEN) and the paper around it
                # as a share of the page's (recognize.COVERED)
                "boxes": [
                    [b.level, b.ink, b.faint, b.solid, "pencil" if b.pencil else b.state, b.peak, b.frame, b.shade]
                    for b in r.boxes
                ],
                "confidence": r.confidence(),
            }
            for r in reading.rows
        ],
        "rotated": reading.rotated,
        "version": reading.sheet.version,
        "writing": reading.writing,
        "writing_flag": reading.writing_flag,
        "dpi": reading.dpi,  # as measured on the page (recognize.MIN_DPI)
        "registered": reading.registered,  # mm: laid on its blank before it was read (recognize.register)
        "register_passes": reading.register_passes,
        "creases": reading.creases,  # lit again along the creases of a fold (recognize.flatten_creases)
        # the other side of its sheet, lit away where it showed through (recognize.find_show_through)
        "through": reading.through.as_dict() if reading.through is not None else None,
        # the grey squares' levels (recognize.grey_levels; none before layout format 3): how near
        # real printers and pictures come to the line GREY_CUT draws, as field data
        "grey": reading.grey,
    }


# a page that makes the same image a duplicate: a counted page, one waiting for the rest of its
# ballot, or a scan withdrawn as a sheet counted twice (a page set aside as incomplete may come again)
_COUNTED = Q(status__in=(ScannedPage.Status.BALLOT, ScannedPage.Status.PENDING)) | Q(reason="rescanned")


def _page_count(found: Printings) -> Callable[[str], int]:
    """The number of pages of a ballot of each printed layout version."""
    return lambda version: len(found.readable[version][0]["pages"])


def _next_position(form: BallotForm) -> int:
    """The place of the next ballot in the count (the caller holds the form's lock)."""
    return (form.scanned_ballots.aggregate(m=Max("position"))["m"] or 0) + 1


def _waiting(form: BallotForm) -> list[ScannedPage]:
    """The pages of a ballot begun in an earlier file, in stack order."""
    return list(form.scanned_pages.filter(status=ScannedPage.Status.PENDING).order_by("sequence"))


@files_removed_on_failure  # if storing fails and is rolled back, the image files it wrote go too
@transaction.atomic
def _record_file(
    actor: Any,
    form: BallotForm,
    file_sha256: str,
    pages: list[_Read],
    found: Printings,
    *,
    last_page_first: bool = False,
    take_over: bool = False,
    key: str = "",
    place: int = 0,
) -> ScanReport:
    """Store the pages of one file, in stack order, and make ballots of them, in one transaction."""
    form = BallotForm.objects.select_for_update().select_related("conference__campaign").get(pk=form.pk)
    member = _check_scanning(actor, form)  # again, under the lock
    if key and _recorded_with(form, key, place):
        return ScanReport(already=True)
    # another member's stack may have left a ballot waiting since the batch began
    other = other_feeder(form, member)
    if other is not None and not take_over:
        raise _other_stack_error(other)
    digits = {lv.key: str(lv.digit) for lv in form.conference.rules.levels}
    sequence = (form.scanned_pages.aggregate(m=Max("sequence"))["m"] or 0) + 1
    position = _next_position(form)
    report = ScanReport()
    # the first pages of a ballot whose other pages are in this file (a scanner that writes a
    # file per page, or a stack split across files)
    stack = Assembler(
        _page_count(found),
        last_page_first=last_page_first,
        waiting=[(p.reading["version"], p.page_number, p) for p in _waiting(form)],
    )
    for read in pages:
        report.pages += 1
        page = ScannedPage(form=form, sequence=sequence, sha256=read.sha256, status=ScannedPage.Status.BALLOT)
        sequence += 1
        if ScannedPage.objects.filter(_COUNTED, form=form, sha256=read.sha256).exists():
            page.status, page.reason = ScannedPage.Status.DUPLICATE, "duplicate"
        elif read.reading is None:
            page.status = ScannedPage.Status.BLANK if read.reason == "blank" else ScannedPage.Status.NOT_BALLOT
            page.reason = read.reason
        else:
            page.page_number = read.reading.sheet.page
            page.reading = _page_reading(read.reading, digits)
        if read.kept:
            save_file(page.image, f"page.{read.ext}", read.kept)
        page.save()
        if page.status != ScannedPage.Status.BALLOT:
            report.ignored.append({"sequence": page.sequence, "reason": page.reason, "text": page.reason_text})
            continue
        # the pages of a ballot come one after the other: a page out of turn means the ballot
        # before it lost a page (the committee finds it in the stack and scans it again)
        step = stack.add(page.reading["version"], page.page_number, page)
        _incomplete(step.aside, report)
        if step.ballot:
            position = _assemble(form, step.ballot, position, report)
    pending = stack.waiting
    for page in pending:  # the rest of the ballot may come in the next file
        if page.status != ScannedPage.Status.PENDING:
            page.status, page.reason = ScannedPage.Status.PENDING, "pending"
            page.save(update_fields=["status", "reason"])
    report.waiting = len(pending)
    if pending:  # only this member's next files may complete that ballot
        ScanFeed.objects.update_or_create(form=form, defaults={"member": member})
    else:
        ScanFeed.objects.filter(form=form).delete()
    record(
        actor,
        "scan.file",
        conference=form.conference,
        data={
            "form": form.pk,
            "sha256": file_sha256,
            "pages": report.pages,
            "ballots": report.ballots,
            "to_review": report.to_review,
            "last_page_first": last_page_first,
            "member": member.pk,
            # the key of the scan page's request, so that the same request sent again after a
            # lost answer records nothing twice (none from the command line)
            **({"submission": key, "file_in_request": place} if key else {}),
            # the member whose ballot waited, when this one said the files continue that stack
            **({"took_over_from": other.pk} if other is not None else {}),
        },
    )
    return report


def _recorded_with(form: BallotForm, key: str, place: int) -> bool:
    """Whether the file at ``place`` in the request was recorded by the same request sent before; by
    its place, as the same file twice in one request is a page scanned twice. The caller holds the
    form's lock, so that a request sent again while the first is still being recorded waits for it."""
    return Event.objects.filter(
        conference_id=form.conference_id, action="scan.file", data__submission=key, data__file_in_request=place
    ).exists()


def stored_image(page: ScannedPage) -> np.ndarray:
    with page.image.open("rb") as handle:
        data = np.frombuffer(handle.read(), np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)


def page_as_read(form: BallotForm, page: ScannedPage) -> np.ndarray:
    """The kept picture of a page, rectified, lit again where the other side of its sheet showed
    through and along the creases of a fold, and laid on its blank, as the reader did when it had to
    (recognize.find_show_through, recognize.flatten_creases, recognize.register: a sheet that did
    not lie flat): what the committee sees of a row is what was read.
    Raises recognize.NotABallot for a picture an earlier version read but this one refuses."""
    image = stored_image(page)
    rectified = recognize.rectify(image, recognize.find_markers(image))
    reading = page.reading
    found = None
    if reading.get("registered") or reading.get("creases") or reading.get("through"):
        found = printings(form).readable.get(reading.get("version"))
    if found is not None:
        geometry, layout = found
        blank = _blank_ink(form, layout).get(page.page_number)
        printed = next((p for p in geometry["pages"] if p["number"] == page.page_number), None)
        through = reading.get("through")
        back = _blank_darkness(form, layout).get(through["page"]) if through else None
        if back is not None:
            rectified = recognize.lighten_show_through(rectified, back, recognize.ShowThrough(**through))
        if blank is not None and printed is not None:
            flattened = recognize.flatten_creases(rectified, blank, printed) if reading.get("creases") else None
            if flattened is not None:
                rectified = flattened[0]
            if reading.get("registered"):
                rectified = recognize.lay_on_blank(rectified, blank, printed, reading["register_passes"])
    return rectified


def _incomplete(pages: list[ScannedPage], report: ScanReport, *, order_known: bool = False) -> None:
    """Set pages aside as a ballot missing a page. ``order_known``: they had begun a ballot in the
    order the committee said (its pages waited), so they tell nothing of where a stack begins."""
    for page in pages:
        page.status, page.reason = ScannedPage.Status.NOT_BALLOT, "incomplete"
        fields = ["status", "reason"]
        if order_known:
            page.reading["order_known"] = True
            fields.append("reading")
        page.save(update_fields=fields)
        report.ignored.append({"sequence": page.sequence, "reason": page.reason, "text": page.reason_text})


def _assemble(form: BallotForm, pending: list[ScannedPage], position: int, report: ScanReport) -> int:
    """A ballot from its pages, in page order (the caller checked that they follow each other)."""
    waited = [page.pk for page in pending if page.status == ScannedPage.Status.PENDING]
    ScannedPage.objects.filter(pk__in=waited).update(status=ScannedPage.Status.BALLOT, reason="")
    keys, flags, confidence = "", [], 1.0
    for page in pending:
        for row in page.reading["rows"]:
            keys += row["key"] if row["key"] is not None else "?"
            if row["key"] is None:
                flags.append({"person": row["person"], "why": "uncertain", "doubt": row["doubt"]})
            if row["name_flag"]:
                flags.append({"person": row["person"], "why": "name"})
            confidence = min(confidence, row["confidence"])
        if page.reading.get("writing_flag"):  # of no row: the page's space under the list
            flags.append({"person": None, "page": page.page_number, "why": "writing"})
    ballot = ScannedBallot.objects.create(
        form=form,
        position=position,
        pages=[str(p.pk) for p in pending],
        machine_keys=keys,
        keys="" if flags else keys,
        flags=flags,
        confidence=confidence,
        needs_review=bool(flags),
    )
    report.ballots += 1
    report.to_review += int(ballot.needs_review)
    return position + 1


@transaction.atomic
def review_ballot(
    actor: Any,
    ballot: ScannedBallot,
    *,
    keys: str = "",
    invalid_reason: str = "",
    reason: str,
    submission: str = "",
    seen: int | None = None,
) -> ScannedBallot:
    """The committee's reading of a ballot (flagged, or opened at random to spot-check): a ruling.
    ``submission``: the page's one-time id; the same page sent twice records one ruling.
    ``seen``: how many rulings on this ballot the page showed. Two members may have the same
    ballot open: a ruling recorded by one since then refuses the other's, made without seeing it,
    which would otherwise replace it unnoticed. So too the page brought back (the browser's Back)
    and changed: it is no repeat, and the ruling it made since is shown before another is taken."""
    ballot, member = _locked_ballot(actor, ballot)  # the ballot's row is locked: no race below
    form = ballot.form
    content = {"ballot": str(ballot.pk), "keys": keys, "invalid": invalid_reason, "reason": reason}
    submission = short_key(submission, "scan.reviewed", content)
    if submission and form.rulings.filter(submission=submission).exists():
        return ballot
    on_ballot = form.rulings.filter(position=ballot.position)
    if seen is not None and on_ballot.count() != seen:
        latest = on_ballot.select_related("decided_by__voter").last()
        raise ValidationError(
            _(
                "While this page was open, %(member)s recorded a ruling on this ballot: %(decision)s. "
                "The page now shows it; record another reading only if the committee reads it otherwise."
            )
            % {
                "member": latest.decided_by.voter.full_name if latest else "",
                "decision": latest.decision if latest else "",
            }
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the committee's reading."))
    keys, invalid_reason = _committee_reading(form, keys, invalid_reason)
    with official_language():  # in the minutes
        if ballot.by_hand:
            subject = _("Ballot read on paper by the committee as %(reading)s, corrected.") % {
                "reading": describe_reading((ballot.keys, ballot.invalid_reason))
            }
        else:
            why = "; ".join(r["label"] for r in ballot.reasons()) or _("spot check")
            subject = _("Scanned ballot read as %(machine)s (%(why)s; confidence %(confidence)s).") % {
                "machine": ballot.keys or ballot.machine_keys,
                "why": why,
                "confidence": number_format(ballot.confidence, 2),
            }
        decision = _("Read as %(reading)s — %(reason)s") % {
            "reading": describe_reading((keys, invalid_reason)),
            "reason": reason,
        }
    ballot.keys, ballot.invalid_reason, ballot.needs_review = keys, invalid_reason, False
    ballot.save(update_fields=["keys", "invalid_reason", "needs_review"])
    Ruling.objects.create(
        form=form,
        position=ballot.position,
        subject=subject,
        decision=decision,
        decided_by=member,
        submission=submission,
    )
    record(
        actor,
        "scan.reviewed",
        conference=form.conference,
        data={"form": form.pk, "position": ballot.position, "keys": keys, "invalid": invalid_reason, "reason": reason},
    )
    return ballot


def _locked_ballot(
    actor: Any, ballot: ScannedBallot, *, withdrawn_ok: bool = False
) -> tuple[ScannedBallot, CommitteeMember]:
    """The ballot, locked, for a ruling of a member of the committee, while the form is counted."""
    ballot = ScannedBallot.objects.select_for_update().select_related("form__conference__campaign").get(pk=ballot.pk)
    member = member_for(actor, ballot.form.conference)
    refuse_if_finalised(ballot.form)
    if ballot.withdrawn and not withdrawn_ok:
        raise ValidationError(_("This scan was withdrawn: it is not counted."))
    return ballot, member


@transaction.atomic
def withdraw_ballot(actor: Any, ballot: ScannedBallot, *, reason: str) -> ScannedBallot:
    """The same sheet was counted twice (the scanner jammed and sheets were fed again, or a ballot
    read on paper was also scanned): the committee withdraws the extra one, with a ruling. The
    ballots counted must still equal the ballots collected, so a real ballot withdrawn by mistake
    shows as one missing."""
    ballot, member = _locked_ballot(actor, ballot, withdrawn_ok=True)
    if ballot.withdrawn:  # the same page sent twice (a second click): withdrawn once, one ruling
        return ballot
    form = ballot.form
    if not reason.strip():
        raise ValidationError(_("Write how the committee knows this sheet was counted twice."))
    ballot.withdrawn, ballot.needs_review = True, False
    ballot.save(update_fields=["withdrawn", "needs_review"])
    ScannedPage.objects.filter(pk__in=ballot.pages).update(status=ScannedPage.Status.DUPLICATE, reason="rescanned")
    with official_language():  # in the minutes
        subject = _("Ballot %(n)s is a sheet counted twice (%(reason)s).") % {
            "n": ballot.position,
            "reason": clean_line(reason),
        }
        decision = _("Not counted a second time.")
    Ruling.objects.create(form=form, position=ballot.position, subject=subject, decision=decision, decided_by=member)
    record(
        actor,
        "scan.withdrawn",
        conference=form.conference,
        data={"form": form.pk, "position": ballot.position, "member": member.pk, "reason": clean_line(reason)},
    )
    return ballot


def counted_ballots(form: BallotForm):
    """The ballots of a scanned count, without the scans withdrawn as a sheet counted twice."""
    return form.scanned_ballots.filter(withdrawn=False)


def _committee_reading(form: BallotForm, keys: str, invalid_reason: str) -> tuple[str, str]:
    """The committee's reading of a ballot: one key per person, or the reason the whole ballot is
    invalid."""
    invalid_reason = clean_invalid_reason(invalid_reason)
    if not invalid_reason and "?" in keys:
        raise ValidationError(_("Replace each “?” with the committee's reading of that row."))
    keys = "" if invalid_reason else parse_marks(form.conference.rules, len(people_of(form)), keys)
    return keys, invalid_reason


@transaction.atomic
def add_ballot_by_hand(
    actor: Any,
    form: BallotForm,
    *,
    keys: str = "",
    invalid_reason: str = "",
    reason: str,
    submission: str = "",
    instead_of_waiting: bool = False,
) -> ScannedBallot:
    """A ballot the scanner cannot read (torn, soaked, its corner marks or QR code destroyed, or
    printed for an earlier list of rated persons): the committee reads the paper and records its
    reading, with why the scanner could not, as a ruling in the minutes. It counts as one more
    ballot of the stack, so the ballots counted must still equal the ballots collected.
    ``submission``: the page's one-time id; the same form sent twice records one ballot.
    ``instead_of_waiting``: this is the ballot whose first pages wait for the rest (a later page
    torn, say): those pages are set aside as incomplete, and the committee's reading counts."""
    form = BallotForm.objects.select_for_update().select_related("conference__campaign").get(pk=form.pk)
    member = _check_scanning(actor, form)
    submission = submission.strip()[:32]
    # the form row is locked (and SQLite transactions are IMMEDIATE): no race
    already = form.scanned_ballots.filter(submission=submission).first() if submission else None
    if already is None and not reason.strip():
        raise ValidationError(
            _("Write why the scanner cannot read this ballot (torn, wet, printed for an earlier list…).")
        )
    keys, invalid_reason = _committee_reading(form, keys, invalid_reason)
    if already is not None:
        if (already.keys, already.invalid_reason) == (keys, invalid_reason):
            return already
        # the page brought back (the browser's Back) and changed: one more ballot would be
        # counted for the one sheet, and the change dropped as a repeat would go unseen
        raise ValidationError(
            _(
                "This page already recorded ballot %(n)s, read as %(reading)s. To correct that reading, open "
                "ballot %(n)s under “Read on paper by the committee”; to add another ballot, open this page again."
            )
            % {"n": already.position, "reading": describe_reading((already.keys, already.invalid_reason))}
        )
    waiting = _waiting(form)
    if instead_of_waiting:
        if not waiting:
            raise ValidationError(_("No scanned page waits for the rest of its ballot."))
        _incomplete(waiting, ScanReport(), order_known=True)
        ScanFeed.objects.filter(form=form).delete()  # nothing waits now, from anyone's scanner
    position = _next_position(form)
    ballot = ScannedBallot.objects.create(
        form=form,
        position=position,
        pages=[],
        machine_keys="",
        keys=keys,
        invalid_reason=invalid_reason,
        by_hand=True,
        submission=submission,
    )
    with official_language():  # in the minutes
        subject = _("A ballot the scanner cannot read (%(reason)s): read on paper by the committee.") % {
            "reason": clean_line(reason)
        }
        decision = _("Read as %(reading)s") % {"reading": describe_reading((keys, invalid_reason))}
    Ruling.objects.create(form=form, position=position, subject=subject, decision=decision, decided_by=member)
    record(
        actor,
        "scan.by_hand",
        conference=form.conference,
        data={
            "form": form.pk,
            "position": position,
            "keys": keys,
            "invalid": invalid_reason,
            "member": member.pk,
            "pages_set_aside": len(waiting) if instead_of_waiting else 0,
        },
    )
    return ballot


def spot_check(form: BallotForm) -> ScannedBallot | None:
    """A scanned ballot chosen at random, for the committee to compare with the paper (a ballot
    read on paper by the committee has no image to compare)."""
    ids = list(counted_ballots(form).filter(by_hand=False).values_list("pk", flat=True))
    return ScannedBallot.objects.get(pk=secrets.choice(ids)) if ids else None


def scan_problems(form: BallotForm) -> list[str]:
    """What stops finalising a scanned count: pages scanned must equal ballots collected, no
    ballot may wait for the committee, and no page for the rest of its ballot."""
    form = BallotForm.objects.get(pk=form.pk)  # the current counts, not the caller's copy
    problems = []
    ballots = counted_ballots(form).count()

    if form.collected is not None and ballots != form.collected:
        problems.append(
            _("%(scanned)s ballots scanned, %(collected)s collected: they must be equal.")
            % {"scanned": ballots, "collected": form.collected}
        )
        if ballots > form.collected:
            problems.append(
                _(
                    "If a sheet went through the scanner twice (a jam, sheets fed again), open the "
                    "second scan of it and withdraw it."
                )
            )
    waiting = counted_ballots(form).filter(needs_review=True).count()
    if waiting:
        problems.append(_("%(n)s scanned ballots wait for the committee.") % {"n": waiting})
    pending = form.scanned_pages.filter(status=ScannedPage.Status.PENDING).count()
    if pending:
        problems.append(
            _(
                "%(n)s pages wait for the other pages of their ballot: scan the rest of the ballot, "
                "or find the missing page in the stack."
            )
            % {"n": pending}
        )
    return problems


def scanned_ballots(form: BallotForm):
    from tinnhiem.voting.usecases.counting import to_ballot

    rules = form.conference.rules
    return [to_ballot(rules, b.keys, b.invalid_reason) for b in counted_ballots(form)]
