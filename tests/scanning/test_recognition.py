"""Recognition of synthetic scans of the real printed ballot: every mark style and distortion
gives the exact marks, or a flag where the mark is ambiguous by construction."""

from __future__ import annotations

import functools
import random
from dataclasses import replace

import cv2
import numpy as np
import pytest

from tests.scanning.conftest import _scan_maker, _scan_vote
from tests.voting.conftest import build
from tinnhiem.documents.ballots import qr_key
from tinnhiem.documents.layout import MARKER, MARKERS
from tinnhiem.scanning import recognize, synthetic

# the database holds only the printed form whose scans are read: the reading is the same on any
pytestmark = pytest.mark.same_on_every_database


_PRINTED: dict = {}


@pytest.fixture
def scan_vote(request):
    """The ballot printed for a closed vote of the seed form (tests/scanning/conftest.py), printed
    once for the module: the tests here read its PDF, geometry and level digits, nothing else of
    the database, and making the vote takes longer than most of them."""
    if not _PRINTED:
        vote = _scan_vote(*(request.getfixturevalue(name) for name in ("office", "make_user", "conference")))
        _PRINTED.update(pdf=vote["pdf"], geometry=vote["geometry"], digits=vote["digits"])
    return dict(_PRINTED)


@pytest.fixture
def make_scan(scan_vote):
    """At 200 dpi unless a test says otherwise (the other tests of scanning make theirs at 150)."""
    return _scan_maker(scan_vote, dpi=200, encoded=False)


@functools.cache
def _blank_ink(pdf: bytes) -> np.ndarray:
    """The blank ink of a ballot's first page, as the scan page keeps it (read-only: shared by the tests)."""
    ink = recognize.blank_ink(synthetic.render_blank(pdf, 0, 150))
    ink.flags.writeable = False
    return ink


def read(scan_vote, image):
    geometry, blank = scan_vote["geometry"], _blank_ink(scan_vote["pdf"])
    return recognize.read_sheet(image, key=qr_key(), geometry_for=lambda s: geometry, blank_for=lambda s: blank)


PEN_STYLES = [s for s in synthetic.STYLES if s != "pencil"]


def _read_right_or_flagged(reading, digits: dict[str, str], truth, seed) -> list:
    """Each row's key as read (``reading.rows``): its truth, or None when the row went to the
    committee; never another key (a silent misread)."""
    keys = [r.key(digits) for r in reading.rows]
    assert all(k in (None, t) for k, t in zip(keys, truth.keys, strict=True)), (seed, keys, truth.keys)
    return keys


@pytest.mark.parametrize("style", PEN_STYLES)
@pytest.mark.parametrize("dpi", [150, 300])
def test_every_pen_style_reads_exactly(scan_vote, make_scan, style, dpi):
    for seed in range(4):
        _data, truth, image = make_scan(seed * 31 + dpi, dpi=dpi, style=style)
        reading = read(scan_vote, image)
        got = [row.key(scan_vote["digits"]) for row in reading.rows]
        assert got == truth.keys, (style, dpi, seed, got, truth.keys, [[b.ink for b in r.boxes] for r in reading.rows])


def test_pencil_without_enough_other_marks_goes_to_the_committee(scan_vote, make_scan):
    """A pencil mark is judged against the other marks of its page; with fewer than two of them
    (this form has two rows) it goes to the committee. An empty row is still read as empty."""
    checked = 0
    for seed in range(6):
        _data, truth, image = make_scan(700 + seed, style="pencil")
        if sum(2 if k == "9" else k != "0" for k in truth.keys) > recognize.PENCIL_REFERENCES:
            continue
        for row, expected in zip(read(scan_vote, image).rows, truth.keys, strict=True):
            key = row.key(scan_vote["digits"])
            assert key is None if expected != "0" else key == "0"
        checked += 1
    assert checked >= 3


def _box(state="uncertain", ink=0.17, faint=0.28, solid=0.003, peak=107.0):
    return recognize.BoxReading("high", ink, faint, solid, state, peak=peak)


def _pencil_rows(*marks):
    """One row per given mark, its other two boxes empty."""
    empty = recognize.BoxReading("mid", 0.0, 0.0, 0.0, "empty")
    return [recognize.RowReading(person=i, boxes=[m, empty, empty]) for i, m in enumerate(marks)]


def test_a_pencil_mark_is_decided_only_against_its_page():
    """The rule of PENCIL_LIKE, on readings: strokes as dark as the page's other marks are read;
    a blot, a residue, a pencil touch on a page marked in pen, or too few marks are not."""
    rows = _pencil_rows(_box(peak=104.0), _box(peak=110.0), _box(peak=100.0))
    recognize.decide_pencil(rows)
    assert [r.key({"high": "1"}) for r in rows] == ["1", "1", "1"]
    assert all(r.boxes[0].pencil for r in rows) and max(r.confidence() for r in rows) <= 0.5
    cases = {
        "blot": _pencil_rows(_box(faint=0.52), _box(), _box()),
        "residue": _pencil_rows(_box(peak=70.0), _box(peak=110.0), _box(peak=105.0)),
        "pen page": _pencil_rows(_box(), *[_box("marked", 0.3, 0.4, 0.25, 200.0)] * 2),
        "too few": _pencil_rows(_box(), _box()),
    }
    for case, rows in cases.items():
        recognize.decide_pencil(rows)
        assert rows[0].key({"high": "1"}) is None and rows[0].doubt == "no_pen_ink", case
    faint = _pencil_rows(_box(ink=0.01, faint=0.1, peak=0.0), _box("marked", 0.3, 0.4, 0.25, 200.0))
    recognize.decide_pencil(faint)
    assert faint[0].doubt == "faint" and faint[1].doubt is None
    # exactly at the bound: PENCIL_LIKE times the median of the others is enough
    bound = recognize.PENCIL_LIKE * 100.0
    rows = _pencil_rows(_box(peak=bound), _box(peak=100.0), _box(peak=100.0))
    recognize.decide_pencil(rows)
    assert rows[0].boxes[0].pencil
    rows = _pencil_rows(_box(peak=bound - 0.1), _box(peak=100.0), _box(peak=100.0))
    recognize.decide_pencil(rows)
    assert rows[0].uncertain
    # two marks in one row: read as several marks only when alike (PENCIL_PAIR); a lighter one may
    # be a mark rubbed out before the other was made
    for lighter, expected in (
        (100.0, "9"),
        (100.0 * recognize.PENCIL_PAIR, "9"),  # exactly at the bound: not lighter enough to doubt
        (100.0 * recognize.PENCIL_PAIR - 0.1, None),
    ):
        rows = _pencil_rows(_box(peak=100.0), _box(peak=100.0))
        rows[0].boxes[1] = replace(_box(peak=lighter), level="mid")
        recognize.decide_pencil(rows)
        assert rows[0].key({"high": "1", "mid": "2"}) == expected and rows[1].key({"high": "1"}) == "1"
        assert rows[0].doubt == (None if expected else "unequal")
        assert [b.pencil for b in rows[0].boxes[:2]] == [bool(expected)] * 2  # a mark in doubt is no pencil mark


def test_a_rows_confidence_is_its_least_clear_box_and_a_row_in_doubt_has_none():
    """The confidence shown to the committee (0 to 1): a mark's ink over MARKED as a share of the
    gap from EMPTY, and its pen-dark ink over SOLID as a share of SOLID; an empty box's ink under
    EMPTY as a share of EMPTY; the row's least clear box; 0 for a box not decided."""
    marked_at, empty_at, solid_at = recognize.MARKED, recognize.EMPTY, recognize.SOLID
    empty = recognize.BoxReading("mid", 0.0, 0.0, 0.0, "empty")
    clear = recognize.BoxReading("high", 0.40, 0.50, 0.30, "marked")
    assert recognize.RowReading(person=1, boxes=[clear, empty, empty]).confidence() == 1.0  # a clean row
    # a fifth of the way from the threshold: a mark's ink, a mark's pen-dark ink, an empty box's ink
    near_mark = recognize.BoxReading("high", marked_at + (marked_at - empty_at) / 5, 0.2, 0.30, "marked")
    little_pen = recognize.BoxReading("high", 0.40, 0.50, solid_at * 1.2, "marked")
    near_empty = recognize.BoxReading("mid", 0.0, empty_at * 0.8, 0.0, "empty")
    assert recognize.RowReading(person=1, boxes=[near_mark, empty]).confidence() == 0.2
    assert recognize.RowReading(person=1, boxes=[little_pen, empty]).confidence() == 0.2
    assert recognize.RowReading(person=1, boxes=[clear, near_empty]).confidence() == 0.2
    assert recognize.RowReading(person=1, boxes=[near_mark, near_empty]).confidence() == 0.2
    assert recognize.RowReading(person=1, boxes=[replace(near_mark, ink=marked_at), empty]).confidence() == 0.0
    # a pencil mark, decided against its page: never shown as certain, however dark
    pencil = replace(clear, solid=0.0, pencil=True)
    assert recognize.RowReading(person=1, boxes=[pencil, empty]).confidence() == 0.5
    doubted = recognize.BoxReading("high", 0.40, 0.50, 0.0, "uncertain")  # far from both, yet not decided
    assert recognize.RowReading(person=1, boxes=[doubted, empty]).confidence() == 0.0


def test_photo_with_perspective_and_uneven_light(scan_vote, make_scan):
    for seed in range(6):
        _d, truth, image = make_scan(100 + seed, dpi=200, photo=True, style=("cross", "check", "circle")[seed % 3])
        reading = read(scan_vote, image)
        assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys


def test_a_qr_code_not_read_at_its_place_is_looked_for_in_the_whole_picture(scan_vote, make_scan, monkeypatch):
    """The code is read first where the page's corner marks put it; when it is not read there, the
    whole picture is searched, keeping only a code printed where this page's own is."""
    real = recognize.read_qr
    looked = []

    def not_at_its_place(gray, matrix=None):
        looked.append("whole picture" if matrix is not None else "its place")
        return real(gray, matrix) if matrix is not None else []

    monkeypatch.setattr(recognize, "read_qr", not_at_its_place)
    _d, truth, image = make_scan(8)
    reading = read(scan_vote, image)
    assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys
    assert looked == ["its place", "whole picture"]


def test_upside_down_page(scan_vote, make_scan):
    _d, truth, image = make_scan(7, upside_down=True, style="filled")
    reading = read(scan_vote, image)
    assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys
    assert abs(abs(reading.rotated) - 180) < 10


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_a_photo_held_sideways_is_read(scan_vote, make_scan, turn):
    """A phone stores a portrait photo sideways with an EXIF orientation tag; tinnhiem ignores the
    tag (it keeps no metadata) and finds the page in any orientation."""
    _d, truth, image = make_scan(8, photo=True, style="cross")
    reading = read(scan_vote, cv2.rotate(image, turn))
    assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys
    assert abs(abs(reading.rotated) - 90) < 10


def test_smudge_is_sent_to_the_committee(scan_vote, make_scan):
    checked = 0
    for seed in range(12):
        _d, truth, image = make_scan(200 + seed, smudged=True, style="cross")
        if not truth.ambiguous:
            continue  # this ballot left the first row unmarked: no smudge drawn
        reading = read(scan_vote, image)
        row = reading.rows[truth.ambiguous[0]]
        assert row.key(scan_vote["digits"]) is None and row.uncertain  # ambiguous by construction: flagged
        assert row.doubt in ("faint", "no_pen_ink")
        checked += 1
    assert checked >= 3


def test_a_box_washed_out_by_glare_is_sent_to_the_committee(scan_vote, make_scan):
    """A flash or a lamp reflected on a photo washes a patch of the page out, and the mark in a box
    with it: read as before, 29 of 240 such photos had a row read as unmarked, none flagged
    (bench/scan_accuracy.py --glare). The box's own printed frame shows it: a row with a box whose
    frame is barely seen goes to the committee, to be read on the paper."""
    geometry = scan_vote["geometry"]["pages"][0]
    for seed in range(4):
        _d, truth, image = make_scan(9400 + seed, style="cross", degraded=False)
        rng = random.Random(seed)
        row = next(i for i, k in enumerate(truth.keys) if k not in ("0", "9"))
        level = next(lv for lv, digit in scan_vote["digits"].items() if digit == truth.keys[row])
        box = next(b for b in geometry["boxes"] if b["person"] == row and b["level"] == level)
        synthetic.glare(image, box, 200 / 25.4, rng, 0.98)  # the mark all but gone
        reading = read(scan_vote, synthetic.degrade(image, rng, photo=True))
        keys = _read_right_or_flagged(reading, scan_vote["digits"], truth, seed)
        assert keys[row] is None and reading.rows[row].doubt == "washed_out", (seed, keys, truth.keys)
        assert not any(b.pencil for r in reading.rows for b in r.boxes)


def test_a_box_under_a_thumb_or_a_clip_is_sent_to_the_committee(scan_vote, make_scan):
    """A thumb holding the sheet by its edge, a clip or a pen lying over the boxes of a photo: the
    edge of such a thing across a box read as a mark (a row of two marks), none flagged (19 of 400
    photos, bench/scan_accuracy.py --cover). The paper around a box so covered is dark: the row
    goes to the committee, to be read on the paper."""
    rows = scan_vote["geometry"]["pages"][0]["rows"]
    checked = 0
    # of seeds 0–59, those whose page of the demo's form was read wrong, unflagged, before; on this
    # test's form too, without the check some are (the test then fails)
    for seed in (13, 15, 18, 39, 43):
        _d, truth, image = make_scan(9500 + seed, style="cross", degraded=False)
        rng = random.Random(seed)
        synthetic.cover(image, rows[seed % len(rows)], 200 / 25.4, rng, rng.randint(30, 90))
        reading = read(scan_vote, synthetic.degrade(image, rng, photo=True))
        _read_right_or_flagged(reading, scan_vote["digits"], truth, seed)
        covered = [r for r in reading.rows if r.doubt == "covered"]
        assert all(r.key(scan_vote["digits"]) is None for r in covered)
        checked += bool(covered)
    assert checked >= 3


def test_the_quick_percentile_gives_numpys_value():
    rng = np.random.default_rng(5)
    for _ in range(500):
        values = rng.integers(0, 256, (int(rng.integers(1, 14)), int(rng.integers(1, 90))), dtype=np.uint8)
        for q in (90, 97):
            assert recognize._percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-9)


def test_the_frames_of_a_clean_page_are_seen(scan_vote, make_scan):
    """Every box of the pages of the mix, photos and 150 dpi included, shows its printed frame well
    above FRAME_SEEN (102 and more on 200 synthetic pages), and the paper around it above COVERED
    (0.6 and more): none is taken for washed out or covered."""
    for seed in range(6):
        _d, _t, image = make_scan(9450 + seed, dpi=(150, 200, 300)[seed % 3], photo=seed % 2 == 0)
        boxes = [b for r in read(scan_vote, image).rows for b in r.boxes]
        assert min(b.frame for b in boxes) >= recognize.FRAME_SEEN + 20, (seed, [b.frame for b in boxes])
        assert min(b.shade for b in boxes) >= recognize.COVERED + 0.1, (seed, [b.shade for b in boxes])


def test_a_name_struck_through_is_always_flagged(scan_vote, make_scan):
    """Thin or light strokes, on photos and at every resolution: the extra ink alone misses some;
    the stroke along the name never goes unflagged, and a clean name never is flagged."""
    # 42, 44 and 92: photos whose stroke adds under 1 % of ink to the zone (missed before the
    # stroke measure); the others: ordinary scans and photos at every resolution
    for seed in [*range(8), 42, 44, 92]:
        dpi = (150, 200, 300)[seed % 3]
        _d, _t, image = make_scan(900 + seed, dpi=dpi, crossed_name=True, photo=seed % 2 == 0)
        rows = read(scan_vote, image).rows
        assert rows[0].name_flag and not rows[1].name_flag, (seed, [(r.name_ink, r.name_strike) for r in rows])


@pytest.mark.parametrize("kind", synthetic.NAME_MARKS)
def test_any_other_ink_on_a_name_is_flagged(scan_vote, make_scan, kind):
    """A cross over a name, a stroke slanting across it, a line down through it, a tick or a blot
    on it: no stroke along the name, yet the committee must see it. Before NAME_MARK_MM2, 120 of
    200 such pages went unflagged (the ballot counted as if the name were clean), an X among them."""
    for seed in range(4):
        dpi = (150, 200, 300, 200)[seed]
        _d, truth, image = make_scan(9700 + seed, dpi=dpi, name_mark=kind, photo=seed == 3)
        assert truth.name_mark == kind
        rows = read(scan_vote, image).rows
        measures = [(r.name_ink, r.name_strike, r.name_mark) for r in rows]
        assert rows[0].name_flag and not rows[1].name_flag, (kind, seed, measures)
        assert rows[0].name_mark >= recognize.NAME_MARK_MM2 and rows[1].name_mark == 0.0, (kind, seed, measures)


def test_crossed_out_name_is_flagged(scan_vote, make_scan):
    _d, _truth, image = make_scan(300, crossed_name=True)
    reading = read(scan_vote, image)
    assert reading.rows[0].name_flag and not reading.rows[1].name_flag
    _d, _truth, clean = make_scan(301)
    assert not any(r.name_flag for r in read(scan_vote, clean).rows)


def _offset(ink: np.ndarray, blank: np.ndarray, reach: int = 3) -> tuple[int, int]:
    """The shift (x, y), in pixels, that lays ``ink`` best on ``blank``."""
    padded = cv2.copyMakeBorder(ink.astype(np.float32), reach, reach, reach, reach, cv2.BORDER_CONSTANT, value=0)
    _low, _high, _where_low, (x, y) = cv2.minMaxLoc(
        cv2.matchTemplate(padded, blank.astype(np.float32), cv2.TM_CCORR_NORMED)
    )
    return x - reach, y - reach


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_page_is_laid_on_its_blank_to_the_pixel(scan_vote, dpi):
    """The printed page scanned perfectly (rendered straight from the PDF), found by its markers
    and rectified, lies on the blank page it is compared with, not a pixel off: both in pixel-centre
    coordinates. One pixel off (it was, before), the lower edge of bold print read as new ink
    along a clean name, and its ballot went to the committee for nothing."""
    blank = recognize.blank_ink(synthetic.render_blank(scan_vote["pdf"], 0, 150))
    gray = recognize.to_gray(synthetic.render_blank(scan_vote["pdf"], 0, dpi))
    ink = recognize.ink_map(recognize.rectify(gray, recognize.find_markers(gray)))[0]
    zones = [
        [round(v * recognize.PX_PER_MM) for v in row["name_zone"]] for row in scan_vote["geometry"]["pages"][0]["rows"]
    ]
    table = (slice(min(y for _x, y, _w, _h in zones), max(y + h for _x, y, _w, h in zones)), slice(None))
    assert _offset(ink[table], blank[table]) == (0, 0)
    for x, y, w, h in zones:
        assert _offset(ink[y : y + h, x : x + w], blank[y : y + h, x : x + w]) == (0, 0), (x, y)
    reading = read(scan_vote, gray)
    assert [r.name_strike for r in reading.rows] == [0.0] * len(reading.rows)


def _bent(make_scan, seed: int, height: tuple[float, float], **options):
    """A phone photo of a sheet bowing ``height`` mm off the table (synthetic.bend), and its truth."""
    _d, truth, image = make_scan(seed, style="cross", degraded=False, **options)
    rng = random.Random(seed)
    return synthetic.degrade(synthetic.bend(image, rng.uniform(*height), rng), rng, photo=True), truth


def test_a_sheet_that_does_not_lie_flat_is_read_exactly(scan_vote, make_scan, monkeypatch):
    """A ballot once folded into the box, photographed as it lies: its print strays from where its
    corner marks put it, and names read as struck through, frames as washed out, the note under the
    list as writing. Laid on its blank piece by piece, every row reads exactly, unflagged; read as
    the four corners alone place it, the same photos go to the committee."""
    photos = [_bent(make_scan, 9800 + seed, (3, 8)) for seed in range(6)]
    for seed, (image, truth) in enumerate(photos):
        reading = read(scan_vote, image)
        keys = [r.key(scan_vote["digits"]) for r in reading.rows]
        assert keys == truth.keys and not reading.needs_review(), (seed, keys, truth.keys)
        assert reading.registered >= recognize.REGISTER_MIN, seed
    monkeypatch.setattr(recognize, "REGISTER_PASSES", ())
    flagged = [read(scan_vote, image).needs_review() for image, _truth in photos]
    assert sum(flagged) >= 3, flagged


def test_a_box_off_its_place_on_a_sheet_far_from_flat_is_said_so(scan_vote, make_scan):
    """A sheet bowing 1.5–2.5 cm is not always laid on its blank well enough: a box whose printed
    frame is still not seen goes to the committee as on a sheet that did not lie flat, not as
    washed out by glare (the glare test above keeps that reason on a flat photo)."""
    said = 0
    for seed in range(10):
        image, truth = _bent(make_scan, 9870 + seed, (15, 25))
        reading = read(scan_vote, image)
        _read_right_or_flagged(reading, scan_vote["digits"], truth, seed)
        off = [r for r in reading.rows if any(b.washed_out for b in r.boxes) and r.uncertain]
        assert all(r.doubt == "not_flat" for r in off) and (not off or reading.registered >= recognize.NOT_FLAT)
        said += len(off)
    assert said >= 1


def test_a_flat_page_in_doubt_is_hardly_moved_and_its_doubt_stays(scan_vote, make_scan):
    """Laying a page on its blank is tried only on a page in doubt, and moves a flat one by a few
    tenths of a millimetre at most (where its corner marks were found a little off): a smudge still
    goes to the committee, as it does on a sheet that did not lie flat."""
    checked = 0
    for seed in range(12):
        _d, truth, image = make_scan(200 + seed, smudged=True, style="cross")
        if not truth.ambiguous:
            continue
        reading = read(scan_vote, image)
        assert reading.registered < 0.5 and reading.rows[truth.ambiguous[0]].key(scan_vote["digits"]) is None
        bent, truth = _bent(make_scan, 200 + seed, (3, 8), smudged=True)
        rows = read(scan_vote, bent).rows
        assert rows[truth.ambiguous[0]].key(scan_vote["digits"]) is None, seed
        assert all(r.key(scan_vote["digits"]) in (None, t) for r, t in zip(rows, truth.keys, strict=True))
        checked += 1
    assert checked >= 3


def test_a_piece_is_placed_to_a_fraction_of_a_pixel():
    ys, xs = np.mgrid[0:9, 0:9].astype(np.float32)
    scores = 1 - 0.01 * ((xs - 4.3) ** 2 + (ys - 3.75) ** 2)  # its top between the pixels
    x, y = recognize._peak_offset(scores, (4, 4))
    assert (x, y) == (pytest.approx(4.3, abs=1e-4), pytest.approx(3.75, abs=1e-4))


def test_the_strays_of_the_pieces_are_smoothed_and_filled():
    """A piece pulled off by a mark takes its neighbours' median; a piece of blank paper takes what
    lies between the found ones."""
    nan = np.nan
    strays = np.array(
        [
            [[1, 0], [1, 0], [1, 0]],
            [[1, 0], [9, 9], [1, 0]],  # pulled by a mark
            [[nan, nan], [nan, nan], [nan, nan]],  # blank paper under the list
            [[3, 2], [3, 2], [3, 2]],  # the note at the foot of the page
        ],
        np.float32,
    )
    filled = recognize._fill(strays)
    assert filled[1, 1].tolist() == [1, 0]
    assert filled[2].tolist() == [[2, 1]] * 3
    assert filled[3, 1].tolist() == [3, 2]
    assert not np.isnan(filled).any()


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_writing_under_the_list_is_flagged_and_a_clean_page_is_not(scan_vote, make_scan, dpi):
    """A name written in pen under the printed list (or a signature there) flags the page, on
    scans and photos, upside down too; a page with every mark style, a smudge or a crossed-out
    name but nothing under the list has no such ink at all. The rows read the same either way."""
    for seed in range(4):
        options = {"photo": seed % 2 == 1, "upside_down": seed == 2}
        _d, truth, image = make_scan(1500 + seed, dpi=dpi, style=PEN_STYLES[seed], written=True, **options)
        reading = read(scan_vote, image)
        assert reading.writing_flag and reading.needs_review(), (seed, reading.writing)
        assert [row.key(scan_vote["digits"]) for row in reading.rows] == truth.keys
        clean_options = {**options, "smudged": seed == 1, "crossed_name": seed == 3}
        _d, _truth, image = make_scan(1500 + seed, dpi=dpi, style=PEN_STYLES[seed], **clean_options)
        reading = read(scan_vote, image)
        assert reading.writing == 0.0 and not reading.writing_flag, (seed, reading.writing)


@pytest.fixture
def wide(office, make_user, conference):
    """A printed form of six rated persons (the page-wide correction needs several rows)."""
    from tinnhiem.conferences.usecases import day, rated
    from tinnhiem.documents import ballots

    build(office, conference, 3)  # two rated persons and three voters
    for i in range(4):
        rated.add_rated_person(office, conference, full_name=f"Nguyễn Văn Thành {i}", post="Phó Chủ tịch UBND")
    day.open_conference(
        make_user("chair", "chair-w"), conference, held_today=True
    )  # the ballot form is made when the conference opens
    pdf, layout = ballots.render_one(conference.ballot_forms.get())
    geometry = layout.as_dict()
    blank = synthetic.render_blank(pdf, 0, 150)
    digits = {lv.key: str(lv.digit) for lv in conference.rules.levels}

    def scan(page_blank, seed, **options):
        image, truth = synthetic.synthesize(
            page_blank, geometry, 1, 150, random.Random(seed), digits=digits, **{"style": "cross", **options}
        )
        reading = recognize.read_sheet(
            image, key=qr_key(), geometry_for=lambda s: geometry, blank_for=lambda s: recognize.blank_ink(blank)
        )
        scan.last = reading, truth
        return [r.key(digits) for r in reading.rows], truth.keys, [r.name_flag for r in reading.rows]

    return blank, geometry, scan


@pytest.mark.django_db
def test_thick_print_is_not_a_crossed_out_name(wide):
    """A blurry scan thickens every printed name alike; no row is sent to review for it."""
    blank, _geometry, scan = wide
    # every stroke a little wider and greyer, as from a worn scanner lamp or a soft focus
    thick = ((cv2.erode(blank, np.ones((2, 1), np.uint8)).astype(np.uint16) + blank) // 2).astype(np.uint8)
    got, truth, flags = scan(thick, 5)
    assert got == truth and not any(flags)
    got, truth, flags = scan(thick, 6, crossed_name=True)  # one crossed-out name is still found
    assert got == truth and flags[0] and not any(flags[1:])


@pytest.mark.django_db
def test_a_page_marked_in_pencil_is_read(wide):
    """Six rows in one pencil, scans and photos: every row read exactly, as pencil marks."""
    blank, _geometry, scan = wide
    pencil = 0
    for seed in range(6):
        got, truth, _flags = scan(blank, 40 + seed, style="pencil", photo=seed % 3 == 0)
        assert got == truth, seed
        pencil += sum(b.pencil for r in scan.last[0].rows for b in r.boxes)
    assert pencil >= 20  # most of them could only be read as pencil (no pen-dark ink)


@pytest.mark.django_db
@pytest.mark.parametrize("left", [synthetic.ERASED, (0.5, 0.6)])
def test_an_erased_mark_is_never_read_as_a_mark(wide, left):
    """A rubbed-out pencil cross beside pencil or pen marks: the row goes to the committee, or
    reads as if the residue were not there — never as a mark. (0.5, 0.6): poorly rubbed, so that
    the residue is dark enough to be judged against the page."""
    blank, _geometry, scan = wide
    flagged = judged = 0
    for seed in range(24):
        got, truth, _flags = scan(blank, 60 + seed, style=("pencil", "cross")[seed % 2], erased=left)
        reading, made = scan.last
        assert all(g == t for i, (g, t) in enumerate(zip(got, truth, strict=True)) if i not in made.ambiguous), seed
        assert all(got[i] in (None, truth[i]) for i in made.ambiguous), (seed, got, truth)
        flagged += sum(got[i] is None for i in made.ambiguous)
        judged += sum(any(b.pencil_candidate for b in reading.rows[i].boxes) for i in made.ambiguous)
    assert flagged >= 8  # most residues stay visible and are sent to the committee
    if left == (0.5, 0.6):
        assert judged >= 3, judged  # the residue was dark enough to need the page's judgment, and got it


@pytest.mark.django_db
def test_every_name_crossed_out_flags_every_row(wide):
    """The page-wide correction must not hide a voter who crossed out every name."""
    blank, geometry, scan = wide
    crossed = blank.copy()
    rng = random.Random(3)
    for row in geometry["pages"][0]["rows"]:
        synthetic.cross_out_name(crossed, row["name_zone"], 150 / 25.4, rng)
    _got, _truth, flags = scan(crossed, 7)
    assert len(flags) == 6 and all(flags)


def test_not_a_ballot(scan_vote):
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (1600, 1200), dtype=np.uint8)
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, noise)
    assert info.value.reason == "no_markers"
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, np.full((1600, 1200), 250, np.uint8))
    assert info.value.reason == "blank"


@pytest.mark.parametrize("how", synthetic.TWO_BALLOTS)
def test_two_ballots_in_one_picture_are_refused_never_read(scan_vote, make_scan, how):
    """A phone photo of two ballots on the table, or of one lying on another with the other's edge
    showing. Read as before, such a picture was taken for one ballot: the other was lost without a
    word, and now and then rows were read from a page laid across both, unflagged (300 photos of
    the seed form: 3 silent misreads and 71 pictures counted as one ballot;
    bench/scan_accuracy.py --several)."""
    for seed in range(3):
        rng = random.Random(9100 + seed)
        first, second = (make_scan(9100 + 2 * seed + i, degraded=False, style="cross")[2] for i in range(2))
        picture = synthetic.degrade(synthetic.two_ballots(first, second, how, rng, 200), rng, photo=True)
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, picture)
        assert info.value.reason == "several_ballots", (how, seed, info.value.detail)


@pytest.mark.parametrize("dpi", [200, 300])
def test_two_pages_printed_on_one_sheet_are_refused(scan_vote, make_scan, dpi):
    """ "2 pages per sheet", to save paper: each page at 71 %, side by side on a landscape sheet."""
    pages = [make_scan(9150 + i, dpi=dpi, style="cross", degraded=False)[2] for i in range(2)]
    two_up = np.hstack([cv2.resize(p, None, fx=0.707, fy=0.707, interpolation=cv2.INTER_AREA) for p in pages])
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, synthetic.degrade(two_up, random.Random(1)))
    assert info.value.reason == "several_ballots"


def test_corner_marks_that_do_not_form_one_page_are_refused(scan_vote, make_scan):
    """Each corner mark found once, but not the marks of one sheet: one of them half the size of the
    others (the mark of another ballot, farther from the camera, the sheet's own hidden), or two
    ballots side by side whose other marks were not found. Refused, where the marks of a real page,
    a photo included, land within 0.6 mm of their printed place."""
    _d, truth, image = make_scan(9200, photo=True)
    markers = recognize.find_markers(image)
    recognize.homography(markers)  # the page's own marks fit
    assert [r.key(scan_vote["digits"]) for r in read(scan_vote, image).rows] == truth.keys
    smaller = dict(markers)
    centre = markers[1].mean(axis=0)
    smaller[1] = centre + (markers[1] - centre) * 0.5
    with pytest.raises(recognize.NotABallot) as info:
        recognize.homography(smaller)
    assert info.value.reason == "unreadable" and info.value.detail.endswith("mm")
    first, second = (make_scan(9201 + i, degraded=False, style="cross")[2] for i in range(2))
    pair = np.hstack([first, second])
    own = recognize.find_markers(first)
    theirs = {k: q + np.float32([first.shape[1], 0]) for k, q in recognize.find_markers(second).items()}
    with pytest.raises(recognize.NotABallot) as info:  # the left ballot's marks 0 and 2, the right one's 1 and 3
        recognize.homography({0: own[0], 2: own[2], 1: theirs[1], 3: theirs[3]})
    assert info.value.reason == "unreadable"
    with pytest.raises(recognize.NotABallot):
        read(scan_vote, pair)
    nearly = dict(markers)
    nearly[1] = markers[1] + np.float32([0, 200 / 25.4])  # a sheet not quite flat (1 mm): still one page
    recognize.homography(nearly)


def test_a_qr_code_found_elsewhere_in_the_picture_is_not_the_pages(scan_vote, make_scan):
    """When the QR is not read in its place on the rectified page, the whole picture is searched;
    a code found there counts only where the page's own QR is printed, not another ballot's."""
    _d, _t, image = make_scan(9300)
    matrix = recognize.homography(recognize.find_markers(image))
    assert len(recognize.read_qr(image, matrix)) == 1
    elsewhere = np.float64([[1, 0, 0], [0, 1, -40 * recognize.PX_PER_MM], [0, 0, 1]]) @ matrix  # 40 mm off
    assert recognize.read_qr(image, elsewhere) == []
    assert len(recognize.read_qr(image)) == 1  # without a page to place it, any code


def _picture_x(image, x_mm: float, y_mm: float) -> int:
    """The column of the picture where a point of the printed page lies."""
    to_picture = np.linalg.inv(recognize.homography(recognize.find_markers(image)))
    point = np.float32([[[x_mm * recognize.PX_PER_MM - 0.5, y_mm * recognize.PX_PER_MM - 0.5]]])
    return int(cv2.perspectiveTransform(point, to_picture)[0, 0, 0])


def test_a_line_down_the_scan_through_the_boxes_is_refused_never_read(scan_vote, make_scan):
    """Dust or a scratch on a scanner's glass draws a line down every page fed past it. Through a
    column of boxes it read as a mark in each of them: rows of "9" (several marks), or a level
    where there was none, none flagged (122 of 240 scans, bench/scan_accuracy.py --streak). Such a
    page is refused as ``streak``, with what to do; through the QR code too. A line in the margin,
    outside every box, changes nothing."""
    boxes = scan_vote["geometry"]["pages"][0]["boxes"]
    for seed, (width_mm, tone) in enumerate(((0.2, 80), (0.5, 40), (1.5, 20))):
        _d, _t, image = make_scan(9800 + seed, style="cross", upside_down=seed == 1)
        box = boxes[seed * 2 % len(boxes)]
        x = _picture_x(image, box["x"] + box["w"] / 2, box["y"] + box["h"] / 2)
        synthetic.streak(image, x, max(1, round(width_mm * 200 / 25.4)), tone)
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, image)
        assert info.value.reason == "streak", (seed, info.value.reason)
        assert abs(float(info.value.detail.split()[0]) - (box["x"] + box["w"] / 2)) < 8, info.value.detail
    _d, _t, image = make_scan(9810, style="cross")
    qr_x, qr_y, qr_size = scan_vote["geometry"]["qr"]
    # through the code's right part, right of the last column of boxes: the code is not read
    synthetic.streak(image, _picture_x(image, qr_x + 0.875 * qr_size, qr_y + qr_size / 2), 24, 0)
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, image)
    assert (info.value.reason, info.value.detail) == ("streak", "QR")
    _d, truth, image = make_scan(9811, style="cross")
    synthetic.streak(image, _picture_x(image, 4.0, 150.0), 4, 30)  # left of the marks and the table
    assert [r.key(scan_vote["digits"]) for r in read(scan_vote, image).rows] == truth.keys


def test_the_printed_lines_of_a_page_scanned_straight_are_no_streak(scan_vote, make_scan):
    """Scanned perfectly straight, the table's printed lines run straight down the picture too, over
    the table's height, but never through a box's inside: the page is read."""
    for dpi in (150, 200, 300):
        _d, truth, image = make_scan(9820 + dpi, dpi=dpi, style="cross", degraded=False)
        assert [r.key(scan_vote["digits"]) for r in read(scan_vote, image).rows] == truth.keys, dpi


@pytest.mark.parametrize("dpi", [150, 200, 300, 600])
def test_corner_marks_are_found_where_they_are_printed(scan_vote, dpi):
    """The corners of the marks, found on the reduced copy and scaled back, land within 0.3 mm of
    where a page turned by a known angle puts them (0.24 mm at most measured at 150–300 dpi): the
    page is laid on its blank from them, where a pixel's shift reads bold print as new ink."""
    blank = synthetic.render_blank(scan_vote["pdf"], 0, dpi)
    pad, px = 100, dpi / 25.4
    page = cv2.copyMakeBorder(blank, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    noise = np.random.default_rng(dpi).normal(0, 4, page.shape)
    for angle in (-4.0, 1.5, 3.0):
        turn = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), angle, 1.0)
        image = cv2.warpAffine(page, turn, page.shape[::-1], flags=cv2.INTER_LINEAR, borderValue=255)
        image = np.clip(image + noise, 0, 255).astype(np.uint8)
        found = recognize.find_markers(image)
        assert sorted(found) == [0, 1, 2, 3]
        for number, quad in found.items():
            x, y = MARKERS[number]
            square = np.float32([[x, y], [x + MARKER, y], [x + MARKER, y + MARKER], [x, y + MARKER]])
            printed = cv2.transform((square * px - 0.5 + pad).reshape(-1, 1, 2), turn).reshape(-1, 2)
            assert float(np.abs(quad - printed).max()) / px < 0.3, (dpi, angle, number)


def test_a_page_too_light_is_refused_a_dim_one_is_not(scan_vote, make_scan):
    """Black lifted towards white (a scanner set too light) is refused as such, with the corner
    marks' black measured against the paper. A photo in a dim hall darkens paper and print alike,
    and a glare over one corner mark leaves the others: both are read (a row in doubt flagged)."""
    for seed, dpi in ((410, 150), (411, 200), (412, 300)):
        _d, truth, image = make_scan(seed, dpi=dpi, style="cross")
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, synthetic.pale(image, 150))
        assert info.value.reason == "pale", dpi
        dim = (image * 0.45).astype(np.uint8)  # paper at about 110 of 255, over the "too dark" line
        for row, key in zip(read(scan_vote, dim).rows, truth.keys, strict=True):  # read: flagged, or right
            assert row.key(scan_vote["digits"]) in (None, key), dpi
        lit = image.copy()  # a lamp's reflection over the top left corner mark: still found, but grey
        corners = (recognize.find_markers(image)[0] + 0.5).astype(int)
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        lit[y0 - 5 : y1 + 5, x0 - 5 : x1 + 5] = 255 - (255 - lit[y0 - 5 : y1 + 5, x0 - 5 : x1 + 5]) * 0.3
        assert 0 in recognize.find_markers(lit)
        for row, key in zip(read(scan_vote, lit).rows, truth.keys, strict=True):
            assert row.key(scan_vote["digits"]) in (None, key), dpi
    # measured on the page as read: the marks' black against the paper's white, at the threshold
    _d, _t, image = make_scan(413, style="cross")
    markers = recognize.find_markers(image)
    rectified = recognize.rectify(image, markers)
    assert recognize.print_black(rectified, markers) < 0.1 * 255


def test_too_dark_blurred_or_cut_off(scan_vote, make_scan):
    _d, _t, image = make_scan(400)
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, (image * 0.25).astype(np.uint8))  # a photo in a dark hall
    assert info.value.reason == "too_dark"
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, cv2.GaussianBlur(image, (41, 41), 12))  # shaken
    assert info.value.reason in ("blurred", "no_markers")
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, np.ascontiguousarray(image[: image.shape[0] // 2]))  # cut off: half the page
    assert info.value.reason == "no_markers"


def test_another_sites_ballot_is_refused(scan_vote, make_scan):
    _d, _t, image = make_scan(500)
    geometry = scan_vote["geometry"]
    with pytest.raises(recognize.NotABallot) as info:
        recognize.read_sheet(image, key=b"another-site-key" * 2, geometry_for=lambda s: geometry)
    assert info.value.reason == "foreign_qr"
    with pytest.raises(recognize.NotABallot) as info:
        recognize.read_sheet(image, key=qr_key(), geometry_for=lambda s: None)
    assert info.value.reason == "unknown_layout"


def test_jpeg_and_tiff_pages(scan_vote, make_scan):
    from tinnhiem.scanning.usecases import load_pages

    data, truth, _image = _scan_maker(scan_vote, dpi=200)(600, fmt=".jpg")
    pages = load_pages("scan.jpg", data)
    assert len(pages) == 1 and [r.key(scan_vote["digits"]) for r in read(scan_vote, pages[0]).rows] == truth.keys
    a, b = make_scan(601)[2], make_scan(602)[2]
    ok, tiff = cv2.imencodemulti(".tiff", [a, b])
    assert ok and len(load_pages("scan.tiff", tiff.tobytes())) == 2


def test_a_page_scanned_at_too_low_a_resolution_is_refused_never_read(scan_vote):
    """At 100 dpi a box is 39 × 31 pixels and a pen's stroke 1 or 2: on 400 synthetic pages of the
    mix, 7 rows were read wrong (on 4 pages), none flagged (bench/scan_resolution.py). The resolution is
    measured on the page, by the size of its markers, whatever the file says: such a page (a
    scanner at 75 or 100 dpi, a photo a chat app made smaller) is refused, and a scan at the
    scanner's lowest usual setting, 150 dpi, is read, knowing its resolution."""
    for dpi, seed in ((75, 1), (100, 2), (110, 3), (120, 4)):
        _d, _t, image = _scan_maker(scan_vote, dpi=dpi, encoded=False)(8300 + seed, style="cross")
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, image)
        assert info.value.reason == "low_resolution", dpi
        assert abs(int(info.value.detail) - dpi) <= 0.08 * dpi, (dpi, info.value.detail)
    for dpi, seed in ((150, 5), (200, 6), (300, 7)):
        _d, truth, image = _scan_maker(scan_vote, dpi=dpi, encoded=False)(8300 + seed, style="cross")
        reading = read(scan_vote, image)
        assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys
        assert 0.93 * dpi <= reading.dpi <= 1.02 * dpi, (dpi, reading.dpi)


def test_a_clean_grayscale_render_of_the_ballot_is_not_taken_for_black_and_white(scan_vote):
    """The cleanest grey page there is, the ballot rendered from its PDF, noise-free: only the
    edges of its letters are grey, fewer the finer the resolution. Up to 600 dpi it is grey."""
    for dpi in (200, 600):
        blank = synthetic.render_blank(scan_vote["pdf"], 0, dpi)
        assert not recognize.is_bilevel(blank), dpi
        assert recognize.is_bilevel(synthetic.bilevel(blank))


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_page_scanned_in_black_and_white_is_refused_never_read(scan_vote, make_scan, dpi):
    """An office scanner's black-and-white (text) mode cuts every pixel to black or white: a light
    pencil mark falls on the white side and is gone, so its row would be read as unmarked (on 150
    synthetic pencil pages read as before, 19 rows were read wrong so, none flagged). Such a page is
    refused as scanned in black and white, whatever the driver's brightness, and never read; a
    blank back side of it is still a blank page, ignored."""
    for seed in range(3):
        _d, _t, image = make_scan(8100 + seed * 7 + dpi, dpi=dpi, style=random.Random(seed).choice(synthetic.STYLES))
        assert not recognize.is_bilevel(image)  # a grayscale scan is read as before
        read(scan_vote, image)
        for threshold in (110, 128, 160):  # the driver's brightness setting
            with pytest.raises(recognize.NotABallot) as info:
                read(scan_vote, synthetic.bilevel(image, threshold))
            assert info.value.reason == "black_and_white", (seed, threshold)
        cut = synthetic.bilevel(image, 128 + 20 * (seed - 1))
        for quality in (30, 50, 75, 95):  # the same page saved as JPEG: it rings about every edge
            ok, jpeg = cv2.imencode(".jpg", cut, [cv2.IMWRITE_JPEG_QUALITY, quality])
            assert ok
            ringing = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
            assert not (ringing == cut).all()
            with pytest.raises(recognize.NotABallot) as info:
                read(scan_vote, ringing)
            assert info.value.reason == "black_and_white", (seed, quality)
    back = synthetic.bilevel(np.full((1700, 1200), 250, np.uint8))
    with pytest.raises(recognize.NotABallot) as info:
        read(scan_vote, back)
    assert info.value.reason == "blank"


def _square_px(square, dpi: int) -> tuple[slice, slice]:
    """Where a grey square is on a page scanned straight, in pixels."""
    x, y, w, h = (v * dpi / 25.4 for v in square)
    return slice(round(y), round(y + h)), slice(round(x), round(x + w))


def test_a_photo_through_a_black_and_white_filter_is_refused_never_read(scan_vote, make_scan):
    """A phone scanner app's black-and-white filter cuts a light pencil mark away (or to black) but
    leaves the page grey enough to pass for a grey scan: of 180 synthetic pencil photos so filtered,
    read as before, 61 had a row read wrong, none flagged (bench/scan_accuracy.py --app-filter). The
    grey squares printed on the ballot come out white or black: such a picture is refused. The photo
    as taken is read; a glare or a thumb over one square alone does not refuse a page."""
    geometry = scan_vote["geometry"]
    assert len(geometry["grey"]) == 2
    for seed, cut in ((420, 100), (421, 125), (422, 155)):
        _d, truth, image = make_scan(seed, style="pencil", photo=True)
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, synthetic.app_filter(image, cut, random.Random(seed)))
        assert info.value.reason == "filtered", cut
        assert all(float(level) >= 0.9 for level in info.value.detail.split()), info.value.detail
        for row, key in zip(read(scan_vote, image).rows, truth.keys, strict=True):
            assert row.key(scan_vote["digits"]) in (None, key)
    _d, truth, image = make_scan(423, style="cross", degraded=False)
    top_left, bottom_right = (_square_px(square, 200) for square in geometry["grey"])
    for over_one in (255, 30):  # a glare washes it out; a thumb darkens it
        one = image.copy()
        one[top_left] = over_one
        assert [r.key(scan_vote["digits"]) for r in read(scan_vote, one).rows] == truth.keys
        both = one.copy()
        both[bottom_right] = over_one
        with pytest.raises(recognize.NotABallot) as info:
            read(scan_vote, both)
        assert info.value.reason == "filtered"


def test_the_grey_squares_are_mid_grey_on_every_kind_of_clean_picture(scan_vote, make_scan):
    """Measured between the print's black and the paper around it, a square printed at 0.5 reads
    0.5 whatever the picture: tinted paper, a photo in uneven light, a dim hall, a scan too light
    (yet still read), 150 to 300 dpi. The line (GREY_CUT) is far from it on both sides."""
    for seed, dpi, options in (
        (430, 150, {}),
        (431, 300, {}),
        (432, 200, {"photo": True}),
        (433, 200, {"photo": True}),
        (434, 200, {"degraded": False}),
    ):
        _d, _t, image = make_scan(seed, dpi=dpi, style="cross", **options)
        for picture in (image, (image * 0.45).astype(np.uint8), synthetic.pale(image, 90)):
            markers = recognize.find_markers(picture)
            rectified = recognize.rectify(picture, markers)
            black = recognize.print_black(rectified, markers)
            levels = recognize.grey_levels(rectified, scan_vote["geometry"]["grey"], black)
            assert len(levels) == 2 and all(0.35 < level < 0.65 for level in levels), (seed, levels)
    assert recognize.GREY_CUT < 0.35 and 1 - recognize.GREY_CUT > 0.65


def test_a_ballot_printed_without_grey_squares_is_read_as_before(scan_vote, make_scan):
    """A layout printed by an earlier tinnhiem (format 2) has no squares to check: its pages are
    read, not refused for squares it never had (the check needs them)."""
    old = {k: v for k, v in scan_vote["geometry"].items() if k != "grey"}
    _d, truth, image = make_scan(440, style="cross")
    blank = recognize.blank_ink(synthetic.render_blank(scan_vote["pdf"], 0, 150))
    for y, x in (_square_px(square, 200) for square in scan_vote["geometry"]["grey"]):
        image[y, x] = 255  # printed without them
    reading = recognize.read_sheet(image, key=qr_key(), geometry_for=lambda s: old, blank_for=lambda s: blank)
    assert [r.key(scan_vote["digits"]) for r in reading.rows] == truth.keys


@pytest.fixture(scope="module")
def forty_four():
    """A 44-person ballot under NQ 96 (a People's Council's), rendered without a database: its PDF,
    geometry and level digits. Its last page has six rows, and its short note under the list
    leaves the bottom-right square nearly alone in its piece of the page."""
    from tinnhiem.documents.ballots import sheet_data
    from tinnhiem.documents.layout import ballot_layout
    from tinnhiem.documents.render import render_pdf
    from tinnhiem.rules import builtin_rule_set

    rules = builtin_rule_set("nq96-2023")
    people = [(i, f"Nguyễn Văn Thành {i}", "Trưởng phòng") for i in range(44)]
    layout = ballot_layout(44, list(rules.level_keys), people)
    pdf = render_pdf("ballot", sheet_data(rules, layout, body="UBND", subtitle="Hội nghị", conference_id=0, form_id=0))
    return pdf, layout.as_dict(), {lv.key: str(lv.digit) for lv in rules.levels}


def test_the_grey_squares_are_no_writing_and_no_print_to_lay_a_page_on(forty_four):
    """The bottom-right square lies between the table and the bottom marks, where writing is looked
    for and where a page in doubt is laid on its blank. Its blank ink map shows only its outline,
    which matches the even grey a little off its place: flat pages of this form were moved by
    0.2 mm, and an erased mark read as a mark after the move (bench/scan_accuracy.py). Off its
    place on a sheet far from flat, its edges read as writing. Both searches leave it out, and a
    signature beside it is still seen."""
    pdf, geometry, digits = forty_four
    page = geometry["pages"][3]
    x, y, w, h = geometry["grey"][1]
    assert y > max(r["y"] + r["h"] for r in page["rows"]) and x + w > recognize.RIGHT - 10
    blank = recognize.blank_ink(synthetic.render_blank(pdf, 3, 150))
    for seed, dpi in ((470, 150), (471, 300), (472, 150)):
        image, _truth = synthetic.synthesize(
            synthetic.render_blank(pdf, 3, dpi), geometry, 4, dpi, random.Random(seed), digits=digits, degraded=False
        )
        rectified = recognize.rectify(image, recognize.find_markers(image))
        assert recognize.register(rectified, blank, page) is None, dpi  # a flat page stays where it is
        rows, cols = _square_px((x, y, w, h), 25.4 * recognize.PX_PER_MM)
        strayed = rectified.copy()  # the square 2 mm off its place, as on a sheet that bows
        shift = round(2 * recognize.PX_PER_MM)
        strayed[rows, cols] = 255
        strayed[rows.start - shift : rows.stop - shift, cols.start - shift : cols.stop - shift] = rectified[rows, cols]
        assert recognize.writing_under_list(strayed, blank, page) == 0.0
        signed = rectified.copy()  # a signature in the bottom-right corner, beside the square: still seen
        scribble = np.array([[168, 272], [175, 264], [179, 271], [184, 265], [189, 270], [196, 266]], np.float32)
        cv2.polylines(signed, [(scribble * recognize.PX_PER_MM).astype(np.int32)], False, 20, 3, cv2.LINE_AA)
        assert recognize.writing_under_list(signed, blank, page) >= recognize.WRITING_MM2


def test_grey_squares_printed_as_dots_are_still_grey(scan_vote):
    """A laser printer prints grey as a screen of black dots; a printer's grey may be lighter or
    darker than asked. Scanned, the dots are averaged over the square's inside: from 35 % to 65 %
    of the paper covered, 85 to 150 lines per inch, the page is read, not refused as filtered."""
    printed = synthetic.render_blank(scan_vote["pdf"], 0, 600)
    squares = scan_vote["geometry"]["grey"]
    for lpi, coverage, dpi in ((85, 0.65, 150), (150, 0.35, 300), (106, 0.5, 200)):
        page = printed.copy()
        synthetic.halftone_grey(page, squares, 600, lpi, coverage)
        scanned = synthetic.degrade(
            cv2.resize(page, None, fx=dpi / 600, fy=dpi / 600, interpolation=cv2.INTER_AREA), random.Random(lpi)
        )
        markers = recognize.find_markers(scanned)
        rectified = recognize.rectify(scanned, markers)
        levels = recognize.grey_levels(rectified, squares, recognize.print_black(rectified, markers))
        assert all(abs(level - (1 - coverage)) < 0.12 for level in levels), (lpi, coverage, dpi, levels)
        assert [row.key(scan_vote["digits"]) for row in read(scan_vote, scanned).rows] == ["0", "0"]


def _marked_44(forty_four, page_number: int, dpi: int, rng: random.Random, **options):
    """A page of the 44-person ballot, marked, not yet scanned (synthetic.synthesize), and its truth."""
    pdf, geometry, digits = forty_four
    blank = synthetic.render_blank(pdf, page_number - 1, dpi)
    return synthetic.synthesize(blank, geometry, page_number, dpi, rng, digits=digits, degraded=False, **options)


def _folded(forty_four, seed: int, page_number: int, dpi: int, *, where=None, crease=None, **options):
    """A scan of a page of the 44-person ballot folded into the box (synthetic.crease), and its
    truth: by default in two across a row of boxes and its name, and for odd seeds in four, down a
    column of boxes too."""
    geometry = forty_four[1]
    rng = random.Random(seed)
    page = geometry["pages"][page_number - 1]
    row, box = rng.choice(page["rows"]), rng.choice(page["boxes"])
    where = where or [("across", row["y"] + row["h"] / 2)] + [("down", box["x"] + box["w"] / 2)] * (seed % 2)
    crease = {"depth": rng.uniform(45, 65), "width": rng.uniform(0.6, 1.4), "crack": 0.4, **(crease or {})}
    image, truth = _marked_44(forty_four, page_number, dpi, rng, **{"style": "cross", **options})
    synthetic.crease(image, "in two", dpi, rng, where=where, **crease)
    return synthetic.degrade(image, rng), truth


def _read_44(forty_four, image, page_number: int):
    """A page of the 44-person ballot read as the scan page reads it: with every page's blank at hand."""
    pdf, geometry, _digits = forty_four
    inks, darkness = _blank_maps(pdf)
    return recognize.read_sheet(
        image,
        key=qr_key(),
        geometry_for=lambda s: geometry,
        blank_for=lambda s: inks[s.page],
        darkness_for=lambda s: darkness[s.page],
    )


@functools.cache
def _blank_maps(pdf: bytes) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """The blank ink and darkness of every page of a four-page ballot, as the scan page keeps them."""
    rendered = {n: synthetic.render_blank(pdf, n - 1, 150) for n in (1, 2, 3, 4)}
    return (
        {n: recognize.blank_ink(image) for n, image in rendered.items()},
        {n: recognize.blank_darkness(image) for n, image in rendered.items()},
    )


def test_a_folded_ballot_is_read_exactly(forty_four, monkeypatch):
    """A ballot folded in two or in four to go into the box keeps its creases: where one
    crosses the inside of a box it reads as faint ink, across a name as a stroke. Lit again along
    them, every row reads exactly, unflagged; read without that, the same scans go to the committee."""
    digits = forty_four[2]
    scans = [(_folded(forty_four, 8500 + seed, 1 + seed % 4, (150, 200)[seed % 2]), 1 + seed % 4) for seed in range(8)]
    lit = []
    for seed, ((image, truth), page_number) in enumerate(scans):
        reading = _read_44(forty_four, image, page_number)
        keys = [r.key(digits) for r in reading.rows]
        assert keys == truth.keys and not reading.needs_review(), (seed, keys, truth.keys)
        lit.append(reading.creases)
    monkeypatch.setattr(recognize, "flatten_creases", lambda *args: None)
    flagged = [_read_44(forty_four, image, page_number).needs_review() for (image, _t), page_number in scans]
    assert sum(flagged) >= 4 and all(n >= 1 for n, doubt in zip(lit, flagged, strict=True) if doubt), (flagged, lit)


def test_a_pencil_mark_on_a_crease_is_never_lost(forty_four):
    """The crease runs through the boxes of a row marked in pencil: the page is lit again by what
    the crease took from the paper beside the boxes, so the mark keeps its own darkness. A row is
    read exactly or sent to the committee, never read wrong, and most creased rows are read."""
    digits = forty_four[2]
    decided = 0
    geometry = forty_four[1]
    for seed in range(6):
        page = geometry["pages"][seed % 2]
        row = random.Random(seed).choice(page["rows"])
        image, truth = _folded(
            forty_four, 8600 + seed, 1 + seed % 2, 200, style="pencil", where=[("across", row["y"] + row["h"] / 2)]
        )
        keys = _read_right_or_flagged(_read_44(forty_four, image, 1 + seed % 2), digits, truth, seed)
        decided += keys[page["rows"].index(row)] is not None
    assert decided >= 4, decided


def test_a_line_drawn_across_the_page_is_no_crease(forty_four):
    """A line as dark as a mark's ink, ruled straight across the whole page through a name, margins
    and all: it is not lit away as a crease, and the name is still flagged as struck through. A
    real crease on the same page is."""
    pdf, geometry, digits = forty_four
    page = geometry["pages"][0]
    for seed, tone in ((8700, 120), (8701, 60)):
        rng = random.Random(seed)
        row = page["rows"][3]
        image, _truth = synthetic.synthesize(
            synthetic.render_blank(pdf, 0, 200), geometry, 1, 200, rng, digits=digits, degraded=False, style="cross"
        )
        y = round((row["name_zone"][1] + row["name_zone"][3] / 2) * 200 / 25.4)
        cv2.line(image, (round(2 * 200 / 25.4), y), (round(208 * 200 / 25.4), y), tone, 3)
        synthetic.crease(image, "in two", 200, rng, depth=55, width=1.0, where=[("across", page["rows"][8]["y"] + 3)])
        reading = _read_44(forty_four, synthetic.degrade(image, rng), 1)
        assert reading.rows[3].name_flag, seed
        assert reading.creases == 1 and not any(r.name_flag for i, r in enumerate(reading.rows) if i != 3), seed


def test_a_smudge_on_a_folded_ballot_still_goes_to_the_committee(forty_four):
    """The crease runs through the smudged row (the first): the smudge is not lit away with it."""
    _pdf, geometry, digits = forty_four
    first = geometry["pages"][0]["rows"][0]
    checked = 0
    for seed in range(8):
        where = [("across", first["y"] + first["h"] / 2)]
        image, truth = _folded(forty_four, 8800 + seed, 1, 150, smudged=True, where=where)
        if not truth.ambiguous:
            continue
        reading = _read_44(forty_four, image, 1)
        keys = _read_right_or_flagged(reading, digits, truth, seed)
        assert keys[truth.ambiguous[0]] is None, seed
        checked += 1
    assert checked >= 4


def _both_sides(forty_four, seed: int, page_number: int, strength: float, *, flip="long", style="cross", dpi=200):
    """A scan of a page of the 44-person ballot printed on both sides of thin paper (the other
    page of its sheet, marked, showing through: synthetic.show_through, up to 2 mm and 0.3° off its
    place as a duplex printer leaves it), the other page's number and this page's truth."""
    rng = random.Random(seed)
    back_number = page_number + 1 if page_number % 2 else page_number - 1
    front, truth = _marked_44(forty_four, page_number, dpi, rng, style=style)
    back, _truth = _marked_44(forty_four, back_number, dpi, rng, style="filled")
    synthetic.show_through(
        front,
        back,
        strength,
        dpi=dpi,
        flip=flip,
        shift=(rng.uniform(-2, 2), rng.uniform(-2, 2)),
        angle=rng.uniform(-0.3, 0.3),
        blur=rng.uniform(0.05, 0.3),
    )
    return synthetic.degrade(front, rng), back_number, truth


def test_the_other_side_showing_through_is_lit_away(forty_four, monkeypatch):
    """Pages printed on both sides of thin paper, the other side showing through at a fifth of its
    darkness: where its names fall on this side's boxes they read as faint ink. The other side is a
    known page of the form: found, placed and lit away, every row reads exactly, unflagged; read
    without that, the same scans go to the committee. A little (5 %) needs nothing: the page is not
    in doubt and nothing is looked for."""
    digits = forty_four[2]
    scans = [
        (_both_sides(forty_four, 8900 + seed, 1 + seed % 4, 0.22, dpi=(200, 150)[seed % 2]), 1 + seed % 4)
        for seed in range(6)
    ]
    for seed, ((image, back_number, truth), page_number) in enumerate(scans):
        reading = _read_44(forty_four, image, page_number)
        keys = [r.key(digits) for r in reading.rows]
        assert keys == truth.keys and not reading.needs_review(), (seed, keys, truth.keys)
        if reading.through is not None:
            assert (reading.through.page, reading.through.flip) == (back_number, "long"), seed
            assert 0.12 <= reading.through.strength <= 0.22, seed  # measured, never more than it is
    image, _back, truth = _both_sides(forty_four, 8950, 2, 0.05)
    reading = _read_44(forty_four, image, 2)
    keys = [r.key(digits) for r in reading.rows]
    assert keys == truth.keys and not reading.needs_review() and reading.through is None
    monkeypatch.setattr(recognize, "find_show_through", lambda *args: None)
    flagged = [_read_44(forty_four, image, page_number).needs_review() for (image, _b, _t), page_number in scans]
    assert sum(flagged) >= 3, flagged


def test_a_pencil_mark_under_the_other_side_is_never_lost(forty_four):
    """Pencil marks, the faintest there are, on pages the other side shows through: lit again by
    what the other side's print took, a mark keeps its own darkness. Every row is read exactly or
    sent to the committee, never read wrong; most pages are read whole."""
    digits = forty_four[2]
    read_whole = 0
    for seed in range(6):
        image, _back, truth = _both_sides(forty_four, 8960 + seed, 1 + seed % 4, 0.2, style="pencil")
        reading = _read_44(forty_four, image, 1 + seed % 4)
        _read_right_or_flagged(reading, digits, truth, seed)
        read_whole += not reading.needs_review()
    assert read_whole >= 4, read_whole


def test_the_other_sides_own_marks_still_go_to_the_committee(forty_four):
    """A sheet turned over along its short edge: the other side's boxes, and the marks in them, fall
    on this side's column of boxes. Its print is lit away; its marks are in no blank and stay, as
    faint ink for the committee, never read as this side's marks."""
    digits = forty_four[2]
    flagged = 0
    for seed in range(4):
        image, back_number, truth = _both_sides(forty_four, 8970 + seed, 1 + seed % 4, 0.3, flip="short")
        reading = _read_44(forty_four, image, 1 + seed % 4)
        _read_right_or_flagged(reading, digits, truth, seed)
        assert reading.through is not None and (reading.through.page, reading.through.flip) == (back_number, "short")
        flagged += reading.needs_review()
    assert flagged >= 2, flagged


def test_a_page_in_doubt_with_nothing_showing_through_is_left_as_it_is(forty_four):
    """A smudge, a crease, a crossed-out name, writing under the list: pages in doubt of a sheet
    printed on one side. Nothing is found showing through, and nothing is lit."""
    pdf, geometry, _digits = forty_four
    inks, darkness = _blank_maps(pdf)
    checked = 0
    for seed, options in enumerate(({"smudged": True}, {"crossed_name": True}, {"written": True}) * 2):
        page_number = 1 + seed % 4
        rng = random.Random(8980 + seed)
        image, _truth = _marked_44(forty_four, page_number, 200, rng, **options)
        if seed % 2:
            synthetic.crease(image, "in four", 200, rng, depth=rng.uniform(30, 70), width=1.0, crack=0.4)
        image = synthetic.degrade(image, rng, photo=seed == 5)
        rectified = recognize.rectify(image, recognize.find_markers(image))
        backs = {n: d for n, d in darkness.items() if n != page_number}
        found = recognize.find_show_through(rectified, inks[page_number], geometry["pages"][page_number - 1], backs)
        assert found is None, (seed, found)
        checked += _read_44(forty_four, image, page_number).needs_review()
    assert checked >= 4, checked


def _cornered(forty_four, seed: int, page_number: int, kind: str, **options):
    """A scan of a page of the 44-person ballot with its corner stapled, unstapled, torn or folded
    over (synthetic.corner), and its truth."""
    rng = random.Random(seed)
    image, truth = _marked_44(forty_four, page_number, 200, rng, style="cross")
    synthetic.corner(image, kind, 200, rng, **options)
    return synthetic.degrade(image, rng), truth


def test_a_stapled_torn_or_dog_eared_corner_is_read_exactly(forty_four):
    """The pages of a ballot of several pages are stapled at the top-left corner. A staple still
    in crosses the corner mark; pulled out, it leaves two holes, or tears the corner off with the
    mark; a small dog-ear hides another corner's mark. Three corner marks place the page: every
    row reads exactly, unflagged."""
    digits = forty_four[2]
    cases = [("staple", {}), ("holes", {}), ("torn", {"size": 15.0}), ("torn", {"size": 25.0})]
    cases += [("dog-ear", {"size": 18.0, "where": where}) for where in ("top left", "bottom right", "bottom left")]
    for seed, (kind, options) in enumerate(cases):
        page_number = 1 + seed % 3
        image, truth = _cornered(forty_four, 9000 + seed, page_number, kind, **options)
        reading = _read_44(forty_four, image, page_number)
        keys = [r.key(digits) for r in reading.rows]
        assert keys == truth.keys and not reading.needs_review(), (kind, options, keys, truth.keys)


def test_a_corner_folded_over_a_box_sends_its_row_to_the_committee(forty_four):
    """A corner folded over far enough hides the last row's last box, and the mark in it if there
    is one: that box's printed frame is not seen, so the row goes to the committee, never read as
    unmarked (or as the row's other mark). Every other row reads exactly or is flagged."""
    digits = forty_four[2]
    for seed in range(3):
        image, truth = _cornered(forty_four, 9100 + seed, 2, "dog-ear", size=85.0, where="bottom right")
        reading = _read_44(forty_four, image, 2)
        keys = _read_right_or_flagged(reading, digits, truth, seed)
        assert keys[-1] is None and reading.needs_review(), (seed, keys, truth.keys)


def test_a_corner_folded_over_the_qr_code_is_refused_with_what_to_do(forty_four):
    """A dog-ear over the QR code: the page cannot say which ballot it is. It is refused as
    ``no_qr``, whose text says to smooth the corner out and scan it again."""
    from django.utils import translation

    from tinnhiem.scanning.models import PAGE_REASONS

    for seed in range(2):
        image, _truth = _cornered(forty_four, 9200 + seed, 1 + seed, "dog-ear", size=80.0, where="top right")
        with pytest.raises(recognize.NotABallot) as refused:
            _read_44(forty_four, image, 1 + seed)
        assert refused.value.reason == "no_qr", (seed, refused.value.reason)
    with translation.override("en"):
        assert "folded over" in str(PAGE_REASONS["no_qr"])
    with translation.override("vi"):
        assert "góc phiếu bị gấp" in str(PAGE_REASONS["no_qr"])
