"""Benchmark: finding the event after which a conference's minutes print the audit log's
fingerprint (``audit.log.minutes_point``), which every view of the results page, the minutes, the
report and the public list of an electronic vote does, on a site whose log has grown
long since that conference: ``--later`` events of another conference written after it (an office
server holding years of conferences), the conference itself with ``--own`` events (every typed
ballot is one).

Run: .venv/bin/python bench/minutes_point.py [--own 2000] [--later 200000]
     scripts/with-postgres .venv/bin/python bench/minutes_point.py  (the same on PostgreSQL)
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import hall, machine, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--own", type=int, default=2_000, help="its own events (two typings of 1,000 ballots)")
    parser.add_argument("--later", type=int, default=200_000, help="events of another conference after it")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from tinnhiem.audit import log
    from tinnhiem.audit.chain import event_hash, event_payload
    from tinnhiem.audit.models import ChainHead, Event

    conference, *_users = hall(voters=20, people=2, rule_set="qd96-2023", title="Đo điểm in của biên bản")
    seq, prev = log.head()
    now = datetime.now(UTC)
    at = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = []
    for i in range(1, args.own + args.later + 1):  # linked as the recorder links them, written in bulk
        of = conference.pk if i <= args.own else conference.pk + 1
        payload = event_payload(
            seq=seq + i, at=at, actor="kp1", action="entry.ballot", conference=of, data={}, prev=prev
        )
        prev = event_hash(payload)
        rows.append(
            Event(
                seq=seq + i,
                at=now,
                actor="kp1",
                action="entry.ballot",
                conference_id=of,
                hash=prev,
                data={},
                prev_hash=payload["prev"],
            )
        )
    Event.objects.bulk_create(rows, batch_size=5000)
    ChainHead.objects.filter(pk=1).update(seq=seq + args.own + args.later, hash=prev)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_event")
    print(f"machine: {machine()}; database: {connection.vendor}")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        point, _hash = log.minutes_point(conference)
        timings.append(time.perf_counter() - start)
    assert point == seq + args.own < log.head()[0]
    print(
        f"minutes' point of a conference of {args.own:,} own events, {args.later:,} later events: "
        f"best {min(timings) * 1000:.1f} ms, worst {max(timings) * 1000:.1f} ms (of 5)"
    )


if __name__ == "__main__":
    main()
