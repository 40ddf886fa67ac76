"""The geometry of a printed ballot, computed here and only here.

Every position is in millimetres from the top-left corner of the A4 page. The Typst template
places each element exactly where this layout says, and the same layout is exported for the
scanner, so nothing is guessed back from the image. The layout version is a hash of the geometry
and of the list printed on it (each rated person's id, name and post, in order): any change in
either gives a new version, and a scan names the version it was printed with. So a ballot printed
before the list changed is never read as if it showed the list of today (docs/scanning.md).

Fiducials are ArUco markers (DICT_4X4_50, ids 0–3) whose black square is ``MARKER`` mm wide, at the
four corners, clear of the stamp area (đóng dấu treo) at the top left of the header.

Two mid-grey squares (``GREY``, format 3), by the top-left and the bottom-right marks, let the
scanner see that a picture kept its greys: a phone scanner app's black-and-white filter turns them
white or black, and would have turned a light pencil mark the same way (docs/scanning.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

PAGE_W, PAGE_H = 210.0, 297.0
MARKER = 12.0
MARKER_MARGIN = 8.0
MARKERS = {  # id → top-left corner of the black square
    0: (MARKER_MARGIN, MARKER_MARGIN),
    1: (PAGE_W - MARKER_MARGIN - MARKER, MARKER_MARGIN),
    2: (PAGE_W - MARKER_MARGIN - MARKER, PAGE_H - MARKER_MARGIN - MARKER),
    3: (MARKER_MARGIN, PAGE_H - MARKER_MARGIN - MARKER),
}
STAMP_AREA = (22.0, 12.0, 62.0, 40.0)  # x, y, w, h: where the round stamp goes over the body name
QR_SIZE = 24.0
QR_POS = (PAGE_W - MARKER_MARGIN - QR_SIZE, 24.0)
LEFT, RIGHT = 12.0, PAGE_W - 12.0
TABLE_TOP_FIRST, TABLE_TOP_NEXT = 100.0, 54.0  # both below the QR and its quiet zone
TABLE_BOTTOM = 262.0
HEADER_ROW = 10.0
ROW_H = 14.0
BOX_W, BOX_H = 10.0, 8.0
GREY = ((9.0, 24.0, 10.0, 10.0), (191.0, 264.0, 10.0, 10.0))  # x, y, w, h: clear of marks, table and text
GREY_LUMA = 0.5  # how light they are printed: half way from black to the paper
# 2: the printed list is part of the layout (and of its version); 3: the grey squares are printed
LAYOUT_FORMAT = 3


@dataclass(frozen=True)
class Box:
    person: int  # index of the person on the form (0-based)
    level: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Row:
    person: int
    name_zone: tuple[float, float, float, float]  # x, y, w, h of the printed name and post (crossed-out check)
    y: float
    h: float


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    table_top: float
    rows: list[Row] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)


@dataclass(frozen=True)
class Columns:
    no: tuple[float, float]
    name: tuple[float, float]
    post: tuple[float, float]
    levels: list[tuple[str, float, float]]  # key, x, w


@dataclass(frozen=True)
class BallotLayout:
    levels: list[str]
    n_people: int
    columns: Columns
    pages: list[Page]
    markers: dict[int, tuple[float, float]]
    marker_size: float
    qr: tuple[float, float, float]  # x, y, size
    stamp_area: tuple[float, float, float, float]
    page_size: tuple[float, float] = (PAGE_W, PAGE_H)
    format: int = LAYOUT_FORMAT
    printed: list[tuple[int, str, str]] = field(default_factory=list)  # (person id, name, post) per row
    grey: list[tuple[float, float, float, float]] = field(default_factory=list)  # the grey squares (format 3)

    @property
    def person_ids(self) -> list[int]:
        return [person_id for person_id, _name, _post in self.printed]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (lists, not tuples), as stored; a new dict at each call."""
        return json.loads(self._json)

    # A layout is made whole by ``ballot_layout`` and never changed after: its JSON and version
    # are computed once (the scanner asks for them for every file it is sent; ``asdict`` of a
    # 44-person form takes milliseconds).
    @cached_property
    def _json(self) -> str:
        data = asdict(self)
        data["markers"] = {str(k): list(v) for k, v in self.markers.items()}
        if self.format < 3:  # stored without it: an older layout keeps its version
            del data["grey"]
        return json.dumps(data)

    @cached_property
    def version(self) -> str:
        """12 hex digits of SHA-256 over the canonical geometry and printed list: the layout
        version printed in the QR."""
        canonical = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def columns_for(levels: list[str]) -> Columns:
    level_w = 22.0 if len(levels) >= 3 else 30.0
    no_w = 11.0
    text_w = (RIGHT - LEFT) - no_w - level_w * len(levels)
    name_w = round(text_w * 0.52, 2)
    post_w = round(text_w - name_w, 2)
    x = LEFT
    no = (x, no_w)
    x += no_w
    name = (x, name_w)
    x += name_w
    post = (x, post_w)
    x += post_w
    cols = []
    for key in levels:
        cols.append((key, round(x, 2), level_w))
        x += level_w
    return Columns(no=no, name=name, post=post, levels=cols)


def rows_per_page(first: bool) -> int:
    top = TABLE_TOP_FIRST if first else TABLE_TOP_NEXT
    return int((TABLE_BOTTOM - top - HEADER_ROW) // ROW_H)


def ballot_layout(
    n_people: int,
    levels: list[str],
    printed: Sequence[tuple[int, str, str]] = (),
    *,
    layout_format: int = LAYOUT_FORMAT,
) -> BallotLayout:
    """Lay out a form of ``n_people`` rows with one box per level, over as many pages as needed.
    ``printed``: what each row shows, (person id, name, post); empty for geometry alone.
    ``layout_format``: an older format lays out a ballot printed by an earlier tinnhiem again."""
    if n_people < 1:
        raise ValueError("a ballot needs at least one rated person")
    if printed and len(printed) != n_people:
        raise ValueError("one printed person per row")
    columns = columns_for(levels)
    pages: list[Page] = []
    person = 0
    while person < n_people:
        first = not pages
        top = TABLE_TOP_FIRST if first else TABLE_TOP_NEXT
        page = Page(number=len(pages) + 1, table_top=top)
        y = top + HEADER_ROW
        for _ in range(rows_per_page(first)):
            if person >= n_people:
                break
            name_x, name_w = columns.name
            post_w = columns.post[1]
            page.rows.append(
                Row(
                    person=person,
                    name_zone=(name_x, round(y, 2), round(name_w + post_w, 2), ROW_H),
                    y=round(y, 2),
                    h=ROW_H,
                )
            )
            for key, x, w in columns.levels:
                bx = round(x + (w - BOX_W) / 2, 2)
                by = round(y + (ROW_H - BOX_H) / 2, 2)
                page.boxes.append(Box(person=person, level=key, x=bx, y=by, w=BOX_W, h=BOX_H))
            y += ROW_H
            person += 1
        pages.append(page)
    return BallotLayout(
        levels=list(levels),
        n_people=n_people,
        columns=columns,
        pages=pages,
        markers=dict(MARKERS),
        marker_size=MARKER,
        qr=(QR_POS[0], QR_POS[1], QR_SIZE),
        stamp_area=STAMP_AREA,
        format=layout_format,
        printed=[(int(i), str(name), str(post)) for i, name, post in printed],
        grey=list(GREY) if layout_format >= 3 else [],
    )


def layout_from_dict(data: dict[str, Any]) -> BallotLayout | None:
    """The layout a stored geometry was printed with, laid out again; None when this code would
    lay it out differently (format 1, which did not keep the printed list), so that its version
    cannot be reproduced. Format 2 is laid out again without its grey squares."""
    if data.get("format") not in (2, LAYOUT_FORMAT):
        return None
    layout = ballot_layout(
        data["n_people"], data["levels"], [tuple(p) for p in data["printed"]], layout_format=data["format"]
    )
    return layout if layout.as_dict() == data else None


def table_rect(layout: BallotLayout, page: Page) -> tuple[float, float, float, float]:
    right = layout.columns.levels[-1][1] + layout.columns.levels[-1][2]
    return (LEFT, page.table_top, right - LEFT, HEADER_ROW + ROW_H * len(page.rows))


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
