"""The paper-counting benchmark still runs, and the counts it finalises through the pages equal
the stack it typed (the figures come from full runs, recorded in docs/benchmarks.md)."""

from __future__ import annotations

import re

from tests.scanning.test_bench import own_sqlite, run_bench


@own_sqlite
def test_paper_count_benchmark_runs_on_a_small_sample(tmp_path):
    out = run_bench(tmp_path, "paper_count.py", "--ballots", "8", "--persons", "3", "--differences", "2")
    assert re.search(r"^pass A: [\d.]+ s server time for 8 ballots", out, re.M), out
    assert re.search(r"^pass B: [\d.]+ s server time for 8 ballots", out, re.M), out
    assert "counts of all 3 persons equal the stack: yes" in out
    for step in ("counting page with the differences", "finalise", "results page", "results Excel", "minutes PDF"):
        assert re.search(rf"^{step}.*: \d+ ms, \d+ queries$", out, re.M), out
