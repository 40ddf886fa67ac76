"""The committee's page of a ballot form and the entry page, through the test client: what the
page sends reaches the use case, a refused ruling comes back as typed, and each browser gets
its own device key."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tinnhiem.conferences.usecases import day
from tinnhiem.voting.models import Ruling
from tinnhiem.voting.usecases import counting
from tinnhiem.voting.views import DEVICE_COOKIE


def member_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_ballots_spoilt_and_exchanged_are_saved_from_the_page(ready, counters):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    url = reverse("voting:form", args=[conference.pk, form.pk])
    sent = {"action": "counts", "issued": 10, "collected": 9, "spoilt": 2, "note": "Một đại biểu không nộp phiếu"}
    assert member_client(counters[0]).post(url, sent).status_code == 302
    form.refresh_from_db()
    assert (form.issued, form.collected, form.spoilt) == (10, 9, 2)
    member_client(counters[0]).post(url, {**sent, "spoilt": ""})  # left empty: none
    form.refresh_from_db()
    assert form.spoilt == 0


def test_a_refused_ruling_comes_back_as_typed_and_a_recorded_one_is_not_kept_on_the_page(ready, counters, chair):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    day.close_voting(chair, conference)
    url = reverse("voting:form", args=[conference.pk, form.pk])
    client = member_client(counters[0])
    page = client.get(url).content.decode()
    first = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    assert first and first != re.search(r'name="submission" value="([^"]+)"', client.get(url).text).group(1)
    typed = {"action": "ruling", "position": "3", "subject": "Phiếu có vết mực lạ", "decision": " ", "complaint": "1"}
    refused = client.post(url, {**typed, "submission": first})
    assert refused.status_code == 200 and not Ruling.objects.exists()
    page = refused.content.decode()
    assert "Phiếu có vết mực lạ</textarea>" in page and 'value="3"' in page and "checked" in page
    assert f'name="submission" value="{first}"' in page  # the same form, sent again, is saved once
    recorded = client.post(url, {**typed, "decision": "Phiếu hợp lệ", "submission": first})
    assert recorded.status_code == 302 and Ruling.objects.count() == 1
    page = client.get(url).text
    assert "Phiếu có vết mực lạ</textarea>" not in page and f'value="{first}"' not in page


def test_a_browser_gets_its_own_device_key_for_entry(ready, counters, chair):
    conference, _people, _voters = ready
    day.close_voting(chair, conference)
    form = conference.ballot_forms.get()
    url = reverse("voting:entry", args=[conference.pk, form.pk])
    client = member_client(counters[0])
    first = client.get(url)
    assert first.status_code == 302 and first["Location"] == url
    cookie = first.cookies[DEVICE_COOKIE]
    assert len(cookie.value) >= 32 and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == 7 * 24 * 3600
    assert client.get(url).status_code == 200 and DEVICE_COOKIE not in client.get(url).cookies  # kept, not new
    other = member_client(counters[1]).get(url).cookies[DEVICE_COOKIE]
    assert other.value != cookie.value


def test_the_page_links_to_the_results_while_the_form_has_a_result_in_force(ready, counters, chair):
    conference, _people, _voters = ready
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=1, collected=1, note="Chín đại biểu không nhận phiếu")
    day.close_voting(chair, conference)
    for i in (0, 1):  # one ballot, typed by two members
        session = counting.start_entry(counters[i], form, device_key=f"d{i}")
        counting.enter_ballot(counters[i], session, device_key=f"d{i}", position=1, marks="12")
    url = reverse("voting:form", args=[conference.pk, form.pk])
    button = f'<a class="button secondary" href="{reverse("voting:results", args=[conference.pk])}">'
    client = member_client(counters[0])  # the head of the committee
    assert button not in client.get(url).text
    counting.finalise_form(counters[0], form)
    assert button in client.get(url).text
    counting.reopen_form(counters[0], form, reason="Nhập nhầm số phiếu thu về")
    assert button not in client.get(url).text  # the result superseded: none in force
