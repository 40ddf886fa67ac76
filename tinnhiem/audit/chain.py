"""The hash chain of audit events: pure functions, shared by the recorder and any verifier.

Format (version 1, documented in docs/audit.md): each event is hashed as the SHA-256 of the
UTF-8 bytes of the canonical JSON object

    {"v": 1, "seq": n, "at": "<ISO 8601 UTC, microseconds>", "actor": "...", "action": "...",
     "conference": <id or null>, "data": {...}, "prev": "<hex hash of event n-1>"}

serialised with sorted keys, no insignificant white space and no ASCII escaping. The first
event's ``prev`` is 64 zeros. Changing any field of any event changes its hash and breaks every
link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_payload(
    *, seq: int, at: str, actor: str, action: str, conference: int | None, data: Mapping[str, Any], prev: str
) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION,
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "conference": conference,
        "data": dict(data),
        "prev": prev,
    }


def event_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


PAYLOAD_FIELDS = ("v", "seq", "at", "actor", "action", "conference", "data", "prev")


def stored_event_hash(event: Mapping[str, Any]) -> str:
    """The hash of a stored or exported event (its payload fields, whatever else it carries)."""
    return event_hash({k: event[k] for k in PAYLOAD_FIELDS})


def fingerprint(head_hash: str) -> str:
    """A short form of the chain head to print in the minutes: 4 groups of 4 hex digits."""
    return "-".join(head_hash[i : i + 4] for i in range(0, 16, 4)).upper()


def key_fingerprint(key: str | bytes) -> str:
    """A public key's fingerprint: the SHA-256 of its raw bytes in the same four groups, to compare
    on paper or read over the phone. ``key``: its base64, or (as the verifier accepts) its 32 raw bytes."""
    import base64

    raw = key if isinstance(key, bytes) and len(key) == 32 else base64.b64decode(key)
    return fingerprint(hashlib.sha256(raw).hexdigest())


def result_sha256(result: Mapping[str, Any]) -> str:
    """The SHA-256 that a ``count.finalised`` event records of the result it finalised (the stored
    result, as the record's ``results/form-<id>.json`` holds it): of its JSON with sorted keys,
    Python's default separators (``", "`` and ``": "``) and UTF-8 text, not escaped. It binds the
    published result, and so the ballots that recount to it, to the chain whose fingerprint the
    signed paper minutes print."""
    return hashlib.sha256(json.dumps(result, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str  # "hash" (content altered), "link" (prev does not match), "gap" (missing event)


def verify_chain(events: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Check a sequence of stored events (payload fields plus ``hash``), in ``seq`` order."""
    problems = []
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if event["seq"] != expected_seq:
            problems.append(ChainProblem(event["seq"], "gap"))
        if event["prev"] != prev:
            problems.append(ChainProblem(event["seq"], "link"))
        # an event of another conference is exported redacted (seq, prev, hash): only its links count
        if not event.get("redacted"):
            if stored_event_hash(event) != event["hash"]:
                problems.append(ChainProblem(event["seq"], "hash"))

        prev = event["hash"]
        expected_seq = event["seq"] + 1
    return problems


# The events of a conference that change nothing its minutes say (nor its report, its notices or
# its results page): its record exported, its results published, the sealed ballots held, released
# or destroyed, a confidence vote prepared from its results (that vote is another conference). Any
# other action of the conference, and any change to its campaign, may change them.
OUTSIDE_MINUTES = frozenset(
    {
        "record.exported",
        "results.published",
        "ballots.held",
        "ballots.released",
        "ballots.destroyed",
        "conference.follow_up",
    }
)


def in_minutes(event: Mapping[str, Any], conference: int, campaign: int | None) -> bool:
    """Whether a stored event may change what the minutes of ``conference`` (of ``campaign``) say."""
    if event.get("redacted"):  # another conference's
        return False
    if event["conference"] == conference:
        return event["action"] not in OUTSIDE_MINUTES
    return (
        event["conference"] is None
        and event["action"] == "campaign.updated"
        and campaign is not None
        and event["data"].get("campaign") == campaign
    )


def minutes_point(
    events: Iterable[Mapping[str, Any]], conference: int, campaign: int | None
) -> Mapping[str, Any] | None:
    """The last event that the minutes of ``conference`` record, of stored events given newest
    first: the minutes print the chain's fingerprint after it, so every copy printed since, and
    the exported record, carry the same one until something the minutes say changes (docs/audit.md)."""
    return next((event for event in events if in_minutes(event, conference, campaign)), None)
