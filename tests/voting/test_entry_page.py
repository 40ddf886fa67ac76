"""The entry page once a pass is complete: a member can still open any ballot of the pass by its
number, sees what was typed for it, and stores the correction; the pass stays complete."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tinnhiem.voting.models import EntryRow
from tinnhiem.voting.views import DEVICE_COOKIE

from .test_double_entry_scenario import run_conference


def test_a_complete_pass_opens_any_ballot_by_its_number_and_stores_the_correction(office, chair, counters, conference):
    form, _people, stack = run_conference(
        office, chair, counters, conference, n_voters=12, n_present=10, collected=10, seed=3
    )
    client = Client()
    client.force_login(counters[1])
    client.cookies[DEVICE_COOKIE] = "device-b"  # the device pass B was typed on
    url = reverse("voting:entry", args=[conference.pk, form.pk])

    page = client.get(url).content.decode()
    assert 'id="entry-form"' not in page and 'id="open-ballot"' in page  # complete: no next ballot

    page = client.get(url, {"position": 5}).content.decode()  # B's typo at ballot 5
    typed = EntryRow.objects.get(session__form=form, session__pass_label="B", position=5).marks
    assert 'id="entry-form"' in page and 'value="5"' in page
    assert 'id="typed-before"' in page and f"Phiếu số 5 đã được nhập trong lượt này là <code>{typed}</code>." in page

    keys, _reason = stack[4]
    client.post(url, {"position": 5, "marks": keys})
    assert EntryRow.objects.get(session__form=form, session__pass_label="B", position=5).marks == keys
    assert form.entry_sessions.get(pass_label="B").completed

    page = client.get(url, {"position": 11}).content.decode()  # not a ballot of the stack
    assert 'id="entry-form"' not in page
    for first_or_last in (1, 10):  # the stack's first and last ballots open
        page = client.get(url, {"position": first_or_last}).content.decode()
        assert 'id="entry-form"' in page and f'name="position" value="{first_or_last}"' in page
