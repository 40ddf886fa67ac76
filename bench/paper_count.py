"""Benchmark: counting paper ballots by hand at the size of the National Assembly (2023: 44 rated
persons; about 480 deputies present), through the real pages, on a throw-away SQLite database.

Two committee members each type the whole stack on the keyboard entry page (one POST and the
page it redirects to per ballot, as the browser does); then the counting page lists the
differences, the form is finalised, and the results page, the Excel export and the minutes PDF
are fetched. What is measured is the server's time, not the typing: at one ballot of 44 keys in
about 20 s, a pass of 480 ballots is 2–3 hours of typing for one member (which is why the
committee splits the stack or scans it, docs/scanning.md), and the server must never be what
they wait for.

Run: .venv/bin/python bench/paper_count.py [--ballots 480] [--persons 44]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import hall, machine, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=480, help="ballots collected (each typed twice)")
    parser.add_argument("--persons", type=int, default=44, help="rated persons on the ballot")
    parser.add_argument("--differences", type=int, default=5, help="ballots the second pass reads otherwise")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import counting

    settings.ALLOWED_HOSTS.append("testserver")
    conference, _office, chair, counters = hall(
        voters=args.ballots,
        people=args.persons,
        rule_set="nq96-2023",
        title="Lấy phiếu tín nhiệm tại kỳ họp",
        post="Bộ trưởng",
        level="central",  # the National Assembly: no minimum size of the committee at that level
    )
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=args.ballots, collected=args.ballots)
    day.close_voting(chair, conference)

    rng = random.Random(7)
    stack = ["".join(rng.choice("1112223") for _ in range(args.persons)) for _ in range(args.ballots)]
    other = dict.fromkeys(rng.sample(range(args.ballots), args.differences))
    print(f"machine: {machine()}")
    print(f"{args.ballots} ballots × {args.persons} persons, typed twice on the entry page")

    entry_url = reverse("voting:entry", args=[conference.pk, form.pk])
    for n, member in enumerate(counters[:2]):
        client = Client()
        client.force_login(member)
        client.get(entry_url)  # the device cookie
        client.post(entry_url, {"action": "start"})
        times, queries = [], []
        for position, keys in enumerate(stack, start=1):
            if n == 1 and position - 1 in other:
                keys = keys[:-1] + ("1" if keys[-1] != "1" else "2")  # a misreading of the last row
            connection.queries_log.clear()  # it keeps the last 9,000 only: a count across it is wrong
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.post(entry_url, {"position": position, "marks": keys}, follow=True)
            times.append(time.perf_counter() - start)
            queries.append(len(captured))
            assert response.status_code == 200
        tenth = max(1, len(times) // 10)
        first, last = times[:tenth], times[-tenth:]
        print(
            f"pass {'AB'[n]}: {sum(times):.1f} s server time for {len(times)} ballots; a ballot (store + next page) "
            f"median {statistics.median(times) * 1000:.0f} ms, p99 {sorted(times)[int(0.99 * len(times))] * 1000:.0f} ms; "
            f"first tenth {statistics.mean(first) * 1000:.0f} ms, last tenth {statistics.mean(last) * 1000:.0f} ms; "
            f"queries a ballot {min(queries)}–{max(queries)}"
        )

    client = Client()
    client.force_login(counters[0])

    def timed(label: str, call) -> object:
        connection.queries_log.clear()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = call()
        print(f"{label}: {(time.perf_counter() - start) * 1000:.0f} ms, {len(captured)} queries")
        return result

    form_url = reverse("voting:form", args=[conference.pk, form.pk])
    page = timed("counting page with the differences", lambda: client.get(form_url))
    assert page.status_code == 200
    open_ones = counting.open_differences(form)
    assert len(open_ones) == args.differences, len(open_ones)
    for difference in open_ones:
        counting.resolve_difference(
            counters[0],
            form,
            position=difference["position"],
            marks=stack[difference["position"] - 1],
            reason="Đối chiếu phiếu gốc",
        )
    stored = timed("finalise (tally of the stack)", lambda: counting.finalise_form(counters[0], form))
    by_digit = {str(level.digit): level.key for level in conference.rules.levels}
    for i, person in enumerate(stored.data["people"]):  # the truth: the stack as printed, not as typed
        truth = {key: sum(by_digit[keys[i]] == key for keys in stack) for key in by_digit.values()}
        assert {k: person["counts"][k] for k in truth} == truth, (i, person["counts"], truth)
    print(f"counts of all {args.persons} persons equal the stack: yes")
    conference.refresh_from_db()
    assert conference.status == Conference.Status.FINISHED, conference.status
    for label, url in (
        ("results page", reverse("voting:results", args=[conference.pk])),
        ("results Excel", reverse("voting:results_xlsx", args=[conference.pk])),
        ("minutes PDF", reverse("documents:minutes", args=[conference.pk])),
    ):
        response = timed(label, lambda url=url: client.get(url))
        assert response.status_code == 200, (label, response.status_code)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
