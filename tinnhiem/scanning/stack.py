"""Putting the pages of multi-page ballots together, in the order of the stack (pure, no Django).

Ballots carry no number shared by their pages (a number would set one voter's ballot apart from
the others), so a ballot is its pages *as they follow each other through the scanner*: 1, 2, …, n,
or n, …, 2, 1 when the committee says the stack was fed last page first (face down, or turned
over before the scanner). A run of pages is a ballot once it holds every page in that order; a
page that does not continue the run sets the run aside (a page is missing: the committee scans
that ballot again), and a page that cannot begin a ballot is set aside alone.

The order is the committee's to say, not guessed: for a two-page ballot both orders look alike in
the middle of a stack (…1, 2, 1, 2…), so a stack read in the wrong order would join each ballot's
first page to the next ballot's second page. Only where a stack begins can the order be seen:
``wrong_order`` finds a stack beginning with the last page then the one before it (or 1 then 2
when the committee said last page first), and the scan of those files is refused, whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Step(Generic[T]):
    aside: list[T] = field(default_factory=list)  # pages set aside as incomplete
    ballot: list[T] | None = None  # a whole ballot, in page order


class Assembler(Generic[T]):
    """Feed pages one by one, in stack order: ``add`` says what becomes of them.

    ``last(version)`` is the number of pages of a ballot of that layout version. ``waiting``: pages
    of the run begun in an earlier file (their order is the one they began with)."""

    def __init__(
        self,
        last: Callable[[str], int],
        *,
        last_page_first: bool = False,
        waiting: Iterable[tuple[str, int, T]] = (),
    ) -> None:
        self.last = last
        self.last_page_first = last_page_first
        self.run: list[tuple[str, int, T]] = list(waiting)

    def _follows(self, version: str, number: int) -> bool:
        first_version, first, _item = self.run[0]
        step = 1 if first == 1 else -1  # a run begins with page 1, or with the last page
        return version == first_version and number == self.run[-1][1] + step

    def add(self, version: str, number: int, item: T) -> Step[T]:
        step: Step[T] = Step()
        if self.run and not self._follows(version, number):
            step.aside, self.run = [i for *_vn, i in self.run], []
        last = self.last(version)
        if not self.run and number != (last if self.last_page_first else 1):
            step.aside.append(item)  # a page that cannot begin a ballot
            return step
        self.run.append((version, number, item))
        if len(self.run) == last:
            step.ballot = [i for _v, _n, i in sorted(self.run, key=lambda page: page[1])]
            self.run = []
        return step

    @property
    def waiting(self) -> list[T]:
        return [i for *_vn, i in self.run]


def wrong_order(first: int, second: int, last: int, *, last_page_first: bool) -> bool:
    """Whether the first two pages of a stack (of one layout, nothing waiting before them) show
    the other order: the last page then the one before it, or page 1 then page 2."""
    if last < 2:
        return False
    if last_page_first:
        return (first, second) == (1, 2)
    return (first, second) == (last, last - 1)


_NUMBER = re.compile(r"(\d+)")


def file_order(name: str) -> tuple:
    """The place of a scanner's file in the stack, from its name: numbers compared as numbers
    ("Scan 2.jpg" before "Scan 10.jpg", as many scanners and phones do not pad them), letters
    case-folded. Used for a folder (the command) and for the files chosen on the page, whose order
    the browser does not keep (a file dialog may give the last file clicked first)."""
    parts = _NUMBER.split(name.casefold())  # text, number, text, …: numbers at the odd places
    return tuple(int(part) if n % 2 else part for n, part in enumerate(parts)), name
