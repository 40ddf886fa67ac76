"""Recording audit events. Call :func:`record` inside the use case's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from .chain import GENESIS, event_hash, event_payload, fingerprint
from .models import ChainHead, Event


def actor_name(user: Any) -> str:
    if user is None:
        return "system"
    if isinstance(user, str):
        return user
    return user.get_username() if getattr(user, "is_authenticated", False) else "anonymous"


def values_of(obj: Any, names: Any) -> dict[str, Any]:
    """The fields ``names`` of ``obj`` as they are now: taken before an edit, to log what it changed."""
    return {name: getattr(obj, name) for name in names}


def changed(obj: Any, before: Mapping[str, Any]) -> list[str]:
    """The fields of ``before`` (``values_of``) that ``obj`` no longer holds, sorted. An edit saved
    with nothing changed is not logged: the log says what changed, not which page was sent."""
    return sorted(name for name, value in before.items() if getattr(obj, name) != value)


def _locked_head() -> ChainHead:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the use case's transaction")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.create(pk=1, seq=0, hash=GENESIS)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _next_event(head: ChainHead, actor: str, action: str, conference_id: Any, data: Mapping[str, Any]) -> Event:
    """The event that follows ``head`` (not saved), and ``head`` moved on to it."""
    now = datetime.now(UTC)
    payload = event_payload(
        seq=head.seq + 1,
        at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor=actor,
        action=action,
        conference=conference_id,
        data=data or {},
        prev=head.hash,
    )
    digest = event_hash(payload)
    event = Event(
        seq=payload["seq"],
        at=now,
        actor=payload["actor"],
        action=action,
        conference_id=conference_id,
        data=payload["data"],
        prev_hash=head.hash,
        hash=digest,
    )
    head.seq, head.hash = payload["seq"], digest
    return event


def record(actor: Any, action: str, *, conference: Any = None, data: Mapping[str, Any] | None = None) -> Event:
    """Append one event. ``data`` must be JSON-serialisable and must never identify a ballot's voter."""
    head = _locked_head()
    event = _next_event(head, actor_name(actor), action, getattr(conference, "pk", conference), data or {})
    event.save(force_insert=True)
    head.save(update_fields=["seq", "hash"])
    return event


def record_many(actor: Any, events: Iterable[tuple[str, Mapping[str, Any]]], *, conference: Any = None) -> list[Event]:
    """Append the events of one use case, (action, data) each, in their order: the same chain as
    one ``record`` each, written in one insert (an import of 142 opinions logs 285 events)."""
    events = list(events)
    if not events:
        return []
    head = _locked_head()
    name, conference_id = actor_name(actor), getattr(conference, "pk", conference)
    made = [_next_event(head, name, action, conference_id, data) for action, data in events]
    Event.objects.bulk_create(made)
    head.save(update_fields=["seq", "hash"])
    return made


def head() -> tuple[int, str]:
    h = ChainHead.objects.filter(pk=1).first()
    return (h.seq, h.hash) if h else (0, GENESIS)


def head_fingerprint() -> str:
    return fingerprint(head()[1])


def minutes_point(conference: Any) -> tuple[int, str]:
    """The number and hash of the last event that the conference's minutes record
    (``chain.minutes_point``): what the minutes print, rather than the chain's head at printing.
    Its own events and its campaign's changes are read apart, newest first, each until the first
    that counts (usually the first read): one query of them both would sort every event of the
    conference (32–44 ms for 2,000 on PostgreSQL, docs/benchmarks.md)."""
    from .chain import in_minutes

    def last(events: Any) -> dict | None:
        stored = (event.as_stored() for event in events.order_by("-seq").iterator(chunk_size=20))
        return next((e for e in stored if in_minutes(e, conference.pk, conference.campaign_id)), None)

    found = [
        e
        for e in (
            last(Event.objects.filter(conference_id=conference.pk)),
            last(Event.objects.filter(conference_id__isnull=True, action="campaign.updated")),
        )
        if e is not None
    ]
    point = max(found, key=lambda e: e["seq"], default=None)
    return (point["seq"], point["hash"]) if point else (0, GENESIS)


def verify() -> list:
    from .chain import verify_chain

    return verify_chain(e.as_stored() for e in Event.objects.order_by("seq").iterator())


def problem_text(problem) -> str:
    """A break in the chain (chain.ChainProblem), in words of the active language: the same words
    as the check of an exported record (verify.CHAIN)."""
    from django.utils.translation import gettext

    from .verify import CHAIN

    return gettext(CHAIN[problem.reason]) % {"seq": problem.seq}
