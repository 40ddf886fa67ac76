"""Killing the server (SIGKILL) in the middle of an e-voting burst loses no acknowledged ballot and
stores none twice or half — on SQLite (synchronous=FULL) and, when the suite runs on PostgreSQL,
on PostgreSQL. Runs bench/crash_burst.py, which checks and exits non-zero."""

import pytest


@pytest.mark.heavy
def test_sigkill_mid_burst_loses_no_acknowledged_ballot(run_script):
    run = run_script("crash_burst.py", "--n", "120", "--kills", "3")
    assert run.returncode == 0, run.stdout + run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert "SIGKILL 3 times" in line, line
    assert "acknowledged but lost 0; stored twice or half 0" in line
