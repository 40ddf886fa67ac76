"""The secrecy invariants of electronic voting (each claim of docs/secrecy.md has a test here)."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.usecases import day
from tinnhiem.voting import codes
from tinnhiem.voting.models import CodeCard, ElectronicBallot, Receipt
from tinnhiem.voting.usecases import evote

from .conftest import ROLES


def setup_vote(office, chair, counters, conference, voters, n_cards):
    day.open_conference(chair, conference)
    day.check_in(office, conference, voters)
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=len(voters), against=0, abstaining=0)
    form = conference.ballot_forms.get()
    card_codes = evote.generate_cards(office, form, count=n_cards)
    day.open_voting(chair, conference)
    evote.open_evote(chair, form)
    return form, card_codes


def test_claim_1_records_hold_no_time_order_address_or_link():
    """An electronic ballot holds only a random id, its form and its marks; a receipt only a random
    id, its form and the tracking code; a card only an HMAC and its state."""
    assert {f.name for f in ElectronicBallot._meta.concrete_fields} == {"id", "form", "marks"}
    assert {f.name for f in Receipt._meta.concrete_fields} == {"id", "form", "tracking_code"}
    assert {f.name for f in CodeCard._meta.concrete_fields} == {"id", "form", "code_hmac", "state"}
    for model in (ElectronicBallot, Receipt, CodeCard):
        assert model._meta.pk.get_internal_type() == "UUIDField"
        assert not any(
            f.get_internal_type() in ("DateTimeField", "DateField", "TimeField", "GenericIPAddressField")
            for f in model._meta.concrete_fields
        )


def storage_order(table: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT id FROM {table} ORDER BY rowid")
        else:
            cursor.execute(f"SELECT id FROM {table} ORDER BY ctid")
        return [str(row[0]).replace("-", "") for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_claim_2_closing_rewrites_the_storage_order(office, chair, counters, day_conference):
    """Until the close the storage order follows the order of voting; the close rewrites both
    tables in a random order."""
    conference, people, voters = day_conference
    form, card_codes = setup_vote(office, chair, counters, conference, voters, 12)
    receipts = []
    for i, code in enumerate(card_codes[:12]):
        receipt, _ = evote.cast_ballot(
            conference,
            code_text=code,
            choices={people[0].pk: str(1 + i % 3)},
            tracking_code=codes.display(codes.new_tracking_code()),
        )
        receipts.append(receipt.pk.hex)
    assert storage_order("voting_receipt") == receipts  # before the close: the order of voting
    ballots_before = storage_order("voting_electronicballot")
    evote.close_evote(chair, form)
    after = storage_order("voting_receipt")
    assert sorted(after) == sorted(receipts) and after != receipts
    ballots_after = storage_order("voting_electronicballot")
    assert sorted(ballots_after) == sorted(ballots_before) and ballots_after != ballots_before


def test_claim_3_the_code_appears_in_no_log_url_or_event(office, chair, counters, day_conference, caplog):
    """The code travels only in POST bodies: no server log line, no URL, no audit event holds it."""
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 3)
    code = card_codes[0]
    client = Client()
    caplog.set_level(logging.DEBUG)
    url = reverse("voting:vote", args=[conference.pk])
    responses = [client.get(url)]
    assert 'method="post"' in responses[0].content.decode()
    responses.append(client.post(url, {"step": "ballot", "code": code}))
    assert people[0].full_name in responses[-1].content.decode()
    responses.append(
        client.post(url, {"step": "review", "code": "WRONG-CODE"})
    )  # a mistyped code is logged nowhere either
    responses.append(
        client.post(url, {"step": "review", "code": code, f"p{people[0].pk}": "1", f"p{people[1].pk}": "0"})
    )
    tracking = responses[-1].context["tracking"]
    responses.append(
        client.post(
            url,
            {"step": "submit", "code": code, "tracking": tracking, f"p{people[0].pk}": "1", f"p{people[1].pk}": "0"},
        )
    )
    assert "Phiếu của đồng chí đã được ghi nhận." in responses[-1].content.decode()
    paths = [r.request["PATH_INFO"] + "?" + r.request.get("QUERY_STRING", "") for r in responses]
    canonical = codes.normalize(code)
    everything = " ".join(r.getMessage() for r in caplog.records) + " ".join(paths)
    everything += " ".join(str(e.data) + e.action for e in Event.objects.all())
    for secret in (code, canonical, tracking, codes.normalize(tracking, codes.TRACKING_LENGTH)):
        assert secret not in everything
    assert not any(canonical in str(v) for v in CodeCard.objects.values_list("code_hmac", flat=True))


def test_claim_4_no_event_per_ballot(office, chair, counters, day_conference):
    """Casting a ballot writes no audit event: the log cannot order or time ballots."""
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 3)
    before = Event.objects.count()
    evote.cast_ballot(
        conference,
        code_text=card_codes[0],
        choices={people[0].pk: "2"},
        tracking_code=codes.display(codes.new_tracking_code()),
    )
    assert Event.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_same_code_fifty_times_at_once_is_accepted_once(office, chair, counters, day_conference):
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 1)
    results, barrier = [], threading.Barrier(50)

    def submit(i):
        try:
            barrier.wait()
            _receipt, stored = evote.cast_ballot(
                conference,
                code_text=card_codes[0],
                choices={people[0].pk: "1"},
                tracking_code=codes.display(codes.new_tracking_code()),
            )
            results.append("stored" if stored else "repeat")
        except evote.VoteRefused as refused:
            results.append(refused.reason)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("stored") == 1 and results.count("used") == 49
    assert ElectronicBallot.objects.count() == 1 and Receipt.objects.count() == 1
    assert CodeCard.objects.get().state == "used"
