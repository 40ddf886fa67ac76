"""The scanning benchmark still runs and still finds no silent misread, on a tiny sample (the
figures themselves come from full runs, recorded in docs/benchmarks.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fresh_db import outside_environ
from tinnhiem.scanning import synthetic

ROOT = Path(__file__).resolve().parents[2]
own_sqlite = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the benchmark makes its own SQLite database"
)


def run_bench(tmp_path: Path, script: str, *args: str) -> str:
    """Run a benchmark script outside the suite; its output (it exits non-zero on any failure)."""
    env = outside_environ()
    env["TMPDIR"] = str(tmp_path)  # its throw-away database and uploads
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.glob("tinnhiem-bench-*")) == []  # its data folder is removed when it ends
    return proc.stdout


@pytest.mark.heavy
@own_sqlite
def test_scan_benchmark_runs_on_a_small_sample(tmp_path):
    args = ["--seed-ballots", "2", "--big-ballots", "1", "--erasure-sweep", "1", "--speed-pages", "2"]
    out = run_bench(tmp_path, "scan_accuracy.py", *args, "--smudge", "0.3")
    assert re.search(r"^seed: 2 ballots \(2 pages\).*silent misreads 0;", out, re.M), out
    assert re.search(r"^big: 1 ballots \(4 pages\).*silent misreads 0;", out, re.M), out
    assert "smudge 30.00% of pages" in out and out.count("of the mark left:") == 5
    assert re.search(r"^speed: \d+\.\d pages/s", out, re.M), out


@own_sqlite
def test_scan_benchmark_parts_can_be_skipped(tmp_path):
    """Only the 44-person form, as for a sweep of the smudge rate: no speed figure, no seed line;
    and one sweep of that form (ink on a name other than a stroke along it)."""
    args = ["--seed-ballots", "0", "--big-ballots", "1", "--erasure-sweep", "0", "--speed-pages", "0"]
    out = run_bench(tmp_path, "scan_accuracy.py", *args, "--smudge", "0", "--name-marks", "1")
    assert re.search(r"^big: 1 ballots \(4 pages\).*silent misreads 0;", out, re.M), out
    assert "smudge 0.00% of pages" in out
    assert not re.search(r"^(seed|speed):", out, re.M) and "rubbed-out" not in out
    assert "ink on a name other than a stroke along it (1 pages of the 44-person form per kind):" in out
    for kind in synthetic.NAME_MARKS:
        assert f"  {kind}: {{'flagged': 1}}" in out, out


@pytest.mark.heavy
@own_sqlite
def test_scan_throughput_benchmark_runs_on_a_small_sample(tmp_path):
    out = run_bench(tmp_path, "scan_throughput.py", "--pages", "3", "--pdf-pages", "2")  # every page a ballot
    for way in ("one JPEG per page", "one PNG per page", "PDF, one JPEG per page"):
        assert re.search(rf"^{re.escape(way)}: \d+\.\d pages/s", out, re.M), out


@pytest.mark.heavy
@own_sqlite
def test_scan_memory_benchmark_runs_on_a_small_sample(tmp_path):
    out = run_bench(tmp_path, "scan_memory.py", "--scale", "0.02")
    for case, pages, ballots in (
        ("pdf-black-and-white", 15, 0),
        ("tiff-black-and-white", 6, 0),
        ("pdf-grey-lossless", 1, 1),
        ("pdf-jpeg", 2, 2),
    ):
        line = rf"^{case}: {pages} pages in one file of [\d.]+ MB: {ballots} ballots, {pages - ballots} pages not"
        assert re.search(line, out, re.M), out
    assert len(re.findall(r"peak memory \d+ MB \(\d+ MB before the file was sent\)$", out, re.M)) == 4, out


@own_sqlite
def test_pdfium_on_several_threads_with_its_lock_refuses_no_valid_pdf(tmp_path):
    """The stress run of bench/pdfium_threads.py, briefly: three threads using PDFium as the server
    does, at once; with the lock no round fails (without it, most did)."""
    out = run_bench(tmp_path, "pdfium_threads.py", "--runs", "1", "--threads", "3", "--seconds", "3")
    assert re.search(r"^run 1: [1-9]\d* rounds, 0 of them with a valid PDF refused; no crash$", out, re.M), out
    assert "with the lock: 0 of 1 runs crashed, 0 rounds refused a valid PDF" in out
