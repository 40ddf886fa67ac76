"""Benchmark: pages counted per second through the use case the scanner page and ``tinnhiem scan``
call (``scan_files``): reading each page, keeping its image, storing the readings and making the
ballots, on a throw-away SQLite database. Target (issue): at least 20 pages/s for 200-dpi scans
on the 2-core machine, using both cores.

Three ways a scanner delivers a stack: one JPEG per page, one PNG per page (both sent 8 files per
request, as the scanner page does), and multi-page PDFs with one JPEG per page.

Run: .venv/bin/python bench/scan_throughput.py [--pages 200] [--pdf-pages 50]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import demo_scanning, machine, setup

BATCH = 8  # files per request, as the scanner page sends them (tinnhiem/static/tinnhiem/app.js)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200, help="pages per way of delivering them")
    parser.add_argument("--pdf-pages", type=int, default=50, help="pages per PDF file")
    args = parser.parse_args()
    setup()
    from tinnhiem.scanning import synthetic
    from tinnhiem.scanning.usecases import scan_files

    form, member, page = demo_scanning(seed=11)
    print(f"machine: {machine()}")
    ways = {
        "one JPEG per page": [(f"{i:04d}.jpg", cv2.imencode(".jpg", page())[1].tobytes()) for i in range(args.pages)],
        "one PNG per page": [(f"{i:04d}.png", cv2.imencode(".png", page())[1].tobytes()) for i in range(args.pages)],
        "PDF, one JPEG per page": [
            (f"lo-{i:02d}.pdf", synthetic.scanner_pdf([page() for _ in range(min(args.pdf_pages, args.pages - i))]))
            for i in range(0, args.pages, args.pdf_pages)
        ],
    }
    generated = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for way, files in ways.items():
        per_request = BATCH if not way.startswith("PDF") else 1
        before = form.scanned_ballots.count()
        start = time.perf_counter()
        for first in range(0, len(files), per_request):
            for result in scan_files(member, form, files[first : first + per_request]):
                assert not isinstance(result, Exception), result
        elapsed = time.perf_counter() - start
        read = form.scanned_ballots.count() - before
        assert read == args.pages, (way, read)
        size = sum(len(d) for _n, d in files) / len(files) / 1e6
        print(f"{way}: {args.pages / elapsed:.1f} pages/s ({len(files)} files of {size:.2f} MB)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB (after making the scans: {generated:.0f} MB)")


if __name__ == "__main__":
    main()
