"""The record benchmark still runs, the authority's side included: records renamed and signed
again as if from other units all verify, and the table has one row per person of each (the
figures come from full runs, recorded in docs/benchmarks.md)."""

from __future__ import annotations

import re

from tests.scanning.test_bench import own_sqlite, run_bench


@own_sqlite
def test_record_benchmark_runs_on_a_small_sample(tmp_path):
    out = run_bench(tmp_path, "verify_bench.py", "--voters", "6", "--people", "3", "--records", "4")
    assert re.search(r"^6 voters × 3 persons \(e-voting\): .* verdict OK$", out, re.M), out
    assert re.search(r"^4 records received: check_records [\d.]+ s; table of 12 rows and its Excel file", out, re.M), (
        out
    )
