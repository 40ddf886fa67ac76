"""Synthetic scans for the tests and the benchmark: the real rendered ballot, marked by hand
styles and then degraded the way scanners and phones do. Every synthetic ballot knows its truth.

Mark styles: cross, check, filled, circle, light pencil, pen slightly outside the box; plus a
crossed-out name, a smudge, a rubbed-out pencil mark and a name written under the list.
Degradations: rotation up to ±5°, perspective, blur, noise, JPEG, tinted paper, 150–300 dpi, and
uneven light for photos.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from tinnhiem.documents.layout import LEFT, MARKER, MARKER_MARGIN, PAGE_H

STYLES = ("cross", "check", "filled", "circle", "pencil", "outside")
ERASED = (0.25, 0.6)  # what an eraser leaves of a pencil mark's darkness: from a good to a poor rub


@dataclass
class Truth:
    keys: list[str]  # per row on this page: level digit, "0" no mark, "9" several marks
    crossed_name: bool = False  # a stroke through the first row's name (cross_out_name)
    name_mark: str | None = None  # other ink on the first row's name: one of NAME_MARKS
    ambiguous: list[int] = field(default_factory=list)  # rows made ambiguous on purpose (smudge, erasure)
    written: bool = False  # a name written by hand under the printed list


def render_blank(pdf: bytes, page_index: int, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    from tinnhiem.pdfium_lock import LOCK

    with LOCK:  # the server renders blank ballots while its other threads read scans
        doc = pdfium.PdfDocument(pdf)
        try:
            page = doc[page_index]
            try:
                image = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            finally:
                page.close()
        finally:
            doc.close()
    return np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)


def _pen(rng: random.Random, style: str, scale: float) -> tuple[int, int]:
    if style == "pencil":
        return rng.randint(95, 130), max(1, round(0.30 * scale))
    return rng.randint(0, 60), max(1, round(rng.uniform(0.35, 0.6) * scale))


def draw_mark(img: np.ndarray, box: dict[str, float], style: str, scale: float, rng: random.Random) -> None:
    x, y, w, h = (box[k] * scale for k in ("x", "y", "w", "h"))
    color, thickness = _pen(rng, style, scale)
    jitter = lambda v: v + rng.uniform(-0.08, 0.08) * w  # noqa: E731
    if style == "outside":  # the pen drifts: the cross is shifted by up to a third of the box
        x += rng.choice((-1, 1)) * rng.uniform(0.12, 0.3) * w
        y += rng.choice((-1, 1)) * rng.uniform(0.1, 0.25) * h
        style = "cross"
    cx, cy = x + w / 2, y + h / 2
    if style in ("cross", "pencil"):
        for (x0, y0), (x1, y1) in (
            ((x + 0.15 * w, y + 0.15 * h), (x + 0.85 * w, y + 0.85 * h)),
            ((x + 0.85 * w, y + 0.15 * h), (x + 0.15 * w, y + 0.85 * h)),
        ):
            cv2.line(
                img,
                (round(jitter(x0)), round(jitter(y0))),
                (round(jitter(x1)), round(jitter(y1))),
                color,
                thickness,
                cv2.LINE_AA,
            )
    elif style == "check":
        points = np.array([[x + 0.15 * w, cy], [x + 0.42 * w, y + 0.85 * h], [x + 0.9 * w, y + 0.12 * h]], np.int32)
        cv2.polylines(img, [points], False, color, thickness + 1, cv2.LINE_AA)
    elif style == "filled":
        cv2.ellipse(img, (round(cx), round(cy)), (round(0.38 * w), round(0.36 * h)), 0, 0, 360, color, -1, cv2.LINE_AA)
    elif style == "circle":
        cv2.ellipse(
            img,
            (round(cx), round(cy)),
            (round(0.36 * w), round(0.34 * h)),
            rng.uniform(0, 30),
            0,
            360,
            color,
            thickness + 1,
            cv2.LINE_AA,
        )


def smudge(img: np.ndarray, box: dict[str, float], scale: float, rng: random.Random) -> None:
    """A light grey blot inside a box: ink the machine must not decide alone."""
    x, y, w, h = (box[k] * scale for k in ("x", "y", "w", "h"))
    overlay = img.copy()
    cv2.ellipse(
        overlay,
        (round(x + w / 2), round(y + h / 2)),
        (round(0.3 * w), round(0.25 * h)),
        0,
        0,
        360,
        rng.randint(150, 185),
        -1,
    )
    cv2.addWeighted(overlay, 0.8, img, 0.2, 0, dst=img)


def erase_mark(
    img: np.ndarray, box: dict[str, float], scale: float, rng: random.Random, left: tuple[float, float] = ERASED
) -> None:
    """A pencil cross rubbed out, leaving a share ``left`` of its strength. On paper the committee
    sees the eraser's trace; the machine must not read it as a mark."""
    before = img.copy()
    draw_mark(img, box, "pencil", scale, rng)
    keep = rng.uniform(*left)
    cv2.addWeighted(img, keep, before, 1 - keep, 0, dst=img)


def cross_out_name(img: np.ndarray, zone: list[float], scale: float, rng: random.Random) -> None:
    x, y, w, h = (v * scale for v in zone)
    yy = round(y + h * rng.uniform(0.4, 0.6))
    cv2.line(
        img,
        (round(x + 2 * scale), yy),
        (round(x + w * 0.5), yy + rng.randint(-3, 3)),
        rng.randint(0, 50),
        max(1, round(0.5 * scale)),
        cv2.LINE_AA,
    )


# Ink on a printed name other than a stroke along it: what a voter may make of a name to cross it
# out or to point at it, each of which the committee must see (recognize.NAME_MARK_MM2).
NAME_MARKS = ("tick", "line_down", "diagonal", "cross", "blot")


def mark_name(img: np.ndarray, zone: list[float], scale: float, rng: random.Random, kind: str) -> None:
    """A ``kind`` of NAME_MARKS in a name zone (x, y, w, h in mm): a tick beside the name, a line
    down through it, a stroke slanting across it (15–40 mm), a cross over it (6–12 mm), a blot
    (2–4 mm across); pen ink, 0.35–0.6 mm wide."""
    x, y, w, h = zone

    def at(dx: float, dy: float) -> tuple[int, int]:
        return round((x + dx) * scale), round((y + dy) * scale)

    width, tone = max(1, round(rng.uniform(0.35, 0.6) * scale)), rng.randint(0, 60)
    strokes = []
    if kind == "tick":
        a = rng.uniform(w * 0.55, w - 14)
        strokes = [((a, h * 0.5), (a + 2, h * 0.85)), ((a + 2, h * 0.85), (a + 7, h * 0.15))]
    elif kind == "line_down":
        a = rng.uniform(5, w * 0.4)
        strokes = [((a, h * 0.1), (a + rng.uniform(-2, 2), h * 0.9))]
    elif kind == "diagonal":
        a = rng.uniform(3, w * 0.3)
        strokes = [((a, h * 0.85), (a + rng.uniform(15, 40), h * 0.15))]
    elif kind == "cross":
        a, size = rng.uniform(3, w * 0.4), rng.uniform(6, 12)
        strokes = [((a, h * 0.15), (a + size, h * 0.85)), ((a, h * 0.85), (a + size, h * 0.15))]
    elif kind == "blot":
        centre = at(rng.uniform(5, w - 5), h * rng.uniform(0.3, 0.7))
        cv2.circle(img, centre, round(rng.uniform(1.0, 2.0) * scale), tone, -1, cv2.LINE_AA)
    else:
        raise ValueError(kind)
    for start, end in strokes:
        cv2.line(img, at(*start), at(*end), tone, width, cv2.LINE_AA)


WRITTEN_NAMES = ("Nguyen Van Binh", "Tran Thi Lan", "Le Hoang", "Pham Minh Tuan", "Vu Thu Ha")


def write_in(img: np.ndarray, page: dict[str, Any], scale: float, rng: random.Random) -> None:
    """A name written by hand under the printed list (or a signature there): pen ink, slanted
    capitals 4.5–8 mm high, somewhere in the space between the table and the bottom markers."""
    bottom = max(r["y"] + r["h"] for r in page["rows"])
    space = PAGE_H - MARKER_MARGIN - MARKER - bottom
    size = rng.uniform(4.0, 7.0)  # mm
    y = bottom + min(size + 2.0 + rng.uniform(0.0, max(space - size - 6.0, 0.0)), space - 2.0)
    x = rng.uniform(LEFT + 5.0, 90.0)
    text = rng.choice(WRITTEN_NAMES)
    cv2.putText(
        img,
        text,
        (round(x * scale), round(y * scale)),
        cv2.FONT_HERSHEY_SCRIPT_SIMPLEX | cv2.FONT_ITALIC,
        size * scale / 22.0,  # at scale 1 a capital is 25 px high (cv2.getTextSize): 1.14 × size
        rng.randint(0, 60),
        max(1, round(rng.uniform(0.35, 0.6) * scale)),
        cv2.LINE_AA,
    )


def degrade(img: np.ndarray, rng: random.Random, *, photo: bool = False) -> np.ndarray:
    # the scanner bed (or the photo) is larger than the sheet: a white margin around it
    pad = round(0.04 * img.shape[1])
    img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    h, w = img.shape[:2]
    angle = rng.uniform(-5, 5)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(img, matrix, (w, h), borderValue=255)
    if photo or rng.random() < 0.3:  # perspective
        d = 0.03 * w
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32(
            [
                [rng.uniform(0, d), rng.uniform(0, d)],
                [w - rng.uniform(0, d), rng.uniform(0, d)],
                [w - rng.uniform(0, d), h - rng.uniform(0, d)],
                [rng.uniform(0, d), h - rng.uniform(0, d)],
            ]
        )
        img = cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    if rng.random() < 0.6:
        k = rng.choice((3, 5))
        img = cv2.GaussianBlur(img, (k, k), rng.uniform(0.5, 1.2))
    work = img.astype(np.float32)
    if rng.random() < 0.5:  # tinted paper
        work = work * rng.uniform(0.82, 0.97) + rng.uniform(0, 12)
    if photo or rng.random() < 0.25:  # uneven light
        gradient = np.linspace(rng.uniform(0.65, 0.85), rng.uniform(0.95, 1.05), w, dtype=np.float32)
        work = work * gradient[None, :]
    work += np.random.default_rng(rng.randint(0, 2**32 - 1)).normal(0, rng.uniform(2, 8), work.shape).astype(np.float32)
    img = np.clip(work, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        _ok, encoded = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(45, 90)])
        img = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return img


def bilevel(img: np.ndarray, threshold: int = 128) -> np.ndarray:
    """The page as a scanner's black-and-white mode (text mode, the default of many office
    scanners for PDF) writes it: every pixel black or white, cut at ``threshold`` (the driver's
    brightness setting moves it)."""
    return np.where(img < threshold, 0, 255).astype(np.uint8)


def synthesize(
    blank: np.ndarray,
    geometry: dict[str, Any],
    page_number: int,
    dpi: int,
    rng: random.Random,
    *,
    digits: dict[str, str],
    style: str | None = None,
    crossed_name: bool = False,
    name_mark: str | None = None,
    smudged: bool = False,
    erased: tuple[float, float] | None = None,
    photo: bool = False,
    upside_down: bool = False,
    written: bool = False,
    degraded: bool = True,
) -> tuple[np.ndarray, Truth]:
    """One marked, degraded page and its truth (not degraded: as marked, on the rendered page)."""
    scale = dpi / 25.4
    img = blank.copy()
    page = next(p for p in geometry["pages"] if p["number"] == page_number)
    by_person: dict[int, list[dict]] = {}
    for box in page["boxes"]:
        by_person.setdefault(box["person"], []).append(box)
    keys, ambiguous = [], []
    for n, person in enumerate(sorted(by_person)):
        boxes = by_person[person]
        roll = rng.random()
        chosen = [] if roll < 0.06 else [rng.choice(boxes)] if roll > 0.1 else rng.sample(boxes, 2)
        for box in chosen:
            draw_mark(img, box, style or rng.choice(STYLES), scale, rng)
        keys.append("0" if not chosen else "9" if len(chosen) > 1 else digits[chosen[0]["level"]])
        if smudged and n == 0 and chosen:
            free = [b for b in boxes if b not in chosen]
            smudge(img, free[0], scale, rng)
            ambiguous.append(n)
        if erased and n == 0 and len(chosen) < len(boxes):
            erase_mark(img, next(b for b in boxes if b not in chosen), scale, rng, erased)
            ambiguous.append(n)
    if crossed_name:
        cross_out_name(img, page["rows"][0]["name_zone"], scale, rng)
    if name_mark:
        mark_name(img, page["rows"][0]["name_zone"], scale, rng, name_mark)
    if written:
        write_in(img, page, scale, rng)
    if degraded:
        img = degrade(img, rng, photo=photo)
    if upside_down:
        img = cv2.rotate(img, cv2.ROTATE_180)
    return img, Truth(keys=keys, crossed_name=crossed_name, name_mark=name_mark, ambiguous=ambiguous, written=written)


def pale(img: np.ndarray, low: int) -> np.ndarray:
    """The page as a scanner set too light writes it (its brightness turned up, or a pale copy):
    every tone lifted towards white, black to ``low``."""
    return (low + img.astype(np.float32) * ((255 - low) / 255)).astype(np.uint8)


def app_filter(img: np.ndarray, threshold: int, rng: random.Random) -> np.ndarray:
    """A photo through a phone scanner app's black-and-white ("document") filter: the uneven
    light divided out, every pixel cut at ``threshold`` of the paper's white, the edges softened
    again, saved as JPEG. A light pencil mark falls on one side of the cut, as in a scanner's
    black-and-white mode, but the soft edges leave the page grey enough to pass for a grey scan."""
    background = cv2.GaussianBlur(cv2.dilate(img, np.ones((15, 15), np.uint8)), (0, 0), 8)
    level = img.astype(np.float32) / np.maximum(background, 1).astype(np.float32) * 255
    cut = np.where(level < threshold, 0, 255).astype(np.uint8)
    soft = cv2.GaussianBlur(cut, (0, 0), rng.uniform(0.6, 1.0))
    _ok, encoded = cv2.imencode(".jpg", soft, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)


def halftone_grey(img: np.ndarray, squares: list[list[float]], dpi: int, lpi: float, coverage: float) -> None:
    """The grey squares as a printer prints them: round black dots on a 45° screen of ``lpi``
    lines per inch, covering ``coverage`` of the paper, drawn on a page rendered at ``dpi``
    (600, as a laser printer's; reduce it afterwards to the scan's resolution)."""
    cell = dpi / lpi
    radius = np.sqrt(coverage * cell * cell / np.pi)
    for x, y, w, h in squares:
        x0, y0, x1, y1 = (round(v * dpi / 25.4) for v in (x, y, x + w, y + h))
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        u = (xx + yy) / np.sqrt(2) % cell - cell / 2
        v = (xx - yy) / np.sqrt(2) % cell - cell / 2
        img[y0:y1, x0:x1] = np.where(u * u + v * v <= radius * radius, 0, 255).astype(np.uint8)


def glare(img: np.ndarray, box: dict[str, float], scale: float, rng: random.Random, strength: float) -> None:
    """A flash's or a lamp's reflection on a photo, near ``box``: a round patch 8–30 mm wide where
    the page goes towards white, ``strength`` of the way at its centre (1: nothing left)."""
    cx = (box["x"] + box["w"] / 2 + rng.uniform(-8, 8)) * scale
    cy = (box["y"] + box["h"] / 2 + rng.uniform(-8, 8)) * scale
    radius = rng.uniform(8, 30) * scale
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32)
    patch = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
    work = img.astype(np.float32)
    img[...] = np.clip(work + strength * patch * (255 - work), 0, 255).astype(np.uint8)


def cover(img: np.ndarray, row: dict[str, float], scale: float, rng: random.Random, tone: int) -> None:
    """A thumb holding the sheet by its right edge (or a clip, a pen lying there), by ``row``: a
    soft-edged oval 20–32 × 28–40 mm, ``tone`` dark, over the last column of boxes or near it."""
    cx, cy = rng.uniform(200, 212) * scale, (row["y"] + row["h"] / 2 + rng.uniform(-6, 6)) * scale
    axes = (round(rng.uniform(10, 16) * scale), round(rng.uniform(14, 20) * scale))
    over = img.copy()
    cv2.ellipse(over, (round(cx), round(cy)), axes, rng.uniform(-30, 30), 0, 360, tone, -1, cv2.LINE_AA)
    np.minimum(img, cv2.GaussianBlur(over, (0, 0), 1.5 * scale / 8), out=img)


def streak(img: np.ndarray, x: int, width: int, tone: int) -> None:
    """Dust or a scratch on a scanner's glass: a line of ``width`` pixels at column ``x`` down the
    whole picture (the sheet moves past it), at most ``tone`` dark. Drawn on the scan as it comes
    out of the scanner, so straight down the picture whatever the sheet's skew."""
    img[:, x : x + width] = np.minimum(img[:, x : x + width], tone)


def bend(img: np.ndarray, height: float, rng: random.Random, *, camera: float = 300.0) -> np.ndarray:
    """A sheet that does not lie flat, photographed from ``camera`` mm above its middle: it bows
    ``height`` mm off the table along its width or its length (a page once folded, or curling off
    a pile), half a wave or a whole one. Nearer the lens, a point of the page moves away from the
    middle of the picture, by height / camera of its distance to it: no homography of the four
    corners undoes that."""
    h, w = img.shape[:2]
    across = rng.random() < 0.5
    waves = rng.choice((1, 2))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    along = xx / w if across else yy / h
    lift = height * np.abs(np.sin(np.pi * waves * along))
    grow = lift / camera  # how much nearer, as a share of the camera's distance
    cx, cy = w / 2, h / 2
    # where each pixel of the picture comes from on the flat page (the lift varies slowly, so
    # taking it at the picture's pixel rather than the page's is close enough)
    map_x = (cx + (xx - cx) / (1 + grow)).astype(np.float32)
    map_y = (cy + (yy - cy) / (1 + grow)).astype(np.float32)
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderValue=255)


FOLDS = ("in two", "in four", "in three")


def crease(
    img: np.ndarray,
    fold: str,
    dpi: int,
    rng: random.Random,
    *,
    depth: float,
    width: float,
    crack: float = 0.0,
    where: list[tuple[str, float]] | None = None,
) -> list[tuple[str, float]]:
    """The lines a ballot folded to go into the box keeps once unfolded, on the page as the scanner
    sees it (draw before ``degrade``). ``fold``: one of FOLDS, in two across the middle (the usual),
    in four (and down the middle), or in three as a letter. Each crease is a valley lit from one
    side: a shadow ``depth`` of 255 darker at its deepest, about ``width`` mm wide, with a thin
    highlight on the lit side; the line runs up to 1.5° off square and up to 10 mm off where a
    careful fold puts it. ``crack``: the share of the print on the fold itself whose toner has
    flaked off (a printed line crossing the crease shows a white gap). Returns where each crease
    runs ("across" at y mm, "down" at x mm), at the middle of the page; ``where`` puts the creases
    there instead (at the middle of the page)."""
    scale = dpi / 25.4
    h, w = img.shape[:2]
    lines = {
        "in two": [("across", PAGE_H / 2)],
        "in four": [("across", PAGE_H / 2), ("down", 105.0)],
        "in three": [("across", PAGE_H / 3), ("across", 2 * PAGE_H / 3)],
    }[fold]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = np.zeros((h, w), np.float32)
    cracked = np.zeros((h, w), bool)
    made = []
    for way, at in where or lines:
        at += 0 if where else rng.uniform(-10, 10)
        made.append((way, at))
        slope = np.tan(np.radians(rng.uniform(-1.5, 1.5)))
        if way == "across":
            t = (yy - (at * scale + slope * (xx - w / 2))) / scale  # mm from the fold, signed
        else:
            t = (xx - (at * scale + slope * (yy - h / 2))) / scale
        side = rng.choice((-1.0, 1.0))  # which face of the valley the light does not reach
        sigma = width / 2
        shadow = np.exp(-0.5 * (t / sigma) ** 2) * (side * t >= 0)
        highlight = 0.3 * np.exp(-0.5 * (t / (sigma / 2)) ** 2) * (side * t < 0)
        shade = np.maximum(shade, depth / 255 * shadow) - highlight * depth / 255
        cracked |= np.abs(t) < 0.15
    if crack:
        flakes = np.random.default_rng(rng.randint(0, 2**32 - 1)).random((h, w)) < crack
        img[cracked & flakes & (img < 160)] = 255
    img[...] = np.clip(img.astype(np.float32) * (1 - shade), 0, 255).astype(np.uint8)
    return made


def show_through(
    img: np.ndarray,
    back: np.ndarray,
    strength: float,
    *,
    dpi: int = 200,
    flip: str = "long",
    shift: tuple[float, float] = (0.0, 0.0),
    angle: float = 0.0,
    blur: float = 0.0,
) -> None:
    """The other side of a sheet printed on both sides, seen through thin paper (draw before
    ``degrade``): ``back`` as printed and marked, mirrored as the sheet was turned over (``flip``
    "long": along its long edge, left to right; "short": top to bottom), printed ``shift`` mm
    (right, down) and ``angle`` degrees off its place as a duplex printer leaves it, spread
    ``blur`` mm by the paper, darkening the page by ``strength`` of its own darkness (0.1: black
    shows as a tenth of the way to black)."""
    darkness = 1 - cv2.flip(back, 1 if flip == "long" else 0).astype(np.float32) / 255
    height, width = darkness.shape
    scale = dpi / 25.4
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    matrix[:, 2] += (shift[0] * scale, shift[1] * scale)
    darkness = cv2.warpAffine(darkness, matrix, (width, height), flags=cv2.INTER_LINEAR)
    if blur:
        darkness = cv2.GaussianBlur(darkness, (0, 0), blur * scale)
    img[...] = np.clip(img.astype(np.float32) * (1 - strength * darkness), 0, 255).astype(np.uint8)


CORNERS = ("staple", "holes", "torn", "dog-ear")


def corner(
    img: np.ndarray, kind: str, dpi: int, rng: random.Random, *, size: float = 0.0, where: str | None = None
) -> str:
    """What holding the pages of a ballot together does to a sheet's corner (draw before
    ``degrade``), ``kind`` one of CORNERS: a staple still in, across the top-left corner, its
    middle 7–14 mm from both edges and 20–70° off the top edge (metal: grey, lit along one side);
    the two holes a pulled staple leaves there, showing the scanner's lid (white) or its backing (dark); that corner
    torn off with the staple, ``size`` mm along each edge, ragged, the scanner's lid or backing
    showing where the paper is gone; or a corner folded over (a dog-ear), ``size`` mm along each
    edge, at ``where`` (by default one of the four drawn): the sheet's blank back covers the print
    there, with a shadow along the fold. Returns which corner ("top left", …)."""
    scale = dpi / 25.4
    h, w = img.shape[:2]
    backing = rng.choice((255, rng.randint(20, 90)))  # a white lid, or an ADF's dark backing
    if kind in ("staple", "holes"):
        cx, cy = rng.uniform(7, 14) * scale, rng.uniform(7, 14) * scale
        angle = np.radians(rng.uniform(20, 70))
        half = np.array([np.cos(angle), -np.sin(angle)]) * 6.3 * scale  # a 12.7 mm crown
        ends = [np.array([cx, cy]) - half, np.array([cx, cy]) + half]
        point = lambda v, dy=0.0: (round(float(v[0])), round(float(v[1]) + dy))  # noqa: E731
        if kind == "staple":  # the metal, and a thin line of light along its upper side
            body = rng.randint(60, 150)
            cv2.line(img, point(ends[0]), point(ends[1]), body, max(1, round(0.7 * scale)), cv2.LINE_AA)
            lit, thin = min(255, body + 90), max(1, round(0.2 * scale))
            cv2.line(img, point(ends[0], -0.2 * scale), point(ends[1], -0.2 * scale), lit, thin, cv2.LINE_AA)
        else:
            for end in ends:
                cv2.circle(img, point(end), max(1, round(0.45 * scale)), backing, -1, cv2.LINE_AA)
        return "top left"
    if kind == "torn":
        # a ragged line from the top edge to the left one, bulging a little, everything beyond it gone
        steps, a, b = 16, size * rng.uniform(0.8, 1.2), size * rng.uniform(0.8, 1.2)
        bulge = rng.uniform(0, 0.25) * size
        ragged = []
        for t in np.linspace(0, 1, steps + 1):
            x, y = a * (1 - t), b * t
            push = bulge * np.sin(np.pi * t) + (rng.uniform(-1.2, 1.2) if 0 < t < 1 else 0)  # mm, away from the corner
            ragged.append((x + push / np.sqrt(2), y + push / np.sqrt(2)))
        polygon = np.round(np.array([(-1, -1), (a, -1), *ragged, (-1, b)]) * scale).astype(np.int32)
        cv2.fillPoly(img, [polygon], backing, cv2.LINE_AA)
        return "top left"
    where = where or rng.choice(("top left", "top right", "bottom right", "bottom left"))
    a, b = size * rng.uniform(0.8, 1.2) * scale, size * rng.uniform(0.8, 1.2) * scale
    x0, y0 = (0 if "left" in where else w), (0 if "top" in where else h)
    sx, sy = (1 if "left" in where else -1), (1 if "top" in where else -1)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    inside = (sx * (xx - x0)) / a + (sy * (yy - y0)) / b  # under 1: the folded-over triangle
    paper = float(np.percentile(img, 90))
    flap = inside < 1
    img[flap] = round(paper * rng.uniform(0.93, 1.0))  # the back, a little in its own shadow
    beyond = (inside - 1) / np.hypot(1 / a, 1 / b)  # pixels from the fold, on the page's side
    shadow = np.clip(1 - beyond / (1.5 * scale), 0, 1) * (inside >= 1)  # 1.5 mm wide
    img[...] = np.clip(img.astype(np.float32) * (1 - rng.uniform(0.1, 0.3) * shadow), 0, 255).astype(np.uint8)
    return where


TWO_BALLOTS = ("side by side", "one above the other", "right edge under", "bottom edge under", "corner under")


def two_ballots(first: np.ndarray, second: np.ndarray, how: str, rng: random.Random, dpi: int) -> np.ndarray:
    """One picture of two marked pages (not yet degraded), ``how`` one of TWO_BALLOTS: side by side
    or one above the other on a table, or ``first`` lying on ``second`` with 25–30 mm of the other's
    edge or corner showing, as when a ballot is photographed on the pile."""
    if how == "side by side":
        return np.hstack([first, second])
    if how == "one above the other":
        return np.vstack([first, second])
    scale = dpi / 25.4
    shown = {
        "right edge under": (rng.uniform(25, 30), rng.uniform(-5, 5)),
        "bottom edge under": (rng.uniform(-5, 5), rng.uniform(25, 30)),
        "corner under": (rng.uniform(25, 30), rng.uniform(25, 30)),
    }[how]
    dx, dy = (round(v * scale) for v in shown)
    (h, w), gap = first.shape, round(4 * scale)
    canvas = np.full((h + abs(dy) + 2 * gap, w + abs(dx) + 2 * gap), 255, np.uint8)
    x, y = gap + max(0, -dx), gap + max(0, -dy)
    canvas[y + dy : y + dy + h, x + dx : x + dx + w] = second
    canvas[y : y + h, x : x + w] = first
    return canvas


def scanner_pdf(
    images: list[np.ndarray], dpi: int = 200, info: str = "", black_and_white: bool = False, lossless: bool = False
) -> bytes:
    """A PDF as office scanners write it: one JPEG image per page at ``dpi``; ``info`` goes into
    the document information (a scanner's dates and model, for the secrecy tests). In
    ``black_and_white`` (text mode), one bit per pixel instead, cut at mid-grey, compressed;
    ``lossless``, eight bits per pixel compressed without loss (as some scanners write grey)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for image in images:
        if black_and_white:  # 1 bit per pixel, 1 = white, each row to a whole byte
            stream, form = zlib.compress(np.packbits(image >= 128, axis=1).tobytes()), "1 /Filter /FlateDecode"
        elif lossless:
            stream, form = zlib.compress(np.ascontiguousarray(image).tobytes()), "8 /Filter /FlateDecode"
        else:
            ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            assert ok
            stream, form = jpeg.tobytes(), "8 /Filter /DCTDecode"
        height, width = image.shape
        w, h = width * 72 / dpi, height * 72 / dpi
        content = f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q".encode()
        first = len(objects) + 1  # this page's object number; its image and content follow
        kids.append(f"{first} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.2f} {h:.2f}] "
            f"/Resources << /XObject << /Im0 {first + 1} 0 R >> >> /Contents {first + 2} 0 R >>".encode()
        )
        objects.append(
            f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
            f"/BitsPerComponent {form} /Length {len(stream)} >>\nstream\n".encode()
            + stream
            + b"\nendstream"
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    objects.append(f"<< {info} >>".encode())
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
