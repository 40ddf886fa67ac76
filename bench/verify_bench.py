"""Benchmark: exporting and independently verifying the record of a finished conference.

A conference of 500 voters rating 44 persons, voting electronically (500 ballots cast through the
use case, as the phones do), closed and finalised; then ``export_record`` and ``verify_record``
(what ``tinnhiem export_record`` and ``tinnhiem verify ARCHIVE`` run), best of 3.

Run: .venv/bin/python bench/verify_bench.py [--voters 500] [--people 44]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup
from bench.evote_burst import prepare


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--people", type=int, default=44)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model

    from tinnhiem.audit.record import export_record, public_key_b64
    from tinnhiem.audit.verify import verify_record
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import counting, evote

    conference_id, people, codes = prepare(args.voters, n_people=args.people)
    conference = Conference.objects.get(pk=conference_id)
    rng = random.Random(5)
    start = time.perf_counter()
    for code in codes:
        choices = {pk: rng.choice("1123") for pk in people}  # level digits
        evote.cast_ballot(conference, code_text=code, choices=choices, tracking_code=evote.codes.new_tracking_code())
    cast = time.perf_counter() - start
    users = get_user_model().objects
    day.close_voting(users.get(username="chair"), conference)
    form = conference.ballot_forms.get()
    counting.finalise_form(users.get(username="kp0"), form)
    conference.refresh_from_db()
    exports, verifies = [], []
    for _ in range(3):
        start = time.perf_counter()
        archive = export_record(conference)
        exports.append(time.perf_counter() - start)
        start = time.perf_counter()
        verdict = verify_record(archive, public_key_b64())
        verifies.append(time.perf_counter() - start)
        assert verdict.ok, verdict.problems
    print(f"machine: {machine()}")
    print(
        f"{args.voters} voters × {args.people} persons (e-voting): casting {cast:.1f} s; "
        f"export_record {min(exports):.2f} s ({len(archive) / 1e6:.1f} MB); verify {min(verifies):.2f} s; verdict OK"
    )


if __name__ == "__main__":
    main()
