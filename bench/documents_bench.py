"""Benchmark: render 500 seed ballots, 500 ballots of a 44-person form, and the minutes.

Run: .venv/bin/python bench/documents_bench.py  (figures go to docs/benchmarks.md by hand)
Targets (issue): 500 seed ballots < 5 s; minutes < 1 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup


def timed(label: str, fn, repeat: int = 3):
    best = None
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<45} {best:8.3f} s   ({len(result) / 1e6:.1f} MB)")
    return result


def main() -> None:
    setup()
    from datetime import date

    from django.contrib.auth import get_user_model

    from tinnhiem.conferences.models import Conference
    from tinnhiem.documents import ballots, official, word
    from tinnhiem.site.demo import FINISHED_TITLE, build_council_vote, load_demo

    load_demo(today=date.today())
    seed = Conference.objects.get(title=FINISHED_TITLE)
    users = get_user_model().objects
    office, chair = users.get(username="vanphong"), users.get(username="chutri")
    counters = [users.create_user(f"bench{i}") for i in range(7)]
    from django.contrib.auth.models import Group

    for user in counters:
        user.groups.add(Group.objects.get(name="committee"))
    big = build_council_vote(office, chair, counters)
    print(f"machine: {machine()}")
    timed(
        "500 ballots, seed form (2 persons, 1 page)",
        lambda: ballots.render_ballots(seed.ballot_forms.get(), copies=500),
    )
    timed(
        "500 ballots, 44-person form (4 pages each)",
        lambda: ballots.render_ballots(big.ballot_forms.get(), copies=500),
        repeat=1,
    )
    timed("minutes PDF, seed", lambda: official.render_minutes_pdf(seed))
    timed("minutes PDF, 44 persons", lambda: official.render_minutes_pdf(big))
    timed("minutes Word, 44 persons", lambda: word.render_minutes_docx(big))
    timed(
        "183 invitation letters with QR",
        lambda: official.render_letters_pdf(seed, "invitations", base_url="http://192.168.1.10:8000"),
        repeat=1,
    )


if __name__ == "__main__":
    main()
