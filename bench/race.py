"""Real parallel processes race for the same card and for finalising the same count.

Not a timing benchmark but a concurrency check (run by tests/crash/test_race.py on SQLite and on
PostgreSQL): 8 processes, released at the same instant, cast a ballot with the same card; then
4 processes finalise the same ballot form at once. Exactly one of each must succeed, and the
tables and the audit chain must show exactly one. Exits non-zero otherwise.

Run: .venv/bin/python bench/race.py   (with DATABASE_URL set: on that empty PostgreSQL database)
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import setup
from bench.evote_burst import prepare


def _init() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    import django

    django.setup()


def _cast(job: tuple[int, str, dict, float]) -> str:
    from tinnhiem.conferences.models import Conference
    from tinnhiem.voting.usecases import evote

    conference_id, code, choices, at = job
    conference = Conference.objects.get(pk=conference_id)
    time.sleep(max(at - time.time(), 0))
    try:
        evote.cast_ballot(conference, code_text=code, choices=choices, tracking_code=evote.codes.new_tracking_code())
        return "stored"
    except evote.VoteRefused as refused:
        return f"refused: {refused.reason}"


def _finalise(job: tuple[int, str, float]) -> str:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from tinnhiem.conferences.models import BallotForm
    from tinnhiem.voting.usecases import counting

    form_id, username, at = job
    user = get_user_model().objects.get(username=username)
    form = BallotForm.objects.get(pk=form_id)
    time.sleep(max(at - time.time(), 0))
    try:
        counting.finalise_form(user, form)
        return "finalised"
    except ValidationError as exc:
        return f"refused: {' '.join(exc.messages)}"


def main() -> int:
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from tinnhiem.audit import log
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.models import CodeCard, ElectronicBallot, FormResult, Receipt
    from tinnhiem.voting.usecases import counting

    conference_id, people, codes = prepare(10)
    connections.close_all()  # the children open their own connections
    context = multiprocessing.get_context("spawn")
    with context.Pool(8, initializer=_init) as pool:
        at = time.time() + 3  # every process has started and loaded Django by then
        choices = {pk: "1" for pk in people}
        cast = Counter(pool.map(_cast, [(conference_id, codes[0], choices, at)] * 8))
        conference = Conference.objects.get(pk=conference_id)
        form = conference.ballot_forms.get()
        users = get_user_model().objects
        day.close_voting(users.get(username="chair"), conference)
        note = "9 thẻ mã đã phát nhưng không dùng để bỏ phiếu"  # only one card voted in this check
        counting.record_ballot_counts(users.get(username="kp0"), form, issued=0, collected=0, note=note)
        connections.close_all()
        at = time.time() + 1
        finalised = Counter(pool.map(_finalise, [(form.pk, f"kp{i % 3}", at) for i in range(4)]))
    stored = ElectronicBallot.objects.count()
    used = CodeCard.objects.filter(state=CodeCard.State.USED).count()
    results = FormResult.objects.filter(form=form).count()
    chain = log.verify()
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(
        f"{database}: same card from 8 processes: {dict(cast)}; stored {stored}, used cards {used}, receipts "
        f"{Receipt.objects.count()}; finalise from 4 processes: {dict(finalised)}; results {results}; chain problems {len(chain)}"
    )
    ok = cast["stored"] == 1 and stored == used == 1 and finalised["finalised"] == 1 and results == 1 and not chain
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
