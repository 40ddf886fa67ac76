"""How the machine and the committee shared the reading of a scanned stack: what was sent to the
committee and why, and how the committee ruled. Field data for the scanner's thresholds and for the
review rate (docs/benchmarks.md): a smudge rate cannot be measured on synthetic scans.

Counts only, over the whole stack: nothing here tells one ballot from another, and the ballots are
anonymous in the first place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinnhiem.conferences.models import BallotForm
from tinnhiem.rules import format_percent
from tinnhiem.voting.models import NO_MARK, SEVERAL_MARKS, Ruling

from .models import FLAG_TEXTS, INK_OUTSIDE_BOXES, ScannedPage
from .usecases import counted_ballots

# the causes in the order the page lists them: the doubts about a row, the printed names, then
# writing under the list (of a page, counted as one "row" per page)
ROW_CAUSES = ("no_pen_ink", "faint", "unequal", "washed_out", "not_flat", "covered", "uncertain")
CAUSES = (*ROW_CAUSES, *INK_OUTSIDE_BOXES)
RULED = ("one", "several", "none", "whole", "kept", "waiting")


@dataclass
class Cause:
    key: str
    rows: int = 0  # rows flagged for this cause (a printed name: the names with ink)
    ballots: int = 0  # ballots with at least one such row
    # how the committee ruled those rows: one mark, several marks (the row void), no mark, the
    # whole ballot invalid; for a name or writing: the ballot kept (not crossed out, not void); or
    # not ruled yet
    ruled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULED, 0))

    @property
    def text(self) -> str:
        return str(FLAG_TEXTS[self.key])


@dataclass
class ReviewStatistics:
    ballots: int  # read by the machine (not withdrawn, not read on paper)
    pages: int  # their pages
    sent: int  # of them, sent to the committee
    by_hand: int  # read on paper by the committee: the scanner could not read them
    spot_checked: int  # opened at random and compared with the paper
    # the committee's reading differs from the machine's on a row the machine had decided (a
    # flagged row is not counted: the machine left it open): each is a misread the machine did not flag
    overruled_rows: int
    overruled_ballots: int
    causes: list[Cause]
    # their pages laid on their blank before they were read (recognize.register): sheets that did not
    # lie flat, or corner marks found a little off
    laid_on_blank: int = 0
    # their pages lit again along the creases of a fold before they were read (recognize.flatten_creases)
    creased: int = 0
    # their pages lit again where the other side of the sheet showed through (recognize.find_show_through)
    shown_through: int = 0

    @property
    def sent_percent(self) -> str:
        return format_percent(self.sent, self.ballots) if self.ballots else ""

    def as_dict(self) -> dict:
        return {
            "ballots": self.ballots,
            "pages": self.pages,
            "sent_to_committee": self.sent,
            "by_hand": self.by_hand,
            "spot_checked": self.spot_checked,
            "overruled_rows": self.overruled_rows,
            "overruled_ballots": self.overruled_ballots,
            "laid_on_blank": self.laid_on_blank,
            "creased": self.creased,
            "shown_through": self.shown_through,
            "causes": {c.key: {"rows": c.rows, "ballots": c.ballots, "ruled": c.ruled} for c in self.causes},
        }


def _row_ruling(ballot, row: int) -> str:
    if ballot.needs_review:
        return "waiting"
    if ballot.invalid_reason:
        return "whole"
    key = ballot.keys[row] if row < len(ballot.keys) else NO_MARK
    return {NO_MARK: "none", SEVERAL_MARKS: "several"}.get(key, "one")


def review_statistics(form: BallotForm) -> ReviewStatistics:
    ballots = list(counted_ballots(form).filter(by_hand=False))
    causes = {key: Cause(key) for key in CAUSES}
    ruled_positions = set(
        Ruling.objects.filter(form=form, position__in=[b.position for b in ballots]).values_list("position", flat=True)
    )
    sent = spot_checked = overruled_rows = overruled_ballots = 0
    for ballot in ballots:
        if ballot.flags:
            sent += 1
        elif ballot.position in ruled_positions:
            spot_checked += 1
        seen = set()
        for flag in ballot.flags:
            if flag.get("why") in INK_OUTSIDE_BOXES:
                cause = causes[flag["why"]]
                ruling = "waiting" if ballot.needs_review else "whole" if ballot.invalid_reason else "kept"
            else:
                cause = causes[flag.get("doubt") if flag.get("doubt") in ROW_CAUSES else "uncertain"]
                ruling = _row_ruling(ballot, flag["person"])
            cause.rows += 1
            cause.ruled[ruling] += 1
            if cause.key not in seen:
                seen.add(cause.key)
                cause.ballots += 1
        if not ballot.needs_review and ballot.keys:  # a whole ballot ruled invalid has no rows to compare
            changed = sum(
                1
                for machine, final in zip(ballot.machine_keys, ballot.keys, strict=False)
                if machine != "?" and machine != final
            )
            overruled_rows += changed
            overruled_ballots += changed > 0
    read = {page for ballot in ballots for page in ballot.pages}
    laid = ScannedPage.objects.filter(form=form, reading__registered__gt=0).values_list("pk", flat=True)
    creased = ScannedPage.objects.filter(form=form, reading__creases__gt=0).values_list("pk", flat=True)
    through = ScannedPage.objects.filter(form=form, reading__through__page__gt=0).values_list("pk", flat=True)
    return ReviewStatistics(
        laid_on_blank=len(read & {str(pk) for pk in laid}),
        creased=len(read & {str(pk) for pk in creased}),
        shown_through=len(read & {str(pk) for pk in through}),
        ballots=len(ballots),
        pages=sum(len(b.pages) for b in ballots),
        sent=sent,
        by_hand=counted_ballots(form).filter(by_hand=True).count(),
        spot_checked=spot_checked,
        overruled_rows=overruled_rows,
        overruled_ballots=overruled_ballots,
        causes=[causes[key] for key in CAUSES],
    )
