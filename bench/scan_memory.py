"""Benchmark: the memory and time of counting one file that holds a whole stack, through the use
case the scan page and ``tinnhiem scan`` call (``scan_files``), on a throw-away SQLite database.

A scanner can put every page it fed into one file, and the committee may send that file as it is:

- a PDF scanned in black and white (text mode, one bit per pixel, as many scanners do by default):
  732 pages, the 183 ballots of the 44-person form's four pages, make about 19 MB, under the
  upload's 100 MB; every page is refused (`black_and_white`), but each is rendered to be looked at;
- a TIFF of 300 such pages (eight bits per pixel, LZW, about 40 MB);
- a PDF of 45 grey pages compressed without loss (about 99 MB: about as many as fit);
- a PDF of 120 JPEG pages, as most scanners write grey (kept as they came, never rendered).

Each case runs in a process of its own, on a copy of one data folder where the demo was loaded
once, before the first; its peak memory is the largest resident size the process reached while
the file was counted (Linux's ``VmHWM``, reset once the file was made). The pages are synthetic
200-dpi scans of the demo's seed form, each drawn apart (no two files alike).

Run: .venv/bin/python bench/scan_memory.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import demo_scanning, machine, prepared, setup

CASES = {
    "pdf-black-and-white": 732,
    "tiff-black-and-white": 300,
    "pdf-grey-lossless": 45,
    "pdf-jpeg": 120,
}


def _peak_mb() -> float:
    """The process's largest resident size since it began, or since ``_reset_peak`` (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Forget the peak reached while the pages were made (Linux's clear_refs, value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def run_case(case: str, pages: int, loaded: str) -> dict:
    setup(copy_of=loaded)
    import cv2

    from tinnhiem.scanning import synthetic
    from tinnhiem.scanning.usecases import scan_files

    form, member, page = demo_scanning(seed=23)
    images = (page() for _ in range(pages))  # made one at a time, as the file is written
    if case == "pdf-black-and-white":
        name, data = "chong.pdf", synthetic.scanner_pdf(images, black_and_white=True)
    elif case == "tiff-black-and-white":
        ok, encoded = cv2.imencodemulti(".tiff", [synthetic.bilevel(image) for image in images])
        assert ok
        name, data = "chong.tiff", encoded.tobytes()
    elif case == "pdf-grey-lossless":
        name, data = "chong.pdf", synthetic.scanner_pdf(images, lossless=True)
    else:
        name, data = "chong.pdf", synthetic.scanner_pdf(images)
    del images
    _reset_peak()
    before = _peak_mb()
    start = time.perf_counter()
    (report,) = scan_files(member, form, [(name, data)])
    elapsed = time.perf_counter() - start
    assert not isinstance(report, Exception), report
    return {
        "case": case,
        "pages": report.pages,
        "ballots": report.ballots,
        "refused": len(report.ignored),
        "mb": round(len(data) / 1e6, 1),
        "seconds": round(elapsed, 1),
        "before_mb": round(before),
        "peak_mb": round(_peak_mb()),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    parser.add_argument("--scale", type=float, default=1.0, help="pages of each case, as a share of its default")
    parser.add_argument("--loaded", help="with --case: a data folder with the demo loaded, to copy")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, max(1, round(CASES[args.case] * args.scale)), args.loaded)))
        return
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="tinnhiem-bench-") as loaded:
        prepared(loaded)
        for case in CASES:
            command = [sys.executable, __file__, "--case", case, "--scale", str(args.scale), "--loaded", loaded]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"{r['case']}: {r['pages']} pages in one file of {r['mb']} MB: {r['ballots']} ballots, "
                f"{r['refused']} pages not counted, in {r['seconds']} s; peak memory {r['peak_mb']} MB "
                f"({r['before_mb']} MB before the file was sent)",
                flush=True,
            )


if __name__ == "__main__":
    main()
