"""A closed paper vote counted by scanning, with its printed ballot and a synthetic-scan maker."""

from __future__ import annotations

import random

import cv2
import pytest

from tests.voting.conftest import ROLES, build
from tinnhiem.conferences.usecases import day, rated
from tinnhiem.documents import ballots
from tinnhiem.scanning import synthetic
from tinnhiem.voting import codes
from tinnhiem.voting.usecases import counting, evote


def _scan_vote(office, make_user, conference, tag: str = "s", more_people: int = 0, after_printing=None, phones=()):
    """``after_printing(people)``: the ballots are printed while the conference is still being
    prepared, and then the list of rated persons is changed; the scans are of that printing.
    ``phones``: ballots cast with code cards on the same form, each its keys ("13": the first person
    the level of digit 1, the second of digit 3); the paper ballots issued and collected are as many
    fewer."""
    chair = make_user("chair", f"chair-{tag}")
    counters = [make_user("committee", f"kp{tag}{i}") for i in range(3)]
    people, voters = build(office, conference, 12)
    for i in range(more_people):  # a longer ballot (more than one page from about 15 names)
        people.append(
            rated.add_rated_person(office, conference, full_name=f"Nguyễn Văn Thành {i + 1}", post="Trưởng phòng")
        )
    printed = None
    if after_printing is not None:
        form = day.create_ballot_form(office, conference, name="Phiếu tín nhiệm", people=people)
        printed = ballots.render_one(form)
        after_printing(people)
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    for voter, role, user in zip(voters[:3], ROLES[:3], counters, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="scan")
    pdf, layout = printed or ballots.render_one(form)  # printed: the layout is registered for the scanner
    cards = evote.generate_cards(office, form, count=len(phones)) if phones else []
    day.open_voting(chair, conference)
    if phones:
        evote.record_cards_issued(counters[0], form, count=len(phones))
        evote.open_evote(chair, form)
    for code, keys in zip(cards, phones, strict=True):
        choices = {person.pk: key for person, key in zip(people, keys, strict=True)}
        evote.cast_ballot(conference, code_text=code, choices=choices, tracking_code=codes.new_tracking_code())
    counting.record_ballot_counts(
        counters[0],
        form,
        issued=10 - len(phones),
        collected=6 - len(phones),
        note="Bốn đại biểu ra về trước khi bỏ phiếu",
    )
    day.close_voting(chair, conference)
    digits = {lv.key: str(lv.digit) for lv in conference.rules.levels}
    return {
        "form": form,
        "pdf": pdf,
        "geometry": layout.as_dict(),
        "digits": digits,
        "member": counters[0],
        "members": counters,
        "chair": chair,
        "head": counters[0],
        "people": people,
    }


@pytest.fixture
def scan_vote(office, make_user, conference):
    return _scan_vote(office, make_user, conference)


@pytest.fixture
def phone_scan_vote(office, make_user, conference):
    """``scan_vote`` with two of its six ballots cast on phones: four paper ballots collected."""
    return _scan_vote(office, make_user, conference, tag="p", phones=("13", "20"))


@pytest.fixture
def make_scan(scan_vote):
    return _scan_maker(scan_vote)


def _scan_maker(scan_vote, dpi: int = 150, *, encoded: bool = True):
    """make(seed, dpi, fmt, page, **synthesize options) → (encoded file, truth, image); the file is
    None when not ``encoded`` (a test that reads the image only: encoding a page as PNG takes longer
    than making it). At 150 dpi
    unless told otherwise: a scanner's lowest setting, where the pages are smallest and quickest to
    make and read, for the tests of what happens to a page once read; the reading itself is tested
    at 200 dpi by default (tests/scanning/test_recognition.py) and at 150 and 300 where a test says so."""
    blanks = {}

    def make(seed: int, dpi: int = dpi, fmt: str = ".png", page: int = 1, **options):
        if (dpi, page) not in blanks:
            blanks[dpi, page] = synthetic.render_blank(scan_vote["pdf"], page - 1, dpi)
        image, truth = synthetic.synthesize(
            blanks[dpi, page],
            scan_vote["geometry"],
            page,
            dpi,
            random.Random(seed),
            digits=scan_vote["digits"],
            **options,
        )
        if not encoded:
            return None, truth, image
        ok, data = cv2.imencode(fmt, image)
        assert ok
        return data.tobytes(), truth, image

    return make


@pytest.fixture
def long_vote(office, make_user, conference):
    """A closed paper vote counted by scanning whose ballot has two pages (18 rated persons)."""
    vote = _scan_vote(office, make_user, conference, tag="l", more_people=16)
    assert len(vote["geometry"]["pages"]) == 2
    return vote


@pytest.fixture
def make_long_scan(long_vote):
    return _scan_maker(long_vote)
