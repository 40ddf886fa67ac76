"""A scanned count as a state machine (hypothesis): the committee feeds a stack of two-page
ballots through the scanner in any way a hall does, and presses any button of the scan page in any
order. Six real ballots (the six collected), each scanned as the documents issue prints it, each
with its truth: four read by the machine, one with a smudge and one with a crossed-out name that it
must send to the committee. A feed is one to three of them, face up or face down (last page first),
with the box "last page first" ticked or not, as files in one call, as a PDF, or one page per call
(photos sent one by one); a page may be lost, a blank back side or a page that is not a ballot may
come between, and a sheet may go through twice (a jam: a new image of the same paper). A second
member of the committee may scan a stack of their own at the same time, or take over the first
stack with a ballot half scanned. Every request is sent a second time with the same one-time id,
as the scan page does when the hall's Wi-Fi loses its answer: nothing may change. The committee
reviews, withdraws a sheet counted twice, reads a ballot on paper, and finalises.

The committee heeds what the page says: after "the stack seems to have been fed the other way",
or "a ballot begun the other way waits", it does what the message asks before anything else. The
four limits written in docs/scanning.md, where nothing on the pages can tell, are left out where
they would arise: sheets turned while a ballot waits without the box changed, the box wrong and a
page lost in the same handful, the first page of a handful lost while a ballot waits, and files
sent again unchanged after a question.

After every step:

- every ballot counted is the two pages of one sheet, page 1 then page 2: never a voter's page
  joined to another's (a ballot no one cast);
- pages waiting for the rest of their ballot are of one sheet, and no image is counted twice;
- a ballot the machine decided without a flag reads exactly as the paper says (0 silent misreads);
  a ballot ruled by the committee reads as it ruled;
- the scan page's list of problems is empty exactly when the ballots counted equal the ballots
  collected, none waits for the committee and no page for its ballot;
- a finalised count with each sheet once is the counting core's result on the paper's truth.

At the end of each run the count must still be finishable by what the page offers, and then its
result is the truth."""

from __future__ import annotations

import hashlib
import os
import secrets

import cv2
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tinnhiem.conferences.models import BallotForm
from tinnhiem.rules import tally_ballots
from tinnhiem.scanning import recognize, synthetic
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import ScannedBallot, ScannedPage
from tinnhiem.voting.usecases import counting

CROSSED = "Phiếu gạch xoá họ tên người được in trên phiếu"
DPI = 150
SHEETS = 6  # the ballots collected (tests/scanning/conftest.py)
OPTIONS = [  # per sheet and page: how the voter marked it
    ({"style": "cross"}, {"style": "cross"}),
    ({"style": "check"}, {"style": "check", "upside_down": True}),
    ({"style": "filled"}, {"style": "circle"}),
    ({"style": "outside"}, {"style": "cross"}),
    ({"style": "cross", "smudged": True}, {"style": "cross"}),  # the committee must look
    ({"style": "check"}, {"style": "check", "crossed_name": True}),  # a name crossed out: invalid
]


_ENCODED: dict = {}  # emptied at the end of the test


def _encoded(image: np.ndarray, ext: str) -> bytes:
    """The file of an image, encoded once: the same image gives the same file, as a scanner's does."""
    key = (id(image), ext)
    if key not in _ENCODED:
        _ENCODED[key] = (image, _encode(image, ext))  # the image is kept, so that its id is not reused
    return _ENCODED[key][1]


def _encode(image: np.ndarray, ext: str) -> bytes:
    ok, data = cv2.imencode(ext, image, [cv2.IMWRITE_JPEG_QUALITY, 92] if ext == ".jpg" else [])
    assert ok
    return data.tobytes()


# The runs are drawn from a seed, not from this class's source (hypothesis's default with
# derandomize), so that rewording a line here does not change which runs are made; another seed
# (TINNHIEM_SCAN_SEED) and more runs (TINNHIEM_SCAN_EXAMPLES) explore further. With 15 runs, seeds
# 1–3 reach every case listed at the end of the test; the first 4 (on PostgreSQL) do not.
@seed(int(os.environ.get("TINNHIEM_SCAN_SEED", "1")))
class ScannedCount(RuleBasedStateMachine):
    vote: dict = {}
    images: dict = {}  # (sheet, page) -> image
    truth: dict = {}  # sheet -> the committee's reading of the paper: (keys, invalid reason)
    reached: dict = {}

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()  # each run begins from the same closed vote
        self.form = self.vote["form"]
        self.member = self.vote["member"]
        self.origin: dict[str, tuple[int, int]] = {}  # stored page id -> (sheet, page) of the paper
        self.by_hand: dict[int, int] = {}  # position of a ballot read on paper -> its sheet
        self.question = None  # a question about the order: (pages waiting, sheets asked about)
        self.declared = False  # the box "last page first", as the committee last ticked it
        self.lying = False  # the way the sheets in the scanner lie: last page first or not
        self.rescans = 0

    # --- helpers -------------------------------------------------------------------------------

    def current(self) -> BallotForm:
        return BallotForm.objects.get(pk=self.form.pk)

    def send(
        self, files: list[tuple[str, bytes, list]], last_page_first: bool, *, member=None, take_over=False
    ) -> list:
        """Send files in one call (as the member scanning the stack, or ``member``); remember which
        paper each stored page is (pages are stored in the order of the files and of their pages)."""
        before = self.current().scanned_pages.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        aside = scan._aside_at_start(self.current())  # a page set aside just before: asked about with these
        waiting = self.waiting()
        call = {
            "actor": member or self.member,
            "form": self.form,
            "files": [(name, data) for name, data, _paper in files],
            "last_page_first": last_page_first,
            "take_over": take_over,
            "submission": secrets.token_hex(16),  # the page's one-time id for this request
        }
        try:
            results = scan.scan_files(**call)
        except ValidationError:
            assert self.current().state == BallotForm.State.FINALISED
            return []
        self.sent_again(call, results)
        stored = list(self.current().scanned_pages.filter(sequence__gt=before).order_by("sequence"))
        papers = [
            paper
            for (_name, _data, pages), result in zip(files, results, strict=True)
            if not isinstance(result, ValidationError)
            for paper in pages
        ]
        assert len(stored) == len(papers), (results, len(stored), papers)
        for page, paper in zip(stored, papers, strict=True):
            if paper is not None:
                self.origin[str(page.pk)] = paper
        for result in results:
            assert isinstance(result, scan.ScanReport | ValidationError), result
        if results and isinstance(results[0], scan.OtherStackError):
            assert not stored and all(isinstance(r, scan.StackOrderError) for r in results)  # refused whole
            return results
        if any(isinstance(result, scan.StackOrderError) for result in results):
            assert not stored  # refused whole
            sheets = [self.origin[str(aside.pk)][0]] if aside and not waiting else []
            for _name, _data, pages in files:
                for paper in pages:
                    if paper is not None and paper[0] not in sheets:
                        sheets.append(paper[0])
            self.question = (waiting, sheets)
            self.seen("asked about the order")
        return results

    def sent_again(self, call: dict, results: list) -> None:
        """The hall's Wi-Fi dropped the answer, recorded or refused: the page sends the request
        again, with the same one-time id. Nothing changes: each file recorded the first time is
        known (``already``), and a request refused the first time is refused again with the same
        words; a page set aside before it is asked about again, as that question never reached the
        committee. (Every request is sent twice so, which leaves the runs' draws as they were.)"""
        left = self.snapshot()
        again = scan.scan_files(**call)
        assert self.snapshot() == left, "a request sent again changed the count"
        assert len(again) == len(results)
        for first, second in zip(results, again, strict=True):
            if isinstance(first, scan.ScanReport):
                assert isinstance(second, scan.ScanReport) and second.already, (first, second)
            else:
                assert type(second) is type(first) and second.messages == first.messages, (first, second)
        refused = any(isinstance(r, scan.StackOrderError) for r in results)
        if results and getattr(results[0], "aside", None) is not None:
            self.seen("an answer lost, refused with the page set aside before it")
        self.seen(
            "an answer lost, a refused request sent again" if refused else "an answer lost, the request sent again"
        )

    def snapshot(self) -> tuple:
        """What a request may change: the pages stored and what became of them, the ballots."""
        form = self.current()
        pages = form.scanned_pages.order_by("sequence").values_list("pk", "status", "reason", "reading")
        ballots = form.scanned_ballots.order_by("position").values_list("pk", "keys", "needs_review", "withdrawn")
        return list(pages), list(ballots), form.state

    def waiting(self) -> list[tuple[int, int]]:
        """The sheet and page of each page waiting for the rest of its ballot, in stack order."""
        pages = self.current().scanned_pages.filter(status=ScannedPage.Status.PENDING).order_by("sequence")
        return [self.origin[str(page.pk)] for page in pages]

    def stack(self) -> list:
        """The pages scanned, for a failure's message: sequence, status, page number, paper."""
        pages = self.current().scanned_pages.filter(page_number__isnull=False)
        return [(p.sequence, p.status, p.reason, p.page_number, self.origin.get(str(p.pk))) for p in pages]

    def attempt(self, action, *args, **kwargs):
        """A use case as the page calls it: done, or refused with the message the page shows."""
        try:
            return action(*args, **kwargs)
        except ValidationError:
            return None

    def seen(self, what: str) -> None:
        ScannedCount.reached[what] = ScannedCount.reached.get(what, 0) + 1

    def sheet_of(self, ballot: ScannedBallot) -> int:
        if ballot.by_hand:
            return self.by_hand[ballot.position]
        sheets = {self.origin[page][0] for page in ballot.pages}
        assert len(sheets) == 1, f"ballot {ballot.position} joins the pages of sheets {sheets}: {self.stack()}"
        return sheets.pop()

    def counted(self) -> list[ScannedBallot]:
        return list(scan.counted_ballots(self.current()).order_by("position"))

    def pages_of(self, sheet: int, lying: bool, encoding: str) -> list[tuple[str, bytes, list]]:
        """The files of a sheet's pages as the scanner gives them. ``first``: the files of its first
        scan (sent again, they are the same files); ``again``: a second scan, new images of the same
        paper; ``new``: a scan never made before (what the committee makes when a message asks)."""
        ext = ".png" if encoding == "first" else ".jpg"
        numbers = (2, 1) if lying else (1, 2)
        return [
            (f"s{sheet}p{n}{ext}", self.file_of(self.images[sheet, n], ext, encoding), [(sheet, n)]) for n in numbers
        ]

    def file_of(self, image: np.ndarray, ext: str, encoding: str) -> bytes:
        if encoding != "new":
            return _encoded(image, ext)
        self.rescans += 1  # a new scan differs from every other: here, in a corner pixel of the margin
        image = image.copy()
        image[0, 0], image[0, 1] = self.rescans % 256, self.rescans // 256
        return _encode(image, ext)

    # --- the committee -------------------------------------------------------------------------

    @precondition(lambda self: self.question is None)
    @rule(
        sheets=st.lists(st.integers(0, SHEETS - 1), min_size=1, max_size=3),
        turned=st.booleans(),
        ticked_wrong=st.booleans(),
        packaging=st.sampled_from(["files", "pdf", "one per call"]),
        encoding=st.sampled_from(["first", "again"]),
        lost=st.one_of(st.none(), st.integers(0, 5)),
        extra=st.sampled_from([None, "blank", "not a ballot"]),
    )
    def feed(self, sheets, turned, ticked_wrong, packaging, encoding, lost, extra):
        waiting = bool(self.waiting())
        if waiting and turned != self.lying:
            ticked_wrong = False  # turned while a ballot waits, and not said: nothing can tell (a limit)
        if ticked_wrong:
            lost = None  # the box wrong and a page lost at once can look like a right stack (a limit)
        if waiting and lost is not None and lost % (2 * len(sheets)) == 0:
            lost = None  # the first page lost while a ballot waits: it looks like that ballot's rest (a limit)
        self.seen(("the box wrong" if ticked_wrong else "the box right") + (", a ballot waiting" if waiting else ""))
        if waiting and turned != self.lying:
            self.seen("turned and said so, a ballot waiting")  # refused since 22cec86
        self.lying = turned
        self.declared = self.lying != ticked_wrong
        files = [file for sheet in sheets for file in self.pages_of(sheet, self.lying, encoding)]
        if lost is not None:
            del files[lost % len(files)]
            self.seen("a page lost")
        if extra:
            image = self.images[extra]
            files.insert(len(files) // 2, (f"{extra}.png", _encoded(image, ".png"), [None]))
        if packaging == "pdf":
            pages = [cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE) for _n, data, _p in files]
            papers = [paper for *_nd, p in files for paper in p]
            self.send([("xap.pdf", synthetic.scanner_pdf(pages, dpi=DPI), papers)], self.declared)
        elif packaging == "one per call":
            for file in files:
                if self.question is None:
                    self.send([file], self.declared)
        else:
            self.send(files, self.declared)

    @initialize(cut=st.booleans())
    def the_first_handful(self, cut):
        """Three sheets face up; ``cut``: the handful ends in the middle of a ballot."""
        self.go_on_with_the_stack(3, "files", cut, False)

    @precondition(lambda self: self.question is None)
    @rule(
        n=st.integers(1, 3),
        packaging=st.sampled_from(["files", "one per call"]),
        cut=st.booleans(),
        turn=st.booleans(),
    )
    def go_on_with_the_stack(self, n, packaging, cut, turn):
        """The next sheets not yet counted, with the box as they lie: the usual work between the
        odd presses of the other rules, so that the runs get to the end. ``cut``: the handful ends
        in the middle of a ballot, whose other page comes with the next one; ``turn``: this handful
        lies the other way from the last, and the committee says so."""
        counted = {self.sheet_of(b) for b in self.counted()}
        sheets = [sheet for sheet in range(SHEETS) if sheet not in counted][:n] or [0]
        if turn:  # a handful turned over comes last sheet first
            sheets.reverse()
        self.feed(sheets, self.lying != turn, False, packaging, "first", -1 if cut else None, None)

    @precondition(lambda self: self.question is not None)
    @rule(rest=st.booleans())
    def answer_the_question(self, rest):
        """What the message asks. A ballot waits for its other pages, begun in the other order:
        scan the rest of it the way it began, or read it on paper as the ballot whose first pages
        wait. Then the box as the stack lies, and the ballots asked about scanned again whole,
        beginning with the one whose page was set aside (if the stack lay the right way, that
        ballot lacked a page: this is the committee scanning it again whole)."""
        (waiting, sheets), self.question = self.question, None
        if waiting:
            sheet, first_page = waiting[0]
            began_last_first = first_page != 1
            if rest:
                rest_of_it = [f for f in self.pages_of(sheet, began_last_first, "new") if f[2][0][1] != first_page]
                self.send(rest_of_it, began_last_first)
            if self.waiting():
                self.read_on_paper(sheet, instead_of_waiting=True)
            assert not self.waiting()
        for again in (False, True):
            self.declared = self.lying
            files = [file for sheet in sheets for file in self.pages_of(sheet, self.lying, "new")]
            results = self.send(files, self.declared)
            if not any(isinstance(r, scan.StackOrderError) for r in results):
                return
            # after a question about the batch, the page set aside before it may be asked about, once
            assert not again and "để riêng" in results[0].messages[0], results
            (_waiting, sheets), self.question = self.question, None

    @precondition(lambda self: self.question is None)
    @rule(sheet=st.integers(0, SHEETS - 1), take_over=st.booleans())
    def a_second_scanner(self, sheet, take_over):
        """Another member of the committee scans at the same time, with a stack of their own: a
        sheet, both pages, face up, in one call. While a ballot of the first stack waits for its
        other page, their files are refused and nothing of them is stored. ``take_over``: instead,
        the first stack is handed over to them with that ballot half scanned, and they scan its
        other page, saying that it continues that stack."""
        other = self.vote["members"][1]
        waiting = self.waiting()
        if waiting and take_over:
            sheet, first_page = waiting[0]
            began_last_first = first_page != 1
            rest = [f for f in self.pages_of(sheet, began_last_first, "new") if f[2][0][1] != first_page]
            self.send(rest, began_last_first, member=other, take_over=True)
            assert not self.waiting(), self.stack()
            self.seen("handed over with a ballot waiting")
        elif waiting:
            results = self.send(self.pages_of(sheet, False, "new"), False, member=other)
            assert results and isinstance(results[0], scan.OtherStackError), results
            assert self.waiting() == waiting
            self.seen("another member's stack refused")
        else:
            self.send(self.pages_of(sheet, False, "new"), False, member=other)
            self.seen("a second scanner")

    @rule(
        what=st.sampled_from(["review", "spot check", "withdraw", "read on paper"]),
        k=st.integers(0, 20),
        sheet=st.integers(0, SHEETS - 1),
    )
    def committee(self, what, k, sheet):
        """A ruling of the committee: a ballot reviewed, or opened at random and compared with
        the paper; the second scan of a sheet withdrawn; a ballot read on paper."""
        if what in ("review", "spot check"):
            self.review(k, what == "spot check")
        elif what == "withdraw":
            self.withdraw_a_sheet_counted_twice()
        else:
            self.read_on_paper(sheet)

    def review(self, k, spot_check):
        ballots = [b for b in self.counted() if b.needs_review or spot_check]
        if ballots:
            ballot = ballots[k % len(ballots)]
            keys, invalid = self.truth[self.sheet_of(ballot)]
            self.attempt(
                scan.review_ballot,
                self.member,
                ballot,
                keys=keys,
                invalid_reason=invalid,
                reason="Đối chiếu phiếu giấy",
            )

    def withdraw_a_sheet_counted_twice(self):
        seen = set()
        for ballot in self.counted():
            sheet = self.sheet_of(ballot)
            if sheet in seen:
                if self.attempt(scan.withdraw_ballot, self.member, ballot, reason="Cùng tờ, đưa lại sau khi kẹt giấy"):
                    self.seen("withdrawn")
                return
            seen.add(sheet)

    def read_on_paper(self, sheet, instead_of_waiting=None):
        """A ballot the scanner cannot read; if its first page waits, it is that ballot."""
        waiting = self.waiting()
        if instead_of_waiting is None:
            instead_of_waiting = bool(waiting) and waiting[0][0] == sheet
        keys, invalid = self.truth[sheet]
        ballot = self.attempt(
            scan.add_ballot_by_hand,
            self.member,
            self.form,
            keys=keys,
            invalid_reason=invalid,
            reason="Phiếu rách",
            instead_of_waiting=instead_of_waiting,
        )
        if ballot:
            self.by_hand[ballot.position] = sheet
            self.seen("read on paper")

    @rule(correct=st.booleans())
    def finalise(self, correct):
        """Finalise; or, once finalised, find that the stack was not counted as it should be (a
        sheet twice and one missing, say): the head reopens the count, with a reason."""
        if correct:
            self.correct_after_finalising()
        elif not self.attempt(counting.finalise_form, self.member, self.form):
            assert scan.scan_problems(self.form) or self.current().state == BallotForm.State.FINALISED

    def correct_after_finalising(self):
        if self.attempt(counting.reopen_form, self.member, self.form, reason="Một tờ phiếu bị tính hai lần"):
            self.seen("reopened")

    # --- what must hold ------------------------------------------------------------------------

    @invariant()
    def every_ballot_is_one_sheet_and_reads_as_the_paper_or_the_ruling(self):
        for ballot in self.counted():
            sheet = self.sheet_of(ballot)
            if not ballot.by_hand:
                numbers = [self.origin[page][1] for page in ballot.pages]
                assert numbers == [1, 2], numbers
            if not ballot.needs_review:
                assert (ballot.keys, ballot.invalid_reason) == self.truth[sheet], (ballot.position, sheet)

    @invariant()
    def waiting_pages_are_of_one_sheet_and_no_image_counts_twice(self):
        form = self.current()
        waiting = {sheet for sheet, _page in self.waiting()}
        assert len(waiting) <= 1, waiting
        shas = list(form.scanned_pages.filter(status__in=("ballot", "pending")).values_list("sha256", flat=True))
        assert len(shas) == len(set(shas))

    @invariant()
    def problems_are_listed_exactly_when_the_count_does_not_reconcile(self):
        form = self.current()
        if form.state == BallotForm.State.FINALISED:
            return
        counted = self.counted()
        reconciles = len(counted) == form.collected and not any(b.needs_review for b in counted) and not self.waiting()
        assert (scan.scan_problems(form) == []) == reconciles

    @invariant()
    def a_finalised_count_of_each_sheet_once_is_the_truth(self):
        form = self.current()
        if form.state != BallotForm.State.FINALISED:
            return
        sheets = sorted(self.sheet_of(b) for b in self.counted())
        self.seen("finalised")
        if sheets == list(range(SHEETS)):
            self.seen("finalised, each sheet once")
            self.assert_the_truth(form)

    def assert_the_truth(self, form):
        rules = form.conference.rules
        expected = tally_ballots(
            rules,
            [p.full_name for p in self.vote["people"]],
            [counting.to_ballot(rules, *self.truth[s]) for s in range(SHEETS)],
            issued=10,
        )
        stored = form.results.get(superseded=False)
        assert [p["counts"] for p in stored.data["people"]] == [
            {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
        ]

    # --- the end of the day ----------------------------------------------------------------------

    def teardown(self):
        try:
            if self.current().state == BallotForm.State.FINALISED:
                if sorted(self.sheet_of(b) for b in self.counted()) == list(range(SHEETS)):
                    return
                self.correct_after_finalising()  # finalised with a sheet twice: found, and corrected
            self.finish()
            self.assert_the_truth(self.current())
        finally:
            transaction.savepoint_rollback(self.savepoint)

    def finish(self):
        """What the page asks, until the count reconciles: answer the question; read on paper the
        ballot whose pages wait; withdraw the second scan of a sheet; scan every sheet not counted
        again, face up; review; finalise."""
        if self.question is not None:
            self.answer_the_question(rest=False)
        if self.waiting():
            self.read_on_paper(self.waiting()[0][0], instead_of_waiting=True)
        assert not self.waiting()
        for _ in range(SHEETS * 3):
            self.withdraw_a_sheet_counted_twice()
        for sheet in range(SHEETS):
            if sheet in {self.sheet_of(b) for b in self.counted()}:
                continue
            self.lying = self.declared = False
            for _twice in range(2):  # asked once about a page set aside, then counted
                results = self.send(self.pages_of(sheet, False, "new"), False)
                self.question = None
                if not any(isinstance(r, scan.StackOrderError) for r in results):
                    break
            assert sheet in {self.sheet_of(b) for b in self.counted()}, (sheet, results)
        for ballot in self.counted():
            if ballot.needs_review:
                self.review(0, False)
        assert scan.scan_problems(self.form) == [], scan.scan_problems(self.form)
        counting.finalise_form(self.member, self.form)
        self.seen("finished at the end")


@pytest.mark.heavy
def test_any_way_of_feeding_and_ruling_keeps_the_scanned_count_true(long_vote, make_long_scan, monkeypatch):
    # The same few images go through the scanner again and again: each file is decoded once and
    # each image recognised once (the reading is a function of the pixels;
    # tests/scanning/test_recognition.py and test_scan_flow.py test them), so that the runs can be
    # many. Everything after the reading runs as it does in a hall.
    real, readings = recognize.read_sheet, {}

    def read_once(image, **options):
        key = hashlib.sha256(image.tobytes()).digest() + repr(image.shape).encode()
        if key not in readings:
            try:
                readings[key] = real(image, **options)
            except recognize.NotABallot as exc:
                readings[key] = exc
        if isinstance(readings[key], recognize.NotABallot):
            raise recognize.NotABallot(readings[key].reason, readings[key].detail)
        return readings[key]

    monkeypatch.setattr(recognize, "read_sheet", read_once)
    real_decode, decoded = scan._decode, {}

    def decode_once(source, name):
        if source.image is not None:
            return source.image
        key = hashlib.sha256(source.kept).digest()  # the file as stored, its metadata removed
        if key not in decoded:
            decoded[key] = real_decode(source, name)
        return decoded[key]

    monkeypatch.setattr(scan, "_decode", decode_once)
    images, truth = {}, {}
    for sheet, options in enumerate(OPTIONS):
        keys, crossed = "", False
        for page, option in enumerate(options, start=1):
            _data, page_truth, image = make_long_scan(7100 + sheet * 10 + page, dpi=DPI, page=page, **option)
            images[sheet, page] = image
            keys += "".join(page_truth.keys)
            crossed = crossed or page_truth.crossed_name
        truth[sheet] = ("", CROSSED) if crossed else (keys, "")
    images["blank"] = np.full_like(images[0, 1], 250)
    images["not a ballot"] = np.random.default_rng(7).integers(0, 255, images[0, 1].shape, dtype=np.uint8)
    ScannedCount.vote, ScannedCount.images, ScannedCount.truth = long_vote, images, truth
    ScannedCount.reached = {}
    examples = int(os.environ.get("TINNHIEM_SCAN_EXAMPLES", "15"))
    try:
        run_state_machine_as_test(
            ScannedCount,
            settings=settings(
                max_examples=examples,
                stateful_step_count=20,
                derandomize=True,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            ),
        )
    finally:
        _ENCODED.clear()
    reached = ScannedCount.reached
    assert reached.get("finished at the end"), reached
    if examples < 15:  # the first runs only (on PostgreSQL, scripts/test): the invariants held in them
        return
    # the runs went through what they are for (on the code before 22cec86, they fail)
    for what in (
        "asked about the order",
        "a ballot waiting",
        "turned and said so, a ballot waiting",
        "withdrawn",
        "read on paper",
        "a page lost",
        "another member's stack refused",
        "handed over with a ballot waiting",
        "an answer lost, the request sent again",
        "an answer lost, a refused request sent again",
        "an answer lost, refused with the page set aside before it",
    ):
        assert any(what in key for key in reached), (what, reached)


pytestmark = pytest.mark.django_db
