"""Reading a scanned or photographed ballot: pure image processing (OpenCV, zxing-cpp), no Django.

1. Find the four ArUco fiducials and rectify the page by homography onto the printed geometry
   (any rotation, upside down included, and phone-photo perspective). A picture of more than one
   ballot (a fiducial found twice, or fiducials that do not land where one sheet has them) is
   refused.
2. Read the QR code: conference, ballot form, layout version, page, and its HMAC.
3. Measure the ink in every box of the exported geometry (inner 70 %), after an adaptive threshold.
   A box is *marked*, *empty* or *uncertain*; nothing uncertain is decided here. A pencil mark is
   decided only when it is as dark as the other marks of its page (see PENCIL_LIKE).
4. Compare the name column with the blank rendered ballot: extra ink flags a crossed-out or a
   written-in name for the committee.
5. Compare the space under the printed list with the blank ballot: writing there (a name written
   in, a signature) flags the ballot for the committee (see WRITING_MM2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import cv2
import numpy as np
import zxingcpp

from tinnhiem.documents.layout import GREY, LEFT, MARKER, MARKERS, PAGE_H, PAGE_W, QR_POS, QR_SIZE, RIGHT
from tinnhiem.documents.marks import SheetId, parse_qr

# OpenCV prints its own "[ERROR] ... IHDR chunk shall be first" on the server's console for a damaged
# image, which the scan refuses with its reason in Vietnamese anyway (scanning.usecases).
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

PX_PER_MM = 6.0
# Share of the inner 70 % of a box: *dark* ink (at least DARK_DELTA below the local paper) makes a
# mark; any *faint* ink (an adaptive threshold) that is not clearly a mark — a smudge, an erased
# mark, a very light touch — sends the box to the committee.
# A mark with no *solid* (pen-dark) ink is not decided from its box alone: it may be a pencil mark,
# a smudge or an erased mark.
MARKED, EMPTY, SOLID = 0.08, 0.03, 0.02
DARK_DELTA, SOLID_DELTA = 70, 120
# Such a box is decided as a pencil mark only when all of this holds; otherwise the committee sees it.
# - Its ink is strokes, not a blot: the share of any ink stays at most PENCIL_BLOT (pencil crosses
#   at most 0.39 on synthetic scans, smudges at least 0.51).
# - There are at least PENCIL_REFERENCES other marks on the page (pen marks or such strokes), and
#   its darkness (the 97th percentile in the box) is at least PENCIL_LIKE times their median. A
#   voter keeps one pencil for the page: on synthetic scans 99 % of pencil marks are at 0.86 or
#   more of their page's median; a pencil touch on a page marked in pen is about 0.55.
# - If its row then holds another mark, the lighter of the two is at least PENCIL_PAIR times the
#   darker; otherwise one of them may have been rubbed out before the other was made.
# bench/scan_accuracy.py --erasure-sweep: a pencil mark rubbed out to 70 % of its darkness or less
# was never read as a mark; 75–80 % left, about one in ten was (docs/scanning.md).
# Nothing else changes: a row with any box left uncertain is still not decided.
PENCIL_BLOT, PENCIL_LIKE, PENCIL_REFERENCES, PENCIL_PAIR = 0.45, 0.8, 2, 0.9
# A box is read only if its own printed frame is seen: the frame is black, as dark as a pen's mark,
# so a frame fainter than a mark must be (DARK_DELTA) means a pen mark in that box may not be
# seen either. A flash or a lamp's glare on a photo washes a patch of the page out: of 240
# synthetic photos with a glare over a box (bench/scan_accuracy.py --glare 60), 29 had a row read
# as unmarked, its mark gone from the picture, none flagged; the weakest frame on each such page
# was 9 to 19 below the paper. The frames of 200 pages of the mix, photos, 150 dpi and tinted
# paper included: 102 and more. The weakest of the frame's four sides is taken.
FRAME_SEEN = DARK_DELTA
FRAME_BAND = 0.8  # mm on each side of the printed frame line
# A box is read only if the paper around it is seen at COVERED or more of the page's paper level: a
# finger holding the sheet, a clip or a pen lying over a box darkens it all, and its edge across
# the box reads as a mark. Of 60 synthetic photos with a dark object (30–90 of 255) over the edge
# of the page, 6 had a row read as two marks, none flagged; their covered boxes were at 0.23–0.24.
# The boxes of 200 pages of the mix, photos with uneven light included, are at 0.6 and more.
COVERED = 0.45
NAME_EXTRA_INK = 0.010  # extra ink share in the name zone over the blank ballot
# A blurred or low-resolution scan thickens all printed text a little, on every row alike; a
# crossed-out name adds ink to its own row. The page's median extra ink, when it stays below
# NAME_PAGE_MAX, is taken as that thickening and subtracted. Above it (every name crossed out, or
# a page too degraded to judge) nothing is subtracted, so every row goes to the committee.
NAME_PAGE_MAX = 0.018
# A stroke through a name: on some band of the zone (7 px, about 1 mm, high), new ink — away from
# any printed stroke — runs along at least this share of the zone's width. Thickened print stays
# next to the printed strokes and is not counted. Measured on synthetic scans (bench/): clean rows
# at most 0.005, a name struck through at least 0.078; the share of extra ink alone missed one
# struck name in ten on photos and light strokes.
NAME_STRIKE = 0.04
# Any other new ink on a name: a cross over it, a stroke slanting across it or a line down through
# it, a tick or a blot beside or on it (synthetic.NAME_MARKS). The two measures above look for a
# line along the name and for ink over the whole zone: of 200 synthetic pages of the 44-person form
# with one of those marks (bench/scan_accuracy.py --name-marks 40), 120 went unflagged, an X over a
# name among them. Measured as the writing under the list is (mm² of new dark ink away from every
# printed stroke, specks removed), a blot on the letters by what is thicker than any printed
# stroke (_name_mark). Clean names measure 0.0 mm² (about 9,000 rows of the mix, photos
# included); of 1,000 marked pages (--name-marks 200), no other name was flagged, and 6 marks went
# unflagged, each a blot 2–4 mm across measured under 1 mm² (on the letters). 2.0 mm² missed 5 more
# small blots.
NAME_MARK_MM2 = 1.5
# Writing under the printed list: a name written in by hand, or a signature. Every rule set says
# what a written-in name does (rules validity.written_in_name: ignored and the ballot flagged for
# the committee, or the whole ballot invalid under QĐ 262); the machine cannot tell a name from a
# signature, so it flags the ballot and the committee rules. Measured as the new dark ink, away
# from every printed stroke, between the table and the bottom markers (mm²; above the table is
# the stamp's place). Calibrated on synthetic scans (bench/scan_accuracy.py).
WRITING_MM2 = 4.0
WRITING_GAP = 2.5  # mm under the table's last line, where a photo may leave the line's own edge
_DICTIONARY = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


class NotABallot(Exception):
    """The page is not one of our ballots (or cannot be read); ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class BoxReading:
    level: str
    ink: float  # share of dark ink
    faint: float  # share of any ink
    solid: float  # share of solid (pen-dark) ink
    state: str  # marked | empty | uncertain
    peak: float = 0.0  # darkness of the mark (97th percentile below the paper), 0 when no mark
    pencil: bool = False  # marked without pen-dark ink, decided against the page (PENCIL_LIKE)
    frame: float = 255.0  # darkness of its printed frame, its weakest side (FRAME_SEEN)
    shade: float = 1.0  # the paper around it, as a share of the page's (COVERED)

    @property
    def washed_out(self) -> bool:
        return self.frame < FRAME_SEEN

    @property
    def covered(self) -> bool:
        return self.shade < COVERED

    @property
    def pencil_candidate(self) -> bool:
        return (
            self.state == "uncertain"
            and self.ink >= MARKED
            and self.solid < SOLID
            and self.faint <= PENCIL_BLOT
            and not self.washed_out  # what the picture shows of that box is not the paper
            and not self.covered
        )


@dataclass
class RowReading:
    person: int
    boxes: list[BoxReading]
    name_ink: float = 0.0
    name_strike: float = 0.0
    name_mark: float = 0.0  # mm² of new ink on the name, away from or thicker than its print (NAME_MARK_MM2)
    unequal: bool = False  # two marks, one clearly lighter (PENCIL_PAIR)
    strayed: bool = False  # on a page that did not lie flat (NOT_FLAT), even once laid on its blank

    @property
    def uncertain(self) -> bool:
        return any(b.state == "uncertain" for b in self.boxes)

    @property
    def doubt(self) -> str | None:
        """What the committee should look for in an uncertain row: ``covered`` (something over a
        box in the picture: a finger, a clip, a deep shadow), ``washed_out`` (a box's own
        printed frame barely seen: glare on a photo; the paper says what is there), ``not_flat``
        (the same on a sheet that did not lie flat: the box is off its place), ``unequal`` (two
        marks, one lighter: perhaps rubbed out), ``no_pen_ink`` (a mark with no pen-dark ink:
        pencil, a smudge), ``faint`` (faint ink in a box); None when the row is decided."""
        if not self.uncertain:
            return None
        if any(b.covered for b in self.boxes):
            return "covered"
        if any(b.washed_out for b in self.boxes):
            return "not_flat" if self.strayed else "washed_out"
        if self.unequal:
            return "unequal"
        if any(b.state == "uncertain" and b.ink >= MARKED for b in self.boxes):
            return "no_pen_ink"
        return "faint"

    @property
    def name_flag(self) -> bool:
        return self.name_ink > NAME_EXTRA_INK or self.name_strike >= NAME_STRIKE or self.name_mark >= NAME_MARK_MM2

    def key(self, digits: dict[str, str]) -> str | None:
        """The row's key as in double entry (level digit, 0 no mark, 9 several), None if uncertain."""
        if self.uncertain:
            return None
        marked = [b.level for b in self.boxes if b.state == "marked"]
        if not marked:
            return "0"
        if len(marked) > 1:
            return "9"
        return digits[marked[0]]

    def confidence(self) -> float:
        """0 (a box on a threshold, or not decided) to 1 (every box clear of its thresholds): the
        row's least clear box. A mark's ink over MARKED, as a share of the gap from EMPTY, and its
        pen-dark ink over SOLID, as a share of SOLID; an empty box's ink under EMPTY, as a share of
        EMPTY (a blank box is 1)."""
        worst = 1.0
        for b in self.boxes:
            if b.state == "marked":
                clear = min((b.ink - MARKED) / (MARKED - EMPTY), (b.solid - SOLID) / SOLID)
                if b.pencil:  # decided against the page, not by its own ink: never shown as certain
                    clear = min((b.ink - MARKED) / (MARKED - EMPTY), 0.5)
            elif b.state == "empty":
                clear = (EMPTY - max(b.ink, b.faint)) / EMPTY
            else:
                clear = 0.0
            worst = min(worst, max(clear, 0.0))
        return round(worst, 3)


@dataclass
class PageReading:
    sheet: SheetId
    rows: list[RowReading] = field(default_factory=list)
    rotated: float = 0.0  # degrees, for information

    writing: float = 0.0  # mm² of new ink under the printed list (WRITING_MM2)
    dpi: float = 0.0  # the resolution the page was scanned at, from the size of its markers
    registered: float = 0.0  # mm: the largest stray of its print corrected (register), 0 when none
    register_passes: int = 0  # how many of REGISTER_PASSES moved it (lay_on_blank does as many)
    creases: int = 0  # the creases of a fold it was lit again along (flatten_creases), 0 when none
    through: ShowThrough | None = None  # the other side of its sheet, lit away (find_show_through)
    grey: list[float] = field(default_factory=list)  # the grey squares' levels (grey_levels); none before format 3

    @property
    def writing_flag(self) -> bool:
        return self.writing >= WRITING_MM2

    def needs_review(self) -> bool:
        return in_doubt(self.rows, self.writing)


def in_doubt(rows: list[RowReading], writing: float) -> bool:
    """A page the committee must see: a row not decided, a name with ink on it, writing under the list."""
    return writing >= WRITING_MM2 or any(r.uncertain or r.name_flag for r in rows)


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return np.ascontiguousarray(image)


# the lowest resolution read, measured on the page by the size of its markers: a 150-dpi scan
# measures 143–151 (bench/scan_resolution.py); by arithmetic, not measured here, a page filling a
# phone's 12-megapixel photo gives about 340, and a chat app's copy of 1,280 pixels 90–110
MIN_DPI = 125
BILEVEL_MID_TONES = 0.0015  # share of mid-grey pixels under which a near-black-and-white page was cut


def is_bilevel(gray: np.ndarray) -> bool:
    """A page in a scanner's black-and-white mode (the text mode many office scanners use for
    PDF): every pixel black or white. A grayscale scan has noise; even a page rendered from a PDF
    has at most about 98 % of its pixels pure black or white, for the edges of its letters.

    Saved as JPEG (a scanner's JPEG or PDF of JPEG pages, a phone app's black-and-white filter),
    such a page is no longer pure: the compression rings about every edge. It is still near black
    or near white everywhere, with almost no mid-grey pixel: measured on synthetic pages cut to
    black and white at 150–300 dpi, at most 0.11 % mid-grey at JPEG quality 30 (0 at 75 and more),
    where the letters' edges alone give a grey render of the ballot 0.73 % at 300 dpi and 0.26 %
    at 600 dpi, and every synthetic grayscale scan 0.8 % and more. Only a black-and-white page
    reduced afterwards (its edges turned grey again) passes for grey."""
    sample = gray[::4, ::4]
    if float(((sample == 0) | (sample == 255)).mean()) > 0.995:
        return True
    near = float(((sample <= 24) | (sample >= 231)).mean())
    mid = float(((sample > 64) & (sample < 192)).mean())
    return near > 0.98 and mid < BILEVEL_MID_TONES


def is_blank(gray: np.ndarray) -> bool:
    """A blank back side of a duplex scan: almost no dark pixels."""
    small = cv2.resize(gray, (200, int(200 * gray.shape[0] / max(gray.shape[1], 1))), interpolation=cv2.INTER_AREA)
    return float((small < 110).mean()) < 0.002


DETECT_WIDTH = 1100  # markers are found on a reduced copy (12 mm ≈ 63 px), then scaled back
MARKER_MISFIT_MM = 3.0  # how far a mark's corner may land from where it is printed, once rectified


def reduced(gray: np.ndarray) -> np.ndarray:
    """The copy on which the markers are found (and a blank page is recognised): a picture at
    least twice as wide (a 300-dpi scan, a phone's photo) is first averaged over whole squares of
    pixels, then interpolated. OpenCV's averaging over fractions of pixels (``INTER_AREA`` at any
    scale) took 9 ms of a 200-dpi page, a third of reading it; this takes 1.2–1.6 ms, and the
    corners are found as near their true place (synthetic pages turned by a known angle, 150–300
    dpi; tests/scanning/test_recognition.py)."""
    scale = min(1.0, DETECT_WIDTH / gray.shape[1])
    if scale >= 1:
        return gray
    whole = int(1 / scale)  # 2 at 300 dpi, 1 at 200
    if whole > 1:
        gray = cv2.resize(gray, None, fx=1 / whole, fy=1 / whole, interpolation=cv2.INTER_AREA)
    return cv2.resize(gray, None, fx=scale * whole, fy=scale * whole, interpolation=cv2.INTER_LINEAR)


def find_markers(gray: np.ndarray, small: np.ndarray | None = None) -> dict[int, np.ndarray]:
    """The page's corner marks, by their number, in the pixels of ``gray``. A mark found twice is
    refused (``several_ballots``): the picture shows more than one ballot, or the corner of another
    ballot under this one, and which of the two marks belongs to which ballot cannot be told."""
    small = reduced(gray) if small is None else small
    scale = small.shape[1] / gray.shape[1]
    detector = cv2.aruco.ArucoDetector(_DICTIONARY, cv2.aruco.DetectorParameters())
    found: dict[int, np.ndarray] = {}
    for contrast in (False, True):  # the page as it is, then, if a mark is missing, its contrast stretched
        corners, ids, _rejected = detector.detectMarkers(cv2.equalizeHist(small) if contrast else small)
        if ids is not None:
            numbers = [n for n in ids.ravel().tolist() if 0 <= n <= 3]
            if len(numbers) != len(set(numbers)):
                raise NotABallot("several_ballots", ",".join(map(str, sorted(numbers))))
            for marker_id, quad in zip(ids.ravel().tolist(), corners, strict=True):
                if 0 <= marker_id <= 3 and marker_id not in found:
                    # pixel centres: the centre of pixel 0 is at 0, so its left edge is at -0.5
                    found[marker_id] = (quad.reshape(4, 2) + 0.5) / scale - 0.5
        if len(found) == 4:
            break
    return found


def homography(markers: dict[int, np.ndarray]) -> np.ndarray:
    """The matrix from the picture's pixels to the printed page's, at ``PX_PER_MM``. The fiducials
    and the QR sit at the same place on every layout (tinnhiem/documents/layout.py)."""
    size = MARKER
    source, target = [], []
    for marker_id, quad in markers.items():
        x, y = MARKERS[marker_id]
        source.extend(quad.tolist())
        target.extend([[x, y], [x + size, y], [x + size, y + size], [x, y + size]])
    # a point x mm from the page's edge is at x * PX_PER_MM - 0.5 in pixel-centre coordinates, as in
    # the blank page it is compared with (blank_ink): a shift of a pixel there reads the bottom edge
    # of bold print as new ink along a name (bench/scan_accuracy.py)
    target_px = np.float32(target) * PX_PER_MM - 0.5
    matrix, _mask = cv2.findHomography(np.float32(source), target_px, 0)
    if matrix is None:
        raise NotABallot("unreadable", "homography")
    # the corners of every mark must land where they are printed: marks of two ballots side by
    # side, or one above the other, do not (off by 11 mm and more), where one sheet, scanned or
    # photographed, misses by 0.6 mm at most (bench/scan_accuracy.py --several)
    landed = cv2.perspectiveTransform(np.float32(source).reshape(-1, 1, 2), matrix).reshape(-1, 2)
    misfit = float(np.abs(landed - target_px).max()) / PX_PER_MM
    if misfit > MARKER_MISFIT_MM:
        raise NotABallot("unreadable", f"{misfit:.1f} mm")
    return matrix


def rectify(gray: np.ndarray, markers: dict[int, np.ndarray], matrix: np.ndarray | None = None) -> np.ndarray:
    """Warp the page so that one millimetre is ``PX_PER_MM`` pixels, as printed."""
    matrix = homography(markers) if matrix is None else matrix
    width, height = int(PAGE_W * PX_PER_MM), int(PAGE_H * PX_PER_MM)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


# A page from a scanner set too light (its brightness turned up), or printed pale: its black, as a
# share of its paper's white, from which it is refused. A synthetic scan or photo, however dim,
# keeps its black under 0.05 of its paper (a dim photo darkens both); a real photo's black is
# lighter (the lens scatters light), hence a line far above. Too light, black at 80–110 of 255
# gives 0.32–0.49 and is read (a third of such pages go to the committee); black at 110–140 gives
# 0.44–0.61, where 55 of 60 pages went to the committee, mostly for boxes "washed out"; black at
# 140 and more gives 0.55 and more, where every page did (bench/scan_accuracy.py --pale).
PALE = 0.5


def print_black(rectified: np.ndarray, markers: Iterable[int]) -> float:
    """How dark the page's print is: the black of its corner marks found (the median of them, so
    that a glare or a thumb on one does not count), each measured by the quarter of its pixels
    that are darkest (a mark is more than three quarters black)."""
    blacks = []
    for marker_id in markers:
        x, y = MARKERS[marker_id]
        inset = 0.5  # mm: off the mark's edges, which blur into the paper
        square = rectified[
            int((y + inset) * PX_PER_MM) : int((y + MARKER - inset) * PX_PER_MM),
            int((x + inset) * PX_PER_MM) : int((x + MARKER - inset) * PX_PER_MM),
        ]
        blacks.append(float(np.percentile(square, 25)))
    return float(np.median(blacks))


# A ballot of layout format 3 shows two squares printed mid-grey (GREY, GREY_LUMA). A phone scanner
# app's black-and-white filter turns them white (it whitens whatever is even, as it whitens the
# paper) or black, as it turns a light pencil mark white or black: such a picture has lost what
# tells a pencil mark from a smudge, with nothing else on the page to show it (its soft edges and
# JPEG leave it grey enough to pass for a grey scan). A square is "cut" when its level, from the
# print's black (0) to the paper around it (1), is under GREY_CUT or over 1 - GREY_CUT; the page is
# refused only when every square is, so that a glare or a thumb on one does not refuse it. Printed
# at 0.5, the squares measured 0.47–0.52 on 3,800 synthetic scans and photos of the mix (tinted,
# in uneven light, 150–300 dpi), and 0.97 and more through the filter (bench/scan_accuracy.py
# --app-filter: 175 photos). Not yet measured on paper from real printers.
GREY_CUT = 0.15
GREY_INSET = 2.0  # mm: the inside of a square, off its edges
GREY_RING = (1.5, 3.0)  # mm outside a square: the paper around it
GREY_MARGIN = 3.0  # mm around a square, left out of the search for writing and of the registration


def _without_grey(image: np.ndarray, x0: int = 0, y0: int = 0) -> None:
    """Blank out where the grey squares are printed (GREY_MARGIN around them, on a page of this
    format or an older one, where nothing else is printed there), in ``image`` whose top-left pixel
    is (x0, y0) of the rectified page: an even grey is no writing, and no print to lay a page on
    (its blank ink map shows only its outline, which matches the square a little off its place)."""
    m = GREY_MARGIN
    for x, y, w, h in GREY:
        left, top = max(int((x - m) * PX_PER_MM) - x0, 0), max(int((y - m) * PX_PER_MM) - y0, 0)
        right, bottom = int((x + w + m) * PX_PER_MM) - x0, int((y + h + m) * PX_PER_MM) - y0
        if right > 0 and bottom > 0:
            image[top:bottom, left:right] = 0


def grey_levels(rectified: np.ndarray, squares: Iterable[Iterable[float]], black: float) -> list[float]:
    """Each grey square's level, from the print's black (0) to the paper around it (1)."""
    levels = []
    height, width = rectified.shape[:2]
    for x, y, w, h in squares:
        inside = _region(rectified, x + GREY_INSET, y + GREY_INSET, w - 2 * GREY_INSET, h - 2 * GREY_INSET, 1.0)
        near, far = GREY_RING
        x0, y0 = max(int((x - far) * PX_PER_MM), 0), max(int((y - far) * PX_PER_MM), 0)
        x1, y1 = min(int((x + w + far) * PX_PER_MM), width), min(int((y + h + far) * PX_PER_MM), height)
        outside = np.ones((y1 - y0, x1 - x0), bool)
        outside[
            max(int((y - near) * PX_PER_MM) - y0, 0) : int((y + h + near) * PX_PER_MM) - y0,
            max(int((x - near) * PX_PER_MM) - x0, 0) : int((x + w + near) * PX_PER_MM) - x0,
        ] = False
        ring = rectified[y0:y1, x0:x1][outside]
        if inside.size == 0 or ring.size == 0:
            continue
        paper = float(np.percentile(ring, 90))
        levels.append((float(inside.mean()) - black) / max(paper - black, 1.0))
    return levels


QR_MARGIN = 6.0  # mm of quiet zone around the QR


def _at_qr(position: Any, matrix: np.ndarray) -> bool:
    """Whether a code found in the picture is printed where this page's QR is."""
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    centre = np.float32([[[sum(c.x for c in corners) / 4, sum(c.y for c in corners) / 4]]])
    x, y = ((cv2.perspectiveTransform(centre, matrix)[0, 0] + 0.5) / PX_PER_MM).tolist()
    inside = lambda v, start: start - QR_MARGIN <= v <= start + QR_SIZE + QR_MARGIN  # noqa: E731
    return inside(x, QR_POS[0]) and inside(y, QR_POS[1])


def read_qr(gray: np.ndarray, matrix: np.ndarray | None = None) -> list[str]:
    """The QR codes in ``gray``; given the page's ``matrix``, only one printed where the page's own
    QR is: a picture may show another ballot's code too."""
    for image in (gray, cv2.GaussianBlur(gray, (3, 3), 0)):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        texts = [r.text for r in found if matrix is None or _at_qr(r.position, matrix)]
        if texts:
            return texts
    return []


def ink_map(rectified: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(dark, faint, solid): 1 where there is ink; the darkness itself (below the paper); and the
    local paper level (a wide dilation, which removes the ink), which copes with tinted paper and
    uneven light."""
    blurred = cv2.GaussianBlur(rectified, (3, 3), 0)
    paper = cv2.dilate(blurred, np.ones((15, 15), np.uint8))
    paper = cv2.blur(paper, (31, 31))
    darkness = cv2.subtract(paper, blurred)
    dark = (darkness > DARK_DELTA).astype(np.uint8)
    faint = (darkness > 28).astype(np.uint8)
    solid = (darkness > SOLID_DELTA).astype(np.uint8)
    return dark, faint, solid, darkness, paper


def _region(image: np.ndarray, x: float, y: float, w: float, h: float, inner: float) -> np.ndarray:
    mx, my = w * (1 - inner) / 2, h * (1 - inner) / 2
    x0, y0 = int((x + mx) * PX_PER_MM), int((y + my) * PX_PER_MM)
    x1, y1 = int((x + w - mx) * PX_PER_MM), int((y + h - my) * PX_PER_MM)
    return image[y0:y1, x0:x1]


def _share(ink: np.ndarray, x: float, y: float, w: float, h: float, inner: float) -> float:
    region = _region(ink, x, y, w, h, inner)
    return float(region.mean()) if region.size else 0.0


def _percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)``, the same value (linear between the two nearest), by a partial
    sort: six times quicker on a box's few hundred pixels, where numpy's general machinery costs
    more than the sort (the frames of a 44-person page took 10 ms of its 67)."""
    flat = values.ravel()
    position = q / 100 * (flat.size - 1)
    k = int(position)
    if k + 1 >= flat.size:
        return float(np.partition(flat, k)[k])
    low, high = (float(v) for v in np.partition(flat, (k, k + 1))[[k, k + 1]])
    return low + (position - k) * (high - low)


def _peak(darkness: np.ndarray, x: float, y: float, w: float, h: float, inner: float) -> float:
    region = _region(darkness, x, y, w, h, inner)
    return _percentile(region, 97) if region.size else 0.0


def _frame(darkness: np.ndarray, x: float, y: float, w: float, h: float) -> float:
    """How dark a box's printed frame is seen: the weakest of its four sides (90th percentile of
    the darkness in a band of FRAME_BAND each side of the line)."""
    band = round(2 * FRAME_BAND * PX_PER_MM)
    x0, y0 = int((x - FRAME_BAND) * PX_PER_MM), int((y - FRAME_BAND) * PX_PER_MM)
    x1, y1 = x0 + int((w + 2 * FRAME_BAND) * PX_PER_MM), y0 + int((h + 2 * FRAME_BAND) * PX_PER_MM)
    region = darkness[max(y0, 0) : y1, max(x0, 0) : x1]
    if region.shape[0] <= 2 * band or region.shape[1] <= 2 * band:
        return 0.0
    sides = (region[:band], region[-band:], region[:, :band], region[:, -band:])
    return min(_percentile(side, 90) for side in sides)


# A line down the whole picture, as dust or a scratch on a scanner's glass draws on every page fed
# past it: darker than the paper beside it (STREAK_DELTA) along STREAK_SHARE of the picture's
# rows. Through the boxes, it reads as a mark in every box of that column: of 180 synthetic scans
# with such a line 0.3 to 2.5 mm wide through a box, 122 had rows read wrong, none flagged (every
# empty box of the column marked: "9", several marks, or a level for "0"; bench/scan_accuracy.py
# --streak 60). A printed line runs at most across the table, and never through a box's inside.
STREAK_SHARE, STREAK_DELTA = 0.75, 40
STREAK_WINDOW = 5.0  # mm: the paper beside the line is taken this wide


def streak_through(
    gray: np.ndarray, matrix: np.ndarray, zones: list[tuple[float, float, float, float]], dpi: float
) -> float | None:
    """Where a line down the whole picture crosses one of the ``zones`` (x, y, w, h in mm on the
    page), in mm from the page's left edge; None when no such line does."""
    step = 4  # rows: the line runs down the whole picture, every fourth row is plenty
    rows = np.ascontiguousarray(gray[::step])
    window = int(STREAK_WINDOW * dpi / 25.4) | 1
    darker = cv2.subtract(cv2.blur(rows, (window, 1)), rows) > STREAK_DELTA
    columns = np.flatnonzero(darker.mean(axis=0) >= STREAK_SHARE)
    if columns.size == 0:
        return None
    # the line, a point every millimetre or so, laid on the printed page
    ys = np.arange(0, gray.shape[0], max(int(dpi / 25.4), 1), dtype=np.float32)
    points = np.stack(np.meshgrid(columns.astype(np.float32), ys), axis=-1).reshape(-1, 1, 2)
    x, y = ((cv2.perspectiveTransform(points, matrix).reshape(-1, 2) + 0.5) / PX_PER_MM).T
    for zx, zy, zw, zh in zones:
        inside = (x > zx) & (x < zx + zw) & (y > zy) & (y < zy + zh)
        if inside.any():
            return float(x[inside].mean())
    return None


def _insides(page: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """The inside of every box, where its marks are measured (70 %)."""
    return [(b["x"] + 0.15 * b["w"], b["y"] + 0.15 * b["h"], 0.7 * b["w"], 0.7 * b["h"]) for b in page["boxes"]]


def _strike(ink: np.ndarray, blank: np.ndarray, x: float, y: float, w: float, h: float, inner: float) -> float:
    """The longest band of new ink across a zone, as a share of its width (see NAME_STRIKE)."""
    here, printed = _region(ink, x, y, w, h, inner), _region(blank, x, y, w, h, inner)
    if here.size == 0 or here.shape != printed.shape:
        return 0.0
    new = here & (1 - cv2.dilate(printed, np.ones((5, 5), np.uint8)))
    band = cv2.dilate(new, np.ones((7, 1), np.uint8))  # a stroke may slope a little
    return float(band.sum(axis=1).max()) / here.shape[1]


def _new_ink(dark: np.ndarray, printed: np.ndarray) -> np.ndarray:
    """The dark ink away from every printed stroke (more than 3 px, half a millimetre, from it)."""
    return dark & (1 - cv2.dilate(printed, np.ones((7, 7), np.uint8)))


def _mm2(new: np.ndarray) -> float:
    """The area of new ink, specks of noise and dust removed, in mm²."""
    return float(cv2.morphologyEx(new, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)).sum()) / PX_PER_MM**2


_ROUND = {size: cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)) for size in (3, 7, 8)}


def _name_mark(ink: np.ndarray, blank: np.ndarray, x: float, y: float, w: float, h: float, inner: float) -> float:
    """The new ink on a name in mm² (see NAME_MARK_MM2): away from its print, or thicker than any
    of its strokes (a blot on the letters: what is left, away from the print's own thicker parts,
    once every stroke thinner than 8 px, 1.3 mm, is eroded away, grown back to its size)."""
    here, printed = _region(ink, x, y, w, h, inner), _region(blank, x, y, w, h, inner)
    if here.size == 0 or here.shape != printed.shape:
        return 0.0
    thick_print = cv2.dilate(cv2.erode(printed, _ROUND[3]), _ROUND[7])
    blot = cv2.dilate(cv2.erode(here, _ROUND[8]) & (1 - thick_print), _ROUND[8]) & here
    return _mm2(_new_ink(here, printed) | blot)


def writing_under_list(rectified: np.ndarray, blank: np.ndarray, page: dict[str, Any]) -> float:
    """The new dark ink between the table and the bottom markers, in mm² (see WRITING_MM2)."""
    top = max(r["y"] + r["h"] for r in page["rows"]) + WRITING_GAP
    bottom = MARKERS[3][1] - 1.0
    y0, y1 = int(top * PX_PER_MM), int(bottom * PX_PER_MM)
    x0, x1 = int(LEFT * PX_PER_MM), int(RIGHT * PX_PER_MM)
    if y1 - y0 < 3 * PX_PER_MM or blank.shape[0] < y1:
        return 0.0
    dark = ink_map(rectified[y0:y1])[0][:, x0:x1]
    new = _new_ink(dark, blank[y0:y1, x0:x1])
    _without_grey(new, x0, y0)  # a grey square's edges, off their place on a sheet far from flat, are no writing
    return round(_mm2(new), 1)


def classify(dark: float, faint: float, solid: float) -> str:
    if dark >= MARKED:
        return "marked" if solid >= SOLID else "uncertain"
    if dark <= EMPTY and faint <= EMPTY:
        return "empty"
    return "uncertain"


def decide_pencil(rows: list[RowReading]) -> None:
    """The second look at the boxes left uncertain only for want of pen-dark ink (PENCIL_LIKE)."""
    marks = [b for r in rows for b in r.boxes if b.state == "marked" or b.pencil_candidate]
    for row in rows:
        for i, box in enumerate(row.boxes):
            if not box.pencil_candidate:
                continue
            others = [m.peak for m in marks if m is not box]
            if len(others) >= PENCIL_REFERENCES and box.peak >= PENCIL_LIKE * float(np.median(others)):
                row.boxes[i] = replace(box, state="marked", pencil=True)
    for row in rows:  # two marks in a row, one of them lighter: perhaps rubbed out and marked again
        peaks = [b.peak for b in row.boxes if b.state == "marked"]
        if any(b.pencil for b in row.boxes) and len(peaks) > 1 and min(peaks) < PENCIL_PAIR * max(peaks):
            row.boxes[:] = [replace(b, state="uncertain", pencil=False) if b.pencil else b for b in row.boxes]
            row.unequal = True


# A sheet that does not lie flat (once folded into the ballot box, curling off a pile) photographed
# from above: its middle nearer the lens than its corners, its print strays from where the four
# corner marks put it, in no way a homography undoes (a sheet 3 mm off the table, from 30 cm: 1 %
# nearer, up to 1.5 mm off 15 cm from the middle). Boxes then lose their frames (FRAME_SEEN),
# names their place on the blank (NAME_STRIKE reads a stray of a third of a millimetre as a
# stroke), and the print under the list reads as writing: of 60 photos of the 44-person form
# bowing 1–3 mm, 37 went to the committee, and all 180 bowing 3–20 mm (bench/scan_accuracy.py
# --bend). A page in doubt is therefore laid on its blank piece by piece: every REGISTER_TILE
# square from the table to the bottom markers is looked for within REGISTER_REACH of its place,
# and when some piece strays by REGISTER_MIN or more, the page is read again, moved by the smooth
# field of those strays; a second pass with smaller pieces takes what the first left.
REGISTER_TILE, REGISTER_REACH, REGISTER_MIN = 24.0, 4.0, 0.2  # mm
REGISTER_PASSES = ((REGISTER_TILE, REGISTER_REACH), (12.0, 2.0))
REGISTER_SCORE = 0.5  # least correlation of a piece with its blank for its stray to count
# A page laid on its blank by this much or more did not lie flat (a flat page's corner marks found
# a little off: 0.6 mm at most, docs/benchmarks.md): a box whose frame is still not seen there is
# said to be off its place (``not_flat``), not washed out by glare.
NOT_FLAT = 1.0  # mm


def _peak_offset(scores: np.ndarray, at: tuple[int, int]) -> tuple[float, float]:
    """The best place in ``scores``, at ``at`` (not on its edge), to a fraction of a pixel: the top of
    a parabola through the peak and its two neighbours, across and down."""
    x, y = at
    offsets = []
    for before, best, after, i in (
        (scores[y, x - 1], scores[y, x], scores[y, x + 1], x),
        (scores[y - 1, x], scores[y, x], scores[y + 1, x], y),
    ):
        curve = float(before - 2 * best + after)
        offsets.append(i + (0.5 * float(before - after) / curve if curve < 0 else 0.0))
    return offsets[0], offsets[1]


def _fill(strays: np.ndarray) -> np.ndarray:
    """Every piece's stray: its neighbours' median where it was found (a mark or a smudge may pull
    one piece off), and where it was not (blank paper), what lies between the found ones, down each
    column of pieces, then along each row."""
    found = ~np.isnan(strays[..., 0])
    out = np.full_like(strays, np.nan)
    for i, j in zip(*np.nonzero(found), strict=True):
        around = strays[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2].reshape(-1, 2)
        out[i, j] = np.median(around[~np.isnan(around[:, 0])], axis=0)
    for axis in (0, 1):
        lines = out if axis == 0 else out.transpose(1, 0, 2)  # a view: filled in place
        for j in range(lines.shape[1]):
            line = lines[:, j]
            known = np.flatnonzero(~np.isnan(line[:, 0]))
            if known.size:
                for k in (0, 1):
                    line[:, k] = np.interp(np.arange(len(line)), known, line[known, k])
    return out


def register(
    rectified: np.ndarray,
    blank: np.ndarray,
    page: dict[str, Any],
    tile_mm: float = REGISTER_TILE,
    reach_mm: float = REGISTER_REACH,
) -> tuple[np.ndarray, float] | None:
    """The page moved piece by piece onto its blank ink map, and the largest stray corrected (mm);
    None when no piece strays by REGISTER_MIN or more, or too few pieces are found to tell."""
    if blank.shape != rectified.shape:
        return None
    height, width = rectified.shape
    tile, reach = round(tile_mm * PX_PER_MM), round(reach_mm * PX_PER_MM)
    x0, x1 = max(int(LEFT * PX_PER_MM), reach), min(int(RIGHT * PX_PER_MM), width - reach)
    top = min(r["y"] for r in page["rows"]) - 2
    y0, y1 = max(int(top * PX_PER_MM), reach), min(int((MARKERS[3][1] - 1) * PX_PER_MM), height - reach)
    if x1 - x0 < tile or y1 - y0 < tile:
        return None
    xs = np.linspace(x0, x1 - tile, max(round((x1 - x0) / tile), 1)).round().astype(int)
    ys = np.linspace(y0, y1 - tile, max(round((y1 - y0) / tile), 1)).round().astype(int)
    reference = cv2.GaussianBlur(blank.astype(np.float32), (0, 0), 1.0)
    subject = cv2.GaussianBlur(255.0 - rectified.astype(np.float32), (0, 0), 1.0)
    _without_grey(reference)
    _without_grey(subject)
    strays = np.full((len(ys), len(xs), 2), np.nan, np.float32)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            template = reference[y : y + tile, x : x + tile]
            if float(template.std()) < 0.05:  # hardly any print to go by
                continue
            window = subject[y - reach : y + tile + reach, x - reach : x + tile + reach]
            scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
            _low, best, _at_low, at = cv2.minMaxLoc(scores)
            # at the end of its reach, the piece's place is beyond it, or the match is not the print
            inside = 0 < at[0] < scores.shape[1] - 1 and 0 < at[1] < scores.shape[0] - 1
            if best >= REGISTER_SCORE and inside:
                bx, by = _peak_offset(scores, at)
                strays[i, j] = (bx - reach, by - reach)
    if int((~np.isnan(strays[..., 0])).sum()) < 4:
        return None
    strays = _fill(strays)
    largest = float(np.hypot(strays[..., 0], strays[..., 1]).max()) / PX_PER_MM
    if largest < REGISTER_MIN:
        return None
    # the field between the pieces' centres, held at the outer pieces' beyond them
    centre_x, centre_y = xs + tile / 2, ys + tile / 2
    grid_x, grid_y = np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    across = [np.array([np.interp(grid_x, centre_x, row) for row in strays[..., k]]) for k in (0, 1)]
    field = [np.array([np.interp(grid_y, centre_y, column) for column in a.T], np.float32).T for a in across]
    moved = cv2.remap(
        rectified,
        field[0] + grid_x[None, :],
        field[1] + grid_y[:, None],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return moved, round(largest, 1)


def lay_on_blank(rectified: np.ndarray, blank: np.ndarray, page: dict[str, Any], passes: int) -> np.ndarray:
    """The page as the reader last saw it, when it laid it on its blank in ``passes`` passes (its
    reading's ``register_passes``): for the committee's view of a row."""
    for tile_mm, reach_mm in REGISTER_PASSES[:passes]:
        found = register(rectified, blank, page, tile_mm, reach_mm)
        if found is None:
            break
        rectified = found[0]
    return rectified


# A ballot folded to go into the box keeps its creases: straight lines across or down the whole
# sheet, a shadow a millimetre or two wide (as synthetic.crease draws them; real ones are not
# measured). Where one crosses the inside of a box it reads as faint ink, across a name as a stroke
# through it: most folded ballots of a long form went to the committee (bench/scan_accuracy.py
# --crease). So a page in doubt is searched for
# them: in every strip CREASE_STRIP mm wide, the bare paper only (no print of the blank, no box, no
# name, no grey square, no QR code) is averaged along each line, and a line darker than the paper
# beside it (CREASE_MIN, as a share of the paper) in every strip showing bare paper there but one
# (at least three), the outer strips on both sides of the table included, straight to
# CREASE_SLOPE, is a crease. Where it runs, the page is lit again by what the crease took from the
# bare paper, strip by strip. A line darker than CREASE_MAX is no crease and is left as it is: a
# voter's stroke, even one ruled straight across the page, margins and all, is not lit away, and a
# lighter one would not have been read as a mark's ink or a stroke through a name anyway.
CREASE_STRIP = 30.0  # mm
# darkening, as a share of the paper; CREASE_MAX: lighter than a mark's dark ink (DARK_DELTA) even
# on white paper, so that lighting a line again never takes away what would have been read as a mark
CREASE_MIN, CREASE_MAX = 0.02, DARK_DELTA / 255
CREASE_REACH = 3.0  # mm each side of its line, where a crease is lit again
CREASE_SLOPE = 2.0  # degrees off square
CREASE_AROUND = 6.0  # mm each side: the paper a crease is measured against


def _paper_only(blank: np.ndarray, page: dict[str, Any]) -> np.ndarray:
    """1 where the blank ballot has bare paper that no voter marks: not its print (1.5 mm around
    it), not a box or a name zone, not a grey square, not the QR code."""
    mask = 1 - cv2.dilate(blank, np.ones((19, 19), np.uint8))
    _without_grey(mask)
    zones = [(b["x"], b["y"], b["w"], b["h"]) for b in page["boxes"]]
    zones += [tuple(r["name_zone"]) for r in page["rows"]]
    zones.append((QR_POS[0], QR_POS[1], QR_SIZE, QR_SIZE))
    for x, y, w, h in zones:
        x0, y0 = max(int((x - 1) * PX_PER_MM), 0), max(int((y - 1) * PX_PER_MM), 0)
        mask[y0 : int((y + h + 1) * PX_PER_MM), x0 : int((x + w + 1) * PX_PER_MM)] = 0
    return mask


def _creases_across(shaded: np.ndarray, mask: np.ndarray, out: np.ndarray) -> list[tuple[float, float]]:
    """Every crease running across the page: its place at the middle (px) and its slope. ``shaded``:
    the darkness under the paper as a share of it, on the bare paper of ``mask`` (1) only; the
    crease's darkening is written into ``out`` (where it is the larger). Pass the three transposed
    for the creases running down."""
    height, width = shaded.shape
    strip = round(CREASE_STRIP * PX_PER_MM)
    edges = np.linspace(0, width, max(round(width / strip), 2) + 1).round().astype(int)
    centres = (edges[:-1] + edges[1:]) / 2
    weights = np.add.reduceat(mask, edges[:-1], axis=1)
    sums = np.add.reduceat(shaded, edges[:-1], axis=1)
    seen = weights >= 0.15 * np.diff(edges)[None, :]  # rows of a strip with enough bare paper
    profile = np.where(seen, sums / np.maximum(weights, 1), np.nan).astype(np.float32)
    # against the paper beside it: the mean of each strip within CREASE_AROUND, the line's own
    # third of it left out (a row of a strip with no bare paper near it stays unknown: NaN)
    known = ~np.isnan(profile)
    total = np.vstack([np.zeros((1, profile.shape[1])), np.cumsum(np.where(known, profile, 0.0), axis=0)])
    counted = np.vstack([np.zeros((1, profile.shape[1])), np.cumsum(known, axis=0)])
    around = round(CREASE_AROUND * PX_PER_MM)
    rows = np.arange(height)
    values, numbers = np.zeros(profile.shape), np.zeros(profile.shape)
    for low, high in ((-around, -around // 3), (around // 3 + 1, around + 1)):
        a, b = np.clip(rows + low, 0, height), np.clip(rows + high, 0, height)
        values += total[b] - total[a]
        numbers += counted[b] - counted[a]
    beside = np.where(numbers >= around // 2, values / np.maximum(numbers, 1), np.nan)
    darker = (profile - beside).astype(np.float32)
    if not np.nanmax(darker, initial=-1.0) >= CREASE_MIN:
        return []
    found: list[tuple[float, float]] = []
    best = np.full(height, -1.0, np.float32)
    slopes = np.tan(np.radians(np.linspace(-CREASE_SLOPE, CREASE_SLOPE, 17)))
    best_slope, depth = np.zeros(height, np.float32), np.zeros(height, np.float32)
    for slope in slopes:
        shifted = np.stack(
            [np.interp(rows + slope * (c - width / 2), rows, darker[:, j]) for j, c in enumerate(centres)], axis=1
        )
        # in every strip that shows bare paper there but one, at least three, and in both outer
        # strips (the margins beside the table)
        count = (~np.isnan(shifted)).sum(axis=1)
        ordered = np.sort(np.where(np.isnan(shifted), np.inf, shifted), axis=1)
        level = np.where(count >= 4, ordered[:, 1], ordered[:, 0])
        level = np.where((count >= 3) & (shifted[:, 0] >= level) & (shifted[:, -1] >= level), level, -1.0)
        better = level > best
        best[better], best_slope[better] = level[better], slope
        middle = np.take_along_axis(ordered, np.maximum(count - 1, 0)[:, None] // 2, axis=1)[:, 0]
        depth[better] = middle[better]  # the median of the strips that show it
    reach = round(CREASE_REACH * PX_PER_MM)
    for y in np.argsort(-best):
        if best[y] < CREASE_MIN:
            break
        if all(abs(y - f) > 2 * reach for f, _s in found):
            found.append((float(y), float(best_slope[y])))
    # a line as dark as a mark's ink (on the whitest paper) is no crease: it stays, for the committee
    found = [(y, slope) for y, slope in found if depth[int(y)] <= CREASE_MAX]
    xs = np.arange(width)
    offsets = np.arange(-reach, reach + 1)
    # across the page, each pixel between two strips' centres (held at the outer ones beyond them)
    right = np.clip(np.searchsorted(centres, xs), 1, len(centres) - 1)
    share = np.clip((xs - centres[right - 1]) / (centres[right] - centres[right - 1]), 0, 1)
    for y, slope in found:
        # the crease's darkening at each distance from its line, strip by strip; a strip with no
        # bare paper there takes what lies between its neighbours
        at = np.stack(
            [np.interp(y + offsets + slope * (c - width / 2), rows, darker[:, j]) for j, c in enumerate(centres)], 1
        )
        for values in at:
            known = ~np.isnan(values)
            values[:] = np.interp(centres, centres[known], values[known]) if known.any() else 0.0
        at = np.clip(at, 0, CREASE_MAX)
        line = at[:, right - 1] * (1 - share) + at[:, right] * share
        ys = np.round(y + offsets[:, None] + slope * (xs - width / 2)).astype(int)
        inside = (ys >= 0) & (ys < height)
        columns = np.broadcast_to(xs, ys.shape)[inside]
        out[ys[inside], columns] = np.maximum(out[ys[inside], columns], line[inside])
    return found


def flatten_creases(rectified: np.ndarray, blank: np.ndarray, page: dict[str, Any]) -> tuple[np.ndarray, int] | None:
    """The page lit again where the creases of a fold run (see CREASE_STRIP), and how many; None
    when none is found."""
    if blank.shape != rectified.shape:
        return None
    dark, _faint, _solid, darkness, paper = ink_map(rectified)
    # and not where this page has dark ink either: print a little off its place (a sheet that does
    # not lie flat), a voter's writing; a crease is lighter than that (CREASE_MAX)
    mask = (_paper_only(blank, page) & (1 - cv2.dilate(dark, np.ones((13, 13), np.uint8)))).astype(np.float32)
    shaded = darkness * mask / np.maximum(paper, 1)  # a share of the paper
    darkening = np.zeros(rectified.shape, np.float32)
    found = _creases_across(shaded, mask, darkening) + _creases_across(shaded.T, mask.T, darkening.T)
    if not found:
        return None
    return np.clip(rectified / (1 - darkening), 0, 255).astype(np.uint8), len(found)


# A sheet printed on both sides of thin paper shows its other side through it: the other page's
# print, mirrored, a few hundredths to a tenth of the way to black or more (not measured on real
# paper; office paper of 70–80 g/m² is sold as 89–94 % opaque). Where the other side's names fall on
# this side's boxes they read as faint ink: a long form printed on both sides sent many pages to
# the committee (bench/scan_accuracy.py --show-through). The other side is a known page of the
# form. So on a page in doubt, the blank of every other page, mirrored both ways a sheet can be
# turned over, is matched with the darkness of this page's bare paper (no print, box, name, grey
# square or QR code), to THROUGH_REACH mm off its place (a duplex printer's registration), on a
# reduced copy; the best match, if it stands THROUGH_Z times above the paper's own grain, is placed
# to a fraction of a pixel piece by piece (a slight turn or stretch as well), and how far the paper
# spread it and how strong it shows are measured on the bare paper. Show-through makes a page
# (1 − strength × the other side's darkness) times as light as printed; dividing by that gives back
# this side as printed, a voter's own marks included, wherever they lie. The other side's own marks
# are in no blank and stay, for the committee: a voter's light pencil mark on the same spot could
# not be told from them.
THROUGH_SCALE = 3  # the search for the page and its place: on a copy reduced to 2 px/mm
THROUGH_REACH = 4.0  # mm off its place
# on 105 synthetic pages in doubt printed on one side, the best match stood at most 72 times above
# the grain, at a strength of at most 0.014; on pages in doubt showing their other side, at least
# 122 times and 0.058 (docs/benchmarks.md)
THROUGH_Z = 100.0
THROUGH_MIN, THROUGH_MAX = 0.03, 0.5  # strength: lighter is nothing to mend; darker is no paper
THROUGH_TILES = (3, 4)  # pieces across and down, each placed on its own
THROUGH_PIECE_Z = 8.0  # the least match of a piece for its place to count
THROUGH_NUDGE = 1.0  # mm: how far a piece may lie from where the whole page put it
THROUGH_BLURS = (0.5, 1.0, 1.5, 2.5)  # px at PX_PER_MM: how far the paper may spread it
FLIPS = {"long": 1, "short": 0}  # turned over along the long edge (left to right) or the short one


@dataclass
class ShowThrough:
    """The other side of the sheet as it showed through (find_show_through)."""

    page: int  # the page of the form printed on the other side
    flip: str  # how the sheet was turned over (FLIPS)
    matrix: list[list[float]]  # 2 × 3: from its mirrored blank to this page (px at PX_PER_MM)
    blur: float  # px: how far the paper spread it
    strength: float  # its black shows this share of the way to black
    match: float = 0.0  # how far its match stood above the paper's grain (THROUGH_Z)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shown(back: np.ndarray, through: ShowThrough) -> np.ndarray:
    """The other side's darkness (``back``: blank_darkness) where it shows on this page, 0–1,
    before its strength."""
    height, width = back.shape
    mirrored = cv2.flip(back.astype(np.float32) / 255, FLIPS[through.flip])
    placed = cv2.warpAffine(mirrored, np.array(through.matrix, np.float64), (width, height), flags=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(placed, (0, 0), through.blur)


def lighten_show_through(rectified: np.ndarray, back: np.ndarray, through: ShowThrough) -> np.ndarray:
    """The page lit again by what the other side's print took from it (see THROUGH_SCALE)."""
    return np.clip(rectified / (1 - through.strength * _shown(back, through)), 0, 255).astype(np.uint8)


def find_show_through(
    rectified: np.ndarray, blank: np.ndarray, page: dict[str, Any], backs: dict[int, np.ndarray | None]
) -> ShowThrough | None:
    """The other side of the sheet, if it shows through (see THROUGH_SCALE); ``backs``: how dark the
    form's other pages are printed (blank_darkness), by number."""
    backs = {n: b for n, b in backs.items() if b is not None and b.shape == rectified.shape}
    if not backs or blank.shape != rectified.shape:
        return None
    _dark, _faint, _solid, darkness, paper = ink_map(rectified)
    mask = _paper_only(blank, page).astype(np.float32)
    known = mask > 0
    if known.sum() < 0.05 * mask.size:
        return None
    # the darkness under the paper, as a share of it, on the bare paper, centred on its own level
    shaded = np.clip(darkness / np.maximum(paper, 1), -0.5, 0.6).astype(np.float32) * mask
    shaded -= float(np.median(shaded[known])) * mask
    grain = max(float(np.std(shaded[known])), 1e-4)

    def reduced_copy(a: np.ndarray) -> np.ndarray:
        return cv2.resize(a, (a.shape[1] // THROUGH_SCALE, a.shape[0] // THROUGH_SCALE), interpolation=cv2.INTER_AREA)

    def match(image: np.ndarray, weights: np.ndarray, template: np.ndarray) -> np.ndarray:
        """How far each place of ``template`` in ``image`` stands above the grain."""
        along = cv2.matchTemplate(image, template, cv2.TM_CCORR)
        energy = cv2.matchTemplate(weights, template * template, cv2.TM_CCORR)
        return along / (grain * np.sqrt(np.maximum(energy, 1e-6)))

    # 1. which page, turned over which way, about where
    reach = round(THROUGH_REACH * PX_PER_MM / THROUGH_SCALE)
    image = cv2.copyMakeBorder(reduced_copy(shaded), reach, reach, reach, reach, cv2.BORDER_CONSTANT, value=0)
    weights = cv2.copyMakeBorder(reduced_copy(mask), reach, reach, reach, reach, cv2.BORDER_CONSTANT, value=0)
    best: tuple[float, int, str, float, float] | None = None
    for number, back in sorted(backs.items()):
        for flip, code in FLIPS.items():
            mirrored = reduced_copy(cv2.GaussianBlur(cv2.flip(back, code).astype(np.float32) / 255, (0, 0), 1.5))
            scores = match(image, weights, mirrored)
            y, x = np.unravel_index(int(np.argmax(scores)), scores.shape)
            if best is None or scores[y, x] > best[0]:
                best = (float(scores[y, x]), number, flip, float(x - reach), float(y - reach))
    if best is None or best[0] < THROUGH_Z:
        return None
    match_z, number, flip, dx, dy = best
    mirrored = cv2.flip(backs[number], FLIPS[flip]).astype(np.float32) / 255
    height, width = mirrored.shape
    moved = np.float64([[1, 0, dx * THROUGH_SCALE], [0, 1, dy * THROUGH_SCALE]])
    # 2. its place to a fraction of a pixel, piece by piece
    nudge = round(THROUGH_NUDGE * PX_PER_MM)
    template = cv2.GaussianBlur(cv2.warpAffine(mirrored, moved, (width, height)), (0, 0), 1.0)
    image = cv2.copyMakeBorder(shaded, nudge, nudge, nudge, nudge, cv2.BORDER_CONSTANT, value=0)
    weights = cv2.copyMakeBorder(mask, nudge, nudge, nudge, nudge, cv2.BORDER_CONSTANT, value=0)
    sources, targets, strengths = [], [], []
    across, down = THROUGH_TILES
    for i in range(across):
        for j in range(down):
            x0, x1 = width * i // across, width * (i + 1) // across
            y0, y1 = height * j // down, height * (j + 1) // down
            piece = template[y0:y1, x0:x1]
            scores = match(
                image[y0 : y1 + 2 * nudge, x0 : x1 + 2 * nudge],
                weights[y0 : y1 + 2 * nudge, x0 : x1 + 2 * nudge],
                piece,
            )
            y, x = np.unravel_index(int(np.argmax(scores)), scores.shape)
            if scores[y, x] < THROUGH_PIECE_Z or not (0 < y < scores.shape[0] - 1 and 0 < x < scores.shape[1] - 1):
                continue  # too faint here, or it may lie further off
            at = _peak_offset(scores, (x, y))
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            sources.append((centre[0] - moved[0, 2], centre[1] - moved[1, 2]))
            targets.append((centre[0] + at[0] - nudge, centre[1] + at[1] - nudge))
            strengths.append(float(scores[y, x]))
    matrix = moved
    if len(sources) >= 4:
        src, dst, w = np.float64(sources), np.float64(targets), np.sqrt(np.float64(strengths))[:, None]
        design = np.hstack([src, np.ones((len(src), 1))]) * w
        solution, *_ = np.linalg.lstsq(design, dst * w, rcond=None)
        fitted = solution.T
        # a duplex printer turns or stretches the other side a little, not more
        if np.abs(fitted[:, :2] - np.eye(2)).max() <= 0.02:
            matrix = fitted
    elif sources:
        shift = np.mean(np.float64(targets) - np.float64(sources), axis=0)
        matrix = np.float64([[1, 0, shift[0]], [0, 1, shift[1]]])
    # 3. how far the paper spread it and how strong it shows, on the bare paper
    placed = cv2.warpAffine(mirrored, matrix, (width, height), flags=cv2.INTER_LINEAR)
    chosen: tuple[float, float, float] | None = None
    for blur in THROUGH_BLURS:
        spread = cv2.GaussianBlur(placed, (0, 0), blur) * mask
        along, energy = float(np.vdot(spread, shaded)), float(np.vdot(spread, spread))
        if energy > 0 and (chosen is None or along * along / energy > chosen[0]):
            chosen = (along * along / energy, blur, along / energy)
    if chosen is None or not THROUGH_MIN <= chosen[2] <= THROUGH_MAX:
        return None
    return ShowThrough(
        page=number,
        flip=flip,
        matrix=[[round(float(v), 4) for v in line] for line in matrix],
        blur=chosen[1],
        strength=round(chosen[2], 4),
        match=round(match_z, 1),
    )


def _read_rows(
    rectified: np.ndarray, page: dict[str, Any], blank: np.ndarray | None, paper: float
) -> tuple[list[RowReading], float]:
    """The rows of a rectified page, in the order of their persons, and the writing under its list."""
    # the ink maps only where the table is (with a margin for the local paper level)
    top = min(r["y"] for r in page["rows"]) - 5
    bottom = max(r["y"] + r["h"] for r in page["rows"]) + 5
    y0, y1 = max(int(top * PX_PER_MM), 0), min(int(bottom * PX_PER_MM), rectified.shape[0])
    dark, faint, solid, darkness, local_paper = (
        np.pad(m, ((y0, rectified.shape[0] - y1), (0, 0))) for m in ink_map(rectified[y0:y1])
    )
    rows = {r["person"]: RowReading(person=r["person"], boxes=[]) for r in page["rows"]}
    for box in page["boxes"]:
        share = _share(dark, box["x"], box["y"], box["w"], box["h"], 0.7)
        any_ink = _share(faint, box["x"], box["y"], box["w"], box["h"], 0.7)
        solid_ink = _share(solid, box["x"], box["y"], box["w"], box["h"], 0.7)
        peak = _peak(darkness, box["x"], box["y"], box["w"], box["h"], 0.7) if share >= MARKED else 0.0
        frame = _frame(darkness, box["x"], box["y"], box["w"], box["h"])
        # the paper around the box as dark as a finger or a clip over it, not as a lamp leaves it
        under = _region(local_paper, box["x"], box["y"], box["w"], box["h"], 1.0)
        shade = float(under.min()) / max(paper, 1.0) if under.size else 0.0
        seen = frame >= FRAME_SEEN and shade >= COVERED
        state = classify(share, any_ink, solid_ink) if seen else "uncertain"
        rows[box["person"]].boxes.append(
            BoxReading(
                box["level"],
                round(share, 4),
                round(any_ink, 4),
                round(solid_ink, 4),
                state,
                peak=round(peak, 1),
                frame=round(frame, 1),
                shade=round(shade, 3),
            )
        )
    decide_pencil(list(rows.values()))
    extra = {}
    for r in page["rows"]:
        zx, zy, zw, zh = r["name_zone"]
        here = _share(dark, zx, zy, zw, zh, 0.9)
        base = _share(blank, zx, zy, zw, zh, 0.9) if blank is not None else here
        extra[r["person"]] = max(here - base, 0.0)
        if blank is not None:
            rows[r["person"]].name_strike = round(_strike(dark, blank, zx, zy, zw, zh, 0.9), 3)
            rows[r["person"]].name_mark = round(_name_mark(dark, blank, zx, zy, zw, zh, 0.9), 1)
    thickening = float(np.median(list(extra.values()))) if len(extra) >= 3 else 0.0
    if thickening > NAME_PAGE_MAX:
        thickening = 0.0
    for person, value in extra.items():
        rows[person].name_ink = round(max(value - thickening, 0.0), 4)
    writing = writing_under_list(rectified, blank, page) if blank is not None else 0.0
    return [rows[k] for k in sorted(rows)], writing


def read_sheet(
    image: np.ndarray,
    *,
    key: bytes,
    geometry_for: Callable[[SheetId], dict[str, Any] | None],
    blank_for: Callable[[SheetId], np.ndarray | None] | None = None,
    darkness_for: Callable[[SheetId], np.ndarray | None] | None = None,
) -> PageReading:
    """Read one page. ``geometry_for`` returns the printed geometry of a sheet (or None when the
    layout is unknown; it may raise NotABallot with a more precise reason, such as a ballot of
    another conference); ``blank_for`` its blank rendered, rectified ink map, for the name check;
    ``darkness_for`` how dark it is printed (blank_darkness), for what shows through a sheet printed
    on both sides (find_show_through: not looked for without it)."""
    gray = to_gray(image)
    small = reduced(gray)
    # A blank back side is looked for only on a page that is no ballot (a blank one in black and
    # white, or one with too few corner marks): a page showing its corner marks is never dropped
    # as blank, and a ballot is not measured for it (3 ms of a 200-dpi page).
    if is_bilevel(gray):
        # the scanner cut every pixel to black or white: a light pencil mark falls on the white
        # side and is gone from the image, so its row would read as unmarked (on 150 synthetic
        # pencil pages, read as before, 19 rows were read wrong, none flagged). Pen marks survive,
        # but which mark was pencil cannot be told any more: the page is scanned again in
        # grayscale. (Such a page may be no ballot at all: scanned again, it is then said so.)
        raise NotABallot("blank" if is_blank(small) else "black_and_white")
    markers = find_markers(gray, small)
    if len(markers) < 3:
        raise NotABallot("blank") if is_blank(small) else NotABallot("no_markers", str(len(markers)))
    sides = [float(np.linalg.norm(quad[i] - quad[i - 1])) for quad in markers.values() for i in range(4)]
    dpi = float(np.mean(sides)) / MARKER * 25.4
    if dpi < MIN_DPI:
        # a box is then 39 × 31 pixels and a pen's stroke 1 or 2: on 400 synthetic pages of the mix
        # at 100 dpi, 7 rows were read wrong (on 4 pages), none flagged (bench/scan_resolution.py)
        raise NotABallot("low_resolution", f"{dpi:.0f}")
    matrix = homography(markers)
    rectified = rectify(gray, markers, matrix)
    paper = float(np.percentile(rectified[::3, ::3], 90))  # every third pixel is plenty for the paper
    if paper < 80:
        raise NotABallot("too_dark", f"{paper:.0f}")
    black = print_black(rectified, markers)
    if black >= PALE * paper:  # before the sharpness, which a pale page lacks too
        raise NotABallot("pale", f"{black:.0f}/{paper:.0f}")
    _mean, deviation = cv2.meanStdDev(cv2.Laplacian(rectified, cv2.CV_16S))  # exact: at most 4 × 255 either way
    sharpness = float(deviation[0, 0]) ** 2 / max(paper, 1.0)
    if sharpness < 0.05:  # ordinary scans and photos: 0.3 and more; a shaken photo: 0.005
        raise NotABallot("blurred", f"{sharpness:.2f}")
    margin = QR_MARGIN
    x0, y0 = int((QR_POS[0] - margin) * PX_PER_MM), int((QR_POS[1] - margin) * PX_PER_MM)
    x1, y1 = int((QR_POS[0] + QR_SIZE + margin) * PX_PER_MM), int((QR_POS[1] + QR_SIZE + margin) * PX_PER_MM)
    qr_zone = np.ascontiguousarray(rectified[y0:y1, x0 : min(x1, rectified.shape[1])])
    texts = read_qr(qr_zone) or read_qr(gray, matrix)
    sheet = None
    for text in texts:
        sheet = parse_qr(key, text)
        if sheet is not None:
            break
    if sheet is None:
        if not texts and streak_through(gray, matrix, [(*QR_POS, QR_SIZE, QR_SIZE)], dpi) is not None:
            raise NotABallot("streak", "QR")  # the line cut the code: say so, not "cannot be read"
        raise NotABallot("foreign_qr" if texts else "no_qr")
    geometry = geometry_for(sheet)
    if geometry is None:
        raise NotABallot("unknown_layout")
    page = next((p for p in geometry["pages"] if p["number"] == sheet.page), None)
    if page is None:
        raise NotABallot("unknown_layout", "page")
    levels = grey_levels(rectified, geometry.get("grey", ()), black)
    if levels and all(not GREY_CUT < level < 1 - GREY_CUT for level in levels):
        raise NotABallot("filtered", " ".join(f"{level:.2f}" for level in levels))
    streak = streak_through(gray, matrix, _insides(page), dpi)
    if streak is not None:
        raise NotABallot("streak", f"{streak:.0f} mm")
    blank = blank_for(sheet) if blank_for else None
    rows, writing = _read_rows(rectified, page, blank, paper)
    through = None
    if blank is not None and darkness_for is not None and in_doubt(rows, writing):
        # a page in doubt may show the other side of its sheet through it
        backs = {p["number"]: darkness_for(replace(sheet, page=p["number"])) for p in geometry["pages"]}
        backs.pop(sheet.page, None)
        through = find_show_through(rectified, blank, page, backs)
        if through is not None:
            rectified = lighten_show_through(rectified, backs[through.page], through)  # type: ignore[arg-type]
            rows, writing = _read_rows(rectified, page, blank, paper)
    creases = 0
    if blank is not None and in_doubt(rows, writing):
        flattened = flatten_creases(rectified, blank, page)  # a page in doubt may have been folded
        if flattened is not None:
            rectified, creases = flattened
            rows, writing = _read_rows(rectified, page, blank, paper)
    registered, passes = 0.0, 0
    for tile_mm, reach_mm in REGISTER_PASSES:
        if blank is None or not in_doubt(rows, writing):
            break
        # a doubt may come from a sheet that did not lie flat: its print then strays from its place,
        # and the page is read again once laid on its blank
        found = register(rectified, blank, page, tile_mm, reach_mm)
        if found is None:
            break
        rectified, stray = found
        registered, passes = max(registered, stray), passes + 1
        rows, writing = _read_rows(rectified, page, blank, paper)
    for row in rows:
        row.strayed = registered >= NOT_FLAT
    top_left = markers.get(0)
    angle = float(np.degrees(np.arctan2(*(top_left[1] - top_left[0])[::-1]))) if top_left is not None else 0.0
    return PageReading(
        sheet=sheet,
        rows=rows,
        rotated=round(angle, 1),
        writing=writing,
        dpi=round(dpi),
        registered=registered,
        register_passes=passes,
        creases=creases,
        through=through,
        grey=[round(level, 2) for level in levels],
    )


def _in_page_coordinates(pdf_page_image: np.ndarray) -> np.ndarray:
    width, height = int(PAGE_W * PX_PER_MM), int(PAGE_H * PX_PER_MM)
    return cv2.resize(to_gray(pdf_page_image), (width, height), interpolation=cv2.INTER_AREA)


def blank_ink(pdf_page_image: np.ndarray) -> np.ndarray:
    """The dark-ink map of a blank rendered page (in page coordinates, at any resolution)."""
    return ink_map(_in_page_coordinates(pdf_page_image))[0]


def blank_darkness(pdf_page_image: np.ndarray) -> np.ndarray:
    """How dark a blank rendered page is printed, 0 (paper) to 255 (black), in page coordinates:
    what of it shows through the other side of its sheet (find_show_through)."""
    return 255 - _in_page_coordinates(pdf_page_image)
