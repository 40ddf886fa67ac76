"""The shared demo taken, through the use cases, to the states of a conference day that its
conferences as loaded do not show: the ready conference's vote open, its electronic vote open, its
paper count, and the scan conference's sample scans read, three of them waiting for the committee.
Each returns what a test needs of that state; the test's rollback undoes it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases import day
from tinnhiem.voting.usecases import counting, evote


def _user(username: str):
    return get_user_model().objects.get(username=username)


def voting_open(ready: Conference):
    """The demo's ready conference with its vote open: opened, 150 present, kiemphieu1–3 the
    approved committee. Its form."""
    office, chair = _user("vanphong"), _user("chutri")
    counters = [_user(f"kiemphieu{i}") for i in (1, 2, 3)]
    day.open_conference(chair, ready, held_today=True)
    voters = [v for v in ready.voters.order_by("order") if v.rated_person_id is None]
    day.check_in(office, ready, voters[:150])
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters, strict=True):
        day.propose_member(office, ready, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, ready, votes_for=150, against=0, abstaining=0)
    day.open_voting(chair, ready)
    return ready.ballot_forms.get()


def counted_on_paper(ready: Conference):
    """The demo's ready conference taken to its paper count (``voting_open``), the vote held and
    closed with 150 ballots issued and collected. Its form."""
    form = voting_open(ready)
    counting.record_ballot_counts(_user("kiemphieu1"), form, issued=150, collected=150)
    day.close_voting(_user("chutri"), ready)
    return form


def voting_on_phones(ready: Conference) -> tuple[str, list[str]]:
    """The demo's ready conference with its vote open (``voting_open``) and its electronic vote open,
    one card made: its code, and the names of the ballot's fields."""
    form = voting_open(ready)
    code = evote.generate_cards(_user("vanphong"), form, count=1)[0]
    evote.open_evote(_user("chutri"), form)
    return code, [f"p{person.pk}" for person in ready.rated_persons.all()]


def scans_waiting(folder) -> Conference:
    """The demo's scan conference with its 28 sample scans (written to ``folder``) read by
    kiemphieu1: the smudge, the crossed-out name and the pencil ballot wait for the committee."""
    from tinnhiem.scanning import usecases as scan
    from tinnhiem.site.demo import SCAN_TITLE, write_demo_scans

    conference = Conference.objects.get(title=SCAN_TITLE)
    form = conference.ballot_forms.get()
    for path in write_demo_scans(folder):
        scan.scan_file(_user("kiemphieu1"), form, name=path.name, data=path.read_bytes())
    assert form.scanned_ballots.filter(needs_review=True).count() == 3
    return conference


def reach(state: str, ready: Conference, folder) -> Conference | None:
    """The demo taken to one of the states above, by name: "as loaded", "paper count", "phones
    voting", "scans waiting". The conference whose state it is (none as loaded)."""
    if state == "as loaded":
        return None
    if state == "scans waiting":
        return scans_waiting(folder)
    {"paper count": counted_on_paper, "phones voting": voting_on_phones}[state](ready)
    return ready


def within_conference(conference: Conference | None) -> str:
    """Where the pages of a state are found: its conference's page and those under it (the home
    page, as loaded)."""
    return reverse("conferences:conference", args=[conference.pk]) if conference else "/"
