"""Benchmark: accuracy and speed of reading scanned ballots.

Synthetic scans of the real rendered ballots (tinnhiem/scanning/synthetic.py) with a realistic
mix of marks and every degradation; each knows its truth. A *silent misread* is a row read as a
key other than the truth without being flagged, a crossed-out name not flagged, or a name written
under the list not flagged (--written). Targets
(issue): 0 silent misreads on 2,000 seed ballots and 200 ballots of a 44-person form, at most 2 %
of ballots sent to review, and at least 20 pages/s for 200-dpi scans on the 2-core machine. The
speed printed here is the recogniser's alone; bench/scan_throughput.py measures the whole count
(keeping the images, storing the readings) as the scanner page and ``tinnhiem scan`` do it.

Run: .venv/bin/python bench/scan_accuracy.py [--seed-ballots 2000] [--big-ballots 200] [--workers 2]
     [--erasure-sweep 200]  (pencil pages per band of what an eraser left; 0 skips it)
     [--smudge 0.005]  (share of pages with a smudge in a box: an assumption, no field data)
     [--bilevel 0] [--bilevel-jpeg]  (share of scans in black and white; saved as JPEG)
     [--several 0]  (pictures of two ballots at once, per way of laying them; 0 skips it)
     [--glare 0]  (photos with a glare over a box, per band of its strength; 0 skips it)
     [--cover 0]  (photos with a thumb or a dark object over the boxes, per band of its tone)
     [--streak 0]  (scans with a line down the picture, dust on the glass, per band of its width)
     [--bend 0]  (photos of a sheet that bows off the table, per band of how far)
     [--crease 0]  (scans of ballots folded into the box, per band of the crease's shadow)
     [--corner 0]  (scans of pages once stapled, torn at the staple or folded over at a corner)
     [--show-through 0]  (scans of pages printed on both sides, per band of what shows through)
     [--pale 0]  (scans from a scanner set too light, per band of what black became)
     [--app-filter 0]  (pencil photos through a phone scanner app's black-and-white filter, per band)
     [--name-marks 0]  (pages of the 44-person form with other ink on a name, per kind)
     [--written 0]  (share of ballots with a name or a signature written under the list; a page
                     flagged for writing when none was written is counted as a cause of review)
     [--speed-pages 200]  (pages read for the speed figure; 0: skip)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup

# The mix of a real stack: mostly pen crosses and ticks; rare pencil, smudges, crossed-out names.
STYLE_WEIGHTS = {"cross": 40, "check": 25, "filled": 10, "circle": 10, "outside": 14, "pencil": 1}
# Smudges, photos and upside-down pages happen per page; a crossed-out name is a voter's act, so
# CROSSED is per ballot (on one of its pages), by a stroke along the name or in one of the other
# ways of synthetic.NAME_MARKS, alike. ERASED: the share of pencil voters who rubbed out a
# mark (on one page), leaving 25–60 % of it (synthetic.ERASED).
SMUDGE, CROSSED, PHOTO, UPSIDE_DOWN, ERASED = 0.005, 0.005, 0.10, 0.05, 0.3

_STATE: dict = {}


def _init(state):
    _STATE.update(state)


def _synthesize(s, page_number, dpi, rng, **options):
    from tinnhiem.scanning import synthetic

    return synthetic.synthesize(
        s["blanks"][(page_number, dpi)], s["geometry"], page_number, dpi, rng, digits=s["digits"], **options
    )


def _read(s, image):
    from tinnhiem.scanning import recognize

    return recognize.read_sheet(
        image,
        key=s["key"],
        geometry_for=lambda sheet: s["geometry"],
        blank_for=lambda sheet: s["blank_ink"][sheet.page],
        darkness_for=lambda sheet: s["blank_darkness"][sheet.page],
    )


def _make_and_read(job):
    from tinnhiem.scanning import recognize, synthetic

    form, page_number, seed, ballot = job
    s = _STATE[form]
    rng = random.Random(seed)
    dpi = rng.choice((150, 200, 200, 300))
    # a voter keeps one pen for the whole ballot, and may cross out a name on one of its pages
    voter = random.Random(ballot)
    style = voter.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    crossed = voter.random() < CROSSED and voter.choice(s["pages"]) == page_number
    erased = style == "pencil" and voter.random() < ERASED and voter.choice(s["pages"]) == page_number
    smudged = rng.random() < _STATE.get("smudge", SMUDGE)
    rng.random()  # formerly a per-page crossed-name draw: kept, so every other draw stays as recorded
    photo, upside_down = rng.random() < PHOTO, rng.random() < UPSIDE_DOWN
    # drawn from the voter's own generator last: every other draw stays as recorded
    written = voter.random() < _STATE.get("written", 0.0) and voter.choice(s["pages"]) == page_number
    # how the name is crossed out: a stroke along it, or another of synthetic.NAME_MARKS
    how = voter.choice(("stroke", *synthetic.NAME_MARKS)) if crossed else "stroke"
    image, truth = _synthesize(
        s,
        page_number,
        dpi,
        rng,
        style=style,
        smudged=smudged,
        crossed_name=crossed and how == "stroke",
        name_mark=how if crossed and how != "stroke" else None,
        erased=synthetic.ERASED if erased else None,
        photo=photo,
        upside_down=upside_down,
        written=written,
    )
    if not photo and rng.random() < _STATE.get("bilevel", 0.0):
        image = synthetic.bilevel(image)
        if _STATE.get("bilevel_jpeg"):  # saved as JPEG, as a scanner's JPEG or a phone app's filter
            _ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(30, 95)])
            image = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    try:
        reading = _read(s, image)
    except recognize.NotABallot as exc:
        return {"error": exc.reason, "truth": truth.keys}
    keys = [row.key(s["digits"]) for row in reading.rows]
    names = [row.name_flag for row in reading.rows]
    return {
        "keys": keys,
        "truth": truth.keys,
        "crossed": truth.crossed_name or truth.name_mark is not None,
        "name_flags": names,
        "written": written,
        "writing_flag": reading.writing_flag,
        "style": style,
        "ambiguous": truth.ambiguous,
    }


def _erased_row(job):
    """One pencil page of the 44-person form with a rubbed-out mark in its first row, leaving a
    share ``left`` of its darkness: what became of that row."""
    left, seed = job
    s = _STATE["big"]
    rng = random.Random(seed)
    page_number = rng.choice(s["pages"])
    dpi = rng.choice((150, 200, 200, 300))
    image, truth = _synthesize(s, page_number, dpi, rng, style="pencil", erased=left, photo=rng.random() < PHOTO)
    if not truth.ambiguous:
        return "no free box"
    reading = _read(s, image)
    got = reading.rows[0].key(s["digits"])
    return "flagged" if got is None else "read as if rubbed out" if got == truth.keys[0] else "read as a mark"


def erasure_sweep(state, workers, n=200):
    """How dark may a rubbed-out pencil mark stay before it is read as a mark?"""
    from tinnhiem.scanning import synthetic

    bands = [synthetic.ERASED, (0.6, 0.65), (0.65, 0.7), (0.7, 0.75), (0.75, 0.8)]
    with Pool(workers, initializer=_init, initargs=(state,)) as pool:
        for left in bands:
            outcomes = Counter(pool.map(_erased_row, [(left, 7000 + i) for i in range(n)], chunksize=8))
            print(f"  {left[0]:.0%}–{left[1]:.0%} of the mark left: {dict(outcomes)}")


def _two_ballots(job):
    """One picture of two marked pages of the seed form (synthetic.two_ballots), a phone photo:
    what became of it. Refused is right; read, it must at least go to the committee."""
    from tinnhiem.scanning import recognize, synthetic

    how, seed = job
    s = _STATE["seed"]
    rng = random.Random(seed)
    dpi = rng.choice((150, 200, 200, 300))
    style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    pages = [_synthesize(s, 1, dpi, rng, style=style, degraded=False) for _ in range(2)]
    image = synthetic.degrade(synthetic.two_ballots(pages[0][0], pages[1][0], how, rng, dpi), rng, photo=True)
    try:
        reading = _read(s, image)
    except recognize.NotABallot as exc:
        return f"refused: {exc.reason}"
    keys = [row.key(s["digits"]) for row in reading.rows]
    which = next((f"ballot {i}" for i, (_img, truth) in enumerate(pages, 1) if keys == truth.keys), "neither")
    return f"read as {which}, {'flagged' if reading.needs_review() else 'NOT FLAGGED'}"


def _outcome(s, image, truth) -> str:
    """What became of one page: refused (and why), read wrong without a flag, flagged, read right."""
    from tinnhiem.scanning import recognize

    try:
        reading = _read(s, image)
    except recognize.NotABallot as exc:
        return f"refused: {exc.reason}"
    keys = [row.key(s["digits"]) for row in reading.rows]
    if any(k is not None and k != t for k, t in zip(keys, truth.keys, strict=True)):
        return "READ WRONG, NOT FLAGGED"
    return "flagged" if reading.needs_review() else "read right"


def _seed_photo(seed):
    """A marked first page of the seed form, not yet degraded, with the generator that goes on."""
    s = _STATE["seed"]
    rng = random.Random(seed)
    dpi = rng.choice((150, 200, 200, 300))
    style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    image, truth = _synthesize(s, 1, dpi, rng, style=style, degraded=False)
    return s, rng, dpi, image, truth, next(p for p in s["geometry"]["pages"] if p["number"] == 1)


def _seed_scan(seed):
    """A scan of a marked first page of the seed form, with the generator that goes on."""
    s = _STATE["seed"]
    rng = random.Random(seed)
    dpi = rng.choice((150, 200, 200, 300))
    style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    image, truth = _synthesize(s, 1, dpi, rng, style=style, upside_down=rng.random() < UPSIDE_DOWN)
    return s, rng, dpi, image, truth


def _glared(job):
    """One phone photo of the seed form with a glare over one of its boxes: what became of it."""
    from tinnhiem.scanning import synthetic

    strength, seed = job
    s, rng, dpi, image, truth, page = _seed_photo(seed)
    box = rng.choice(page["boxes"])
    synthetic.glare(image, box, dpi / 25.4, rng, rng.uniform(*strength))
    return _outcome(s, synthetic.degrade(image, rng, photo=True), truth)


def _covered(job):
    """One phone photo of the seed form held by a thumb (or with a clip) over its right edge."""
    from tinnhiem.scanning import synthetic

    tones, seed = job
    s, rng, dpi, image, truth, page = _seed_photo(seed)
    row = rng.choice(page["rows"])
    synthetic.cover(image, row, dpi / 25.4, rng, rng.randint(*tones))
    return _outcome(s, synthetic.degrade(image, rng, photo=True), truth)


def _by_band(state, workers, n, read, bands, first_seed, label, value=lambda band, i: band):
    """``n`` pages per band through ``read`` (a job is ``(value(band, i), first_seed + i)``), on the
    workers; one line per band, ``label(band)``, with what became of its pages."""
    with Pool(workers, initializer=_init, initargs=(state,)) as pool:
        for band in bands:
            jobs = [(value(band, i), first_seed + i) for i in range(n)]
            outcomes = Counter(pool.map(read, jobs, chunksize=4))
            print(f"  {label(band)}: {dict(sorted(outcomes.items()))}")


def cover_sweep(state, workers, n):
    """A thumb or a dark object over the boxes of a photo, per band of its tone."""
    _by_band(state, workers, n, _covered, ((30, 90), (90, 170)), 9600, lambda t: f"{t[0]}–{t[1]} of 255")


def glare_sweep(state, workers, n):
    """Glare over a box on a photo: how strong may it be before a mark is lost?"""
    strengths = ((0.5, 0.7), (0.7, 0.85), (0.85, 0.95), (0.95, 1.0))
    _by_band(state, workers, n, _glared, strengths, 9500, lambda s: f"{s[0]:.0%}–{s[1]:.0%} towards white")


def _streaked(job):
    """One scan of the seed form with a line down the picture (dust on the scanner's glass) through
    one of its boxes, or through the margin: what became of it."""
    import numpy as np

    from tinnhiem.documents.layout import MARKER, MARKERS
    from tinnhiem.scanning import recognize, synthetic

    width_mm, seed = job
    s, rng, dpi, image, truth = _seed_scan(seed)
    # where the page lies in the picture, from its corner marks (as the reader finds them)
    markers = recognize.find_markers(image)
    source = [p for quad in markers.values() for p in quad.tolist()]
    target = [
        corner
        for k in markers
        for corner in (
            MARKERS[k],
            (MARKERS[k][0] + MARKER, MARKERS[k][1]),
            (MARKERS[k][0] + MARKER, MARKERS[k][1] + MARKER),
            (MARKERS[k][0], MARKERS[k][1] + MARKER),
        )
    ]
    to_picture, _mask = cv2.findHomography(np.float32(target), np.float32(source), 0)
    if width_mm == "margin":  # 5 mm from the page's left edge, outside the table
        x_mm, y_mm, width_mm = 5.0, 150.0, 0.6
    else:
        box = rng.choice(next(p for p in s["geometry"]["pages"] if p["number"] == 1)["boxes"])
        x_mm, y_mm = box["x"] + rng.uniform(0.25, 0.75) * box["w"], box["y"] + box["h"] / 2
    x = int(cv2.perspectiveTransform(np.float32([[[x_mm, y_mm]]]), to_picture)[0, 0, 0])
    synthetic.streak(image, x, max(1, round(width_mm * dpi / 25.4)), rng.randint(20, 90))
    return _outcome(s, image, truth)


def streak_sweep(state, workers, n):
    """A line down the scan (dust on the glass) through a box, per band of its width, and in the
    margin: is a mark ever read that is not there?"""
    _by_band(
        state,
        workers,
        n,
        _streaked,
        ((0.1, 0.3), (0.3, 0.6), (0.6, 1.2), (1.2, 2.5), "margin"),
        9700,
        lambda w: "in the margin" if w == "margin" else f"{w[0]}–{w[1]} mm through a box",
        value=lambda w, i: w if w == "margin" else random.Random(i).uniform(*w),
    )


def _big_page(seed, style=None):
    """A marked page of the 44-person form, not yet degraded, with the generator that goes on and
    the page's number (``style``: its marks' style; by default drawn from the mix)."""
    s = _STATE["big"]
    rng = random.Random(seed)
    page_number = rng.choice(s["pages"])
    dpi = rng.choice((150, 200, 200, 300))
    drawn = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    image, truth = _synthesize(s, page_number, dpi, rng, style=style or drawn, degraded=False)
    return s, rng, dpi, image, truth, page_number


def _bent(job):
    """One phone photo of a page of the 44-person form that does not lie flat (synthetic.bend),
    bowing ``height`` mm off the table: what became of it."""
    from tinnhiem.scanning import synthetic

    heights, seed = job
    s, rng, _dpi, image, truth, _number = _big_page(seed)
    image = synthetic.bend(image, rng.uniform(*heights), rng)
    return _outcome(s, synthetic.degrade(image, rng, photo=True), truth)


def bend_sweep(state, workers, n):
    """Photos of sheets that do not lie flat, per band of how far they bow off the table."""
    heights = ((1, 3), (3, 6), (6, 10), (10, 20))
    _by_band(state, workers, n, _bent, heights, 9800, lambda h: f"{h[0]}–{h[1]} mm off the table")


def _why(s, image, truth) -> str:
    """As _outcome, and for a page flagged, why: its rows' doubts, a name, writing under the list."""
    outcome = _outcome(s, image, truth)
    if outcome != "flagged":
        return outcome
    reading = _read(s, image)
    why = sorted({row.doubt for row in reading.rows if row.uncertain})
    why += ["name"] if any(row.name_flag for row in reading.rows) else []
    why += ["writing"] if reading.writing_flag else []
    return "flagged: " + ", ".join(why)


def _creased(job):
    """One scan of a page of the 44-person form folded to go into the box (synthetic.crease), or a
    phone photo of it lying as unfolded (broader shadows, the sheet bowing 1–6 mm): what became of it."""
    from tinnhiem.scanning import synthetic

    (how, depths), seed = job
    s, rng, dpi, image, truth, _number = _big_page(seed)
    photo = how == "photo"
    synthetic.crease(
        image,
        rng.choice(synthetic.FOLDS),
        dpi,
        rng,
        depth=rng.uniform(*depths),
        width=rng.uniform(1.5, 3.0) if photo else rng.uniform(0.4, 1.5),
        crack=rng.uniform(0, 0.6),
    )
    if photo:
        image = synthetic.bend(image, rng.uniform(1, 6), rng)
    return _why(s, synthetic.degrade(image, rng, photo=photo), truth)


def crease_sweep(state, workers, n):
    """Scans of ballots folded into the box, per band of how dark the crease's shadow is, and phone
    photos of them."""
    bands = [("scan", d) for d in ((5, 20), (20, 40), (40, 70), (70, 110))] + [("photo", (20, 60))]
    _by_band(state, workers, n, _creased, bands, 9850, lambda b: f"{b[0]}, shadow {b[1][0]}–{b[1][1]} of 255 darker")


def _shown_through(job):
    """One scan of a page of the 44-person form printed on both sides of thin paper: the other
    side's print and marks, mirrored as the sheet was turned over (``flip``), printed up to 2 mm and
    0.3° off its place and spread a little by the paper, show through (synthetic.show_through):
    what became of it."""
    from tinnhiem.scanning import synthetic

    (strengths, style, flip), seed = job
    s, rng, dpi, image, truth, number = _big_page(seed, style)
    # printed on both sides: pages 1 and 2 on one sheet, 3 and 4 on the next
    other = number + 1 if number % 2 else number - 1
    other = other if other in s["pages"] else rng.choice([p for p in s["pages"] if p != number])
    drawn = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
    back, _truth = _synthesize(s, other, dpi, rng, style=drawn, degraded=False)
    synthetic.show_through(
        image,
        back,
        rng.uniform(*strengths),
        dpi=dpi,
        flip=flip,
        shift=(rng.uniform(-2, 2), rng.uniform(-2, 2)),
        angle=rng.uniform(-0.3, 0.3),
        blur=rng.uniform(0.05, 0.3),
    )
    return _why(s, synthetic.degrade(image, rng), truth)


def show_through_sweep(state, workers, n):
    """Scans of pages printed on both sides, per band of how much of the other side shows through:
    sheets turned over along the long edge (a printer's default for a portrait page), along the
    short one (the other side's boxes then fall on this side's), and pages marked in pencil alone,
    the faintest marks there are."""
    bands = [(b, None, "long") for b in ((0.03, 0.08), (0.08, 0.15), (0.15, 0.25), (0.25, 0.4))]
    bands += [(b, None, "short") for b in ((0.08, 0.15), (0.15, 0.25))]
    bands += [(b, "pencil", "long") for b in ((0.08, 0.15), (0.15, 0.25))]
    _by_band(
        state,
        workers,
        n,
        _shown_through,
        bands,
        9880,
        lambda b: (
            f"{b[0][0]:.0%}–{b[0][1]:.0%} of the other side, turned over along the {b[2]} edge"
            + (f", {b[1]} alone" if b[1] else "")
        ),
    )


def _cornered(job):
    """One scan of a page of the 44-person form whose corner was stapled, unstapled, torn off with
    the staple or folded over (synthetic.corner): what became of it."""
    from tinnhiem.scanning import synthetic

    (kind, sizes), seed = job
    s, rng, dpi, image, truth, _number = _big_page(seed)
    synthetic.corner(image, kind, dpi, rng, size=rng.uniform(*sizes) if sizes else 0.0)
    return _why(s, synthetic.degrade(image, rng), truth)


def corner_sweep(state, workers, n):
    """Scans of the pages of a ballot once stapled, per what became of the corner, and of corners
    folded over, per band of their size."""
    bands = [("staple", None), ("holes", None), ("torn", (5, 15)), ("torn", (15, 30))]
    bands += [("dog-ear", b) for b in ((10, 20), (20, 35), (35, 50))]
    _by_band(
        state,
        workers,
        n,
        _cornered,
        bands,
        9920,
        lambda b: b[0] + (f", {b[1][0]}–{b[1][1]} mm along each edge" if b[1] else ""),
    )


def _paled(job):
    """One scan of the seed form from a scanner set too light (synthetic.pale): what became of it."""
    from tinnhiem.scanning import synthetic

    lows, seed = job
    s, rng, _dpi, image, truth = _seed_scan(seed)
    return _outcome(s, synthetic.pale(image, rng.randint(*lows)), truth)


def pale_sweep(state, workers, n):
    """Scans too light, per band of what black became: is a page ever dropped, or read wrong?"""
    lows = ((40, 80), (80, 110), (110, 140), (140, 170), (170, 200))
    _by_band(state, workers, n, _paled, lows, 9900, lambda b: f"black at {b[0]}–{b[1]} of 255")


def _app_filtered(job):
    """One phone photo of a pencil-marked seed ballot through a scanner app's black-and-white
    filter (synthetic.app_filter): what became of it."""
    from tinnhiem.scanning import synthetic

    thresholds, seed = job
    s = _STATE["seed"]
    rng = random.Random(seed)
    dpi = rng.choice((150, 200, 200, 300))
    image, truth = _synthesize(s, 1, dpi, rng, style="pencil", photo=True)
    return _outcome(s, synthetic.app_filter(image, rng.randint(*thresholds), rng), truth)


def app_filter_sweep(state, workers, n):
    """Pencil ballots photographed through a phone app's black-and-white filter, per band of where
    it cuts: a known gap (docs/scanning.md, Known limits)."""
    cuts = ((90, 110), (110, 140), (140, 170))
    _by_band(state, workers, n, _app_filtered, cuts, 9950, lambda c: f"cut at {c[0]}–{c[1]} of 255")


def several_sweep(state, workers, n):
    """Pictures of two ballots at once: are they ever read, and read without a flag?"""
    from tinnhiem.scanning import synthetic

    _by_band(state, workers, n, _two_ballots, synthetic.TWO_BALLOTS, 9000, str)


def _name_marked(job):
    """One page of the 44-person form with ink of one kind on a printed name (synthetic.mark_name),
    a scan or, one in four, a phone photo: whether that name was flagged, and no other."""
    from tinnhiem.scanning import recognize, synthetic

    kind, seed = job
    s, rng, dpi, image, _truth, number = _big_page(seed)
    page = next(p for p in s["geometry"]["pages"] if p["number"] == number)
    row = rng.randrange(len(page["rows"]))
    synthetic.mark_name(image, page["rows"][row]["name_zone"], dpi / 25.4, rng, kind)
    image = synthetic.degrade(image, rng, photo=rng.random() < 0.25)
    try:
        reading = _read(s, image)
    except recognize.NotABallot as exc:
        return f"refused: {exc.reason}"
    others = sum(r.name_flag for i, r in enumerate(reading.rows) if i != row)
    if not reading.rows[row].name_flag:
        return "NOT FLAGGED"
    return "flagged, and other names" if others else "flagged"


def name_marks_sweep(state, workers, n):
    """Ink on a printed name other than a stroke along it, per kind (synthetic.NAME_MARKS)."""
    from tinnhiem.scanning import synthetic

    _by_band(state, workers, n, _name_marked, synthetic.NAME_MARKS, 9990, str)


# The sweeps of one way a page goes wrong, each with its option (N pages per band; 0 skips it), in
# the order they run: the form it photographs or scans, what it makes, and its heading.
SWEEPS = (
    (
        "several",
        "seed",
        "pictures of two seed ballots at once per way of laying them (synthetic.TWO_BALLOTS)",
        "two ballots in one picture ({n} phone photos of the seed form per way)",
        several_sweep,
    ),
    (
        "glare",
        "seed",
        "phone photos of the seed form with a glare over a box, per band of its strength",
        "glare over a box ({n} phone photos of the seed form per band of its strength)",
        glare_sweep,
    ),
    (
        "cover",
        "seed",
        "phone photos of the seed form with a thumb or a dark object over its right edge, per band",
        "a thumb or an object over the boxes ({n} phone photos of the seed form per band of tone)",
        cover_sweep,
    ),
    (
        "streak",
        "seed",
        "scans of the seed form with a line down the picture (dust on the glass), per band of its width",
        "a line down the scan ({n} scans of the seed form per band)",
        streak_sweep,
    ),
    (
        "corner",
        "big",
        "scans of the 44-person form with a staple, its holes, a torn or a folded-over corner, per kind",
        "a stapled, torn or folded-over corner ({n} scans of the 44-person form per kind and band)",
        corner_sweep,
    ),
    (
        "crease",
        "big",
        "scans of the 44-person form folded into the box (in two, four or three), per band of the crease's shadow",
        "a ballot folded into the box ({n} scans of the 44-person form per band of the crease's shadow)",
        crease_sweep,
    ),
    (
        "show-through",
        "big",
        "scans of the 44-person form printed on both sides, per band of how much of the other side shows through",
        "the other side showing through ({n} scans of the 44-person form per band)",
        show_through_sweep,
    ),
    (
        "pale",
        "seed",
        "scans of the seed form from a scanner set too light, per band of what black became",
        "a scan too light ({n} scans of the seed form per band of what black became)",
        pale_sweep,
    ),
    (
        "app-filter",
        "seed",
        "phone photos of pencil-marked seed ballots through a scanner app's black-and-white filter, per band",
        "a phone app's black-and-white filter ({n} pencil photos of the seed form per band of where it cuts)",
        app_filter_sweep,
    ),
    (
        "bend",
        "big",
        "phone photos of the 44-person form on a sheet that bows off the table, per band of height",
        "a sheet that does not lie flat ({n} phone photos of the 44-person form per band of height)",
        bend_sweep,
    ),
    (
        "name-marks",
        "big",
        "scans and photos of the 44-person form with ink on a name other than a stroke along it, per kind",
        "ink on a name other than a stroke along it ({n} pages of the 44-person form per kind)",
        name_marks_sweep,
    ),
)


def _read_only(job):
    form, data = job
    s = _STATE[form]
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    _read(s, image)
    return True


def prepare(*, seed: bool = True, big: bool = True):
    """The printed forms the run measures: the seed form (the demo, loaded for it: several
    seconds) and the 44-person form."""
    setup()
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tinnhiem.accounts.roles import ensure_roles
    from tinnhiem.conferences.models import Conference
    from tinnhiem.documents import ballots
    from tinnhiem.scanning import recognize, synthetic
    from tinnhiem.site.demo import FINISHED_TITLE, build_council_vote, load_demo

    users = get_user_model().objects

    def user(role: str, name: str):
        made = users.create_user(username=name)  # no password: nothing signs in (hashing is slow)
        made.groups.add(Group.objects.get(name=role))
        return made

    conferences = {}
    if seed:
        load_demo(today=date.today())
        conferences["seed"] = Conference.objects.get(title=FINISHED_TITLE)
    ensure_roles()
    if big:
        office, chair = user("office", "bench-office"), user("chair", "bench-chair")
        conferences["big"] = build_council_vote(office, chair, [user("committee", f"bench{i}") for i in range(7)])
    state = {}
    for name, conference in conferences.items():
        form = conference.ballot_forms.get()
        pdf, layout = ballots.render_one(form)
        geometry = layout.as_dict()
        pages = [p["number"] for p in geometry["pages"]]
        state[name] = {
            "geometry": geometry,
            "digits": {lv.key: str(lv.digit) for lv in conference.rules.levels},
            "key": ballots.qr_key(),
            "blanks": {(p, dpi): synthetic.render_blank(pdf, p - 1, dpi) for p in pages for dpi in (150, 200, 300)},
            "blank_ink": {p: recognize.blank_ink(synthetic.render_blank(pdf, p - 1, 150)) for p in pages},
            "blank_darkness": {p: recognize.blank_darkness(synthetic.render_blank(pdf, p - 1, 150)) for p in pages},
            "pages": pages,
        }
    return state


def accuracy(state, name, n_ballots, workers, offset):
    jobs = [(name, page, offset + i * 10 + page, offset + i) for i in range(n_ballots) for page in state[name]["pages"]]
    with Pool(workers, initializer=_init, initargs=(state,)) as pool:
        results = pool.map(_make_and_read, jobs, chunksize=8)
    per_ballot = len(state[name]["pages"])
    silent, flagged_ballots, errors = 0, 0, Counter()
    confusion, causes = Counter(), Counter()
    for b in range(n_ballots):
        pages = results[b * per_ballot : (b + 1) * per_ballot]
        why = set()
        for r in pages:
            if "error" in r:
                errors[r["error"]] += 1
                why.add("unreadable page")
                continue
            for i, (got, truth) in enumerate(zip(r["keys"], r["truth"], strict=True)):
                confusion[(truth, got or "?")] += 1
                if got is None:
                    if i in r["ambiguous"]:
                        why.add("smudge or erased mark")
                    else:
                        why.add("pencil, not decided" if r["style"] == "pencil" else "uncertain box")
                elif got != truth:
                    silent += 1
            if r["crossed"]:
                why.add("crossed-out name")
                if not r["name_flags"][0]:
                    silent += 1
            elif any(r["name_flags"]):
                why.add("name flagged, not crossed")
            if r["written"]:
                why.add("name written under the list")
                silent += not r["writing_flag"]
            elif r["writing_flag"]:
                why.add("writing flagged, none written")
        flagged_ballots += bool(why)
        causes.update(why)
    return silent, flagged_ballots, errors, confusion, causes


def speed(state, workers, n=200):
    from tinnhiem.scanning import synthetic

    s = state["seed"]
    rng = random.Random(7)
    datas = []
    for _ in range(n):
        image, _truth = synthetic.synthesize(
            s["blanks"][(1, 200)], s["geometry"], 1, 200, rng, digits=s["digits"], style="cross"
        )
        datas.append(cv2.imencode(".png", image)[1])
    with Pool(workers, initializer=_init, initargs=(state,)) as pool:
        pool.map(_read_only, [("seed", datas[0])] * workers)  # warm up
        start = time.perf_counter()
        pool.map(_read_only, [("seed", d) for d in datas], chunksize=4)
        elapsed = time.perf_counter() - start
    return n / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed-ballots", type=int, default=2000)
    parser.add_argument("--big-ballots", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--erasure-sweep", type=int, default=200, metavar="N", help="pages per band (0: skip)")
    parser.add_argument(
        "--speed-pages", type=int, default=200, metavar="N", help="pages read for the speed figure (0: skip)"
    )
    parser.add_argument(
        "--smudge", type=float, default=SMUDGE, help="share of pages with a smudge in a box (an assumption of the mix)"
    )
    parser.add_argument(
        "--bilevel",
        type=float,
        default=0.0,
        help="share of scanned pages (not photos) in the scanner's black-and-white mode (no field data: 0)",
    )
    parser.add_argument(
        "--bilevel-jpeg",
        action="store_true",
        help="the black-and-white pages saved as JPEG (quality 30–95), which rings about their edges",
    )
    for name, _form, what, _heading, _sweep in SWEEPS:
        parser.add_argument(f"--{name}", type=int, default=0, metavar="N", help=f"{what} (0: skip)")
    parser.add_argument(
        "--written",
        type=float,
        default=0.0,
        help="share of ballots with a name (or a signature) written under the list, on one page (no field data: 0)",
    )
    args = parser.parse_args()
    asked = {form for name, form, *_rest in SWEEPS if getattr(args, name.replace("-", "_"))}
    state = prepare(
        seed=bool(args.seed_ballots or args.speed_pages or "seed" in asked),
        big=bool(args.big_ballots or args.erasure_sweep or "big" in asked),
    )
    state["smudge"] = args.smudge
    state["written"] = args.written
    state["bilevel"] = args.bilevel
    state["bilevel_jpeg"] = args.bilevel_jpeg
    print(f"machine: {machine()}; workers: {args.workers}")
    print(
        f"mix: styles {STYLE_WEIGHTS}; smudge {args.smudge:.2%} of pages, crossed name {CROSSED:.1%} of ballots, "
        f"erased mark {ERASED:.0%} of pencil ballots, photo {PHOTO:.0%}, upside down {UPSIDE_DOWN:.0%}; "
        f"written under the list {args.written:.1%} of ballots; black and white {args.bilevel:.0%} of scans"
        f"{' (as JPEG)' if args.bilevel_jpeg else ''}; "
        "dpi 150/200/300"
    )
    for name, n, offset in (("seed", args.seed_ballots, 0), ("big", args.big_ballots, 10**7)):
        if not n:
            continue
        start = time.perf_counter()
        silent, flagged, errors, confusion, causes = accuracy(state, name, n, args.workers, offset)
        pages = n * len(state[name]["pages"])
        print(
            f"{name}: {n} ballots ({pages} pages) in {time.perf_counter() - start:.0f} s (generation included): "
            f"silent misreads {silent}; sent to review {flagged} ({flagged / n:.2%}); unreadable pages {dict(errors)}"
        )
        print(f"  ballots sent to review, by cause (a ballot may have several): {dict(causes)}")
        keys = sorted({t for t, _ in confusion})
        print("  confusion (rows: truth; columns: read, ? = flagged):")
        columns = [*keys, "?"]
        print("  " + " ".join(f"{c:>7}" for c in ["", *columns]))
        for t in keys:
            print("  " + " ".join(f"{v:>7}" for v in [t, *(confusion[(t, c)] for c in columns)]))
    if args.erasure_sweep:
        print(f"rubbed-out pencil marks ({args.erasure_sweep} pages of the 44-person form per band):")
        erasure_sweep(state, args.workers, args.erasure_sweep)
    for name, _form, _what, heading, sweep in SWEEPS:
        if n := getattr(args, name.replace("-", "_")):
            print(heading.format(n=n) + ":")
            sweep(state, args.workers, n)
    if args.speed_pages:
        print(f"speed: {speed(state, args.workers, args.speed_pages):.1f} pages/s (200 dpi PNG, decoding included)")


if __name__ == "__main__":
    main()
