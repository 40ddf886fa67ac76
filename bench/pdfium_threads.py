"""Benchmark (a stress run, not a test): the server's own uses of PDFium on several threads at
once, as when two committee members send PDFs at the same moment while a document is made.
PDFium is not thread-safe; every use holds ``tinnhiem.pdfium_lock.LOCK``. ``--without-lock``
runs the same with the lock replaced by nothing, to see what it prevents.

Each run is a process of its own: ``--threads`` threads for ``--seconds`` seconds, each reading
the pages of a scanner's PDF (``load_pages``: black and white, lossless grey, JPEG pages), joining
two PDFs (``merge_pdfs``), reading a PDF's text (the record's check) and rendering a page
(``render_blank``), over and over. A run that ends with a signal (a segmentation fault) crashed;
a round in which any of these failed on its valid PDFs refused a valid PDF.

Run: .venv/bin/python bench/pdfium_threads.py [--runs 3] [--threads 4] [--seconds 20] [--without-lock]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def stress(threads: int, seconds: float, without_lock: bool) -> tuple[int, int]:
    from bench._django import setup

    setup()
    import numpy as np

    from tinnhiem import pdfium_lock
    from tinnhiem.audit import verify
    from tinnhiem.documents.render import merge_pdfs
    from tinnhiem.scanning import synthetic
    from tinnhiem.scanning import usecases as scan

    if without_lock:
        pdfium_lock.LOCK = contextlib.nullcontext()
        scan.PDFIUM_LOCK = pdfium_lock.LOCK
    rng = np.random.default_rng(5)
    pages = [rng.integers(0, 256, (1100, 850), dtype=np.uint8) for _ in range(4)]
    pdfs = [
        synthetic.scanner_pdf(pages, dpi=100, black_and_white=True),
        synthetic.scanner_pdf(pages, dpi=100, lossless=True),
        synthetic.scanner_pdf(pages, dpi=100),
    ]
    rounds, failed = [], []

    def work(seed: int) -> None:
        pick = random.Random(seed)
        end, done, errors = time.monotonic() + seconds, 0, 0
        while time.monotonic() < end:
            first, second = pick.choice(pdfs), pick.choice(pdfs)
            try:
                assert len(scan.load_pages("a.pdf", first)) == 4
                verify._pdf_text(merge_pdfs([first, second]))
                synthetic.render_blank(second, 0, 100)
            except Exception:  # a valid PDF refused ("damaged", "data format error")
                errors += 1
            done += 1
        rounds.append(done)
        failed.append(errors)

    running = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return sum(rounds), sum(failed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--without-lock", action="store_true")
    parser.add_argument("--one", action="store_true", help="one run, in this process")
    args = parser.parse_args()
    if args.one:
        print(*stress(args.threads, args.seconds, args.without_lock), flush=True)
        return
    crashed = refused = 0
    for run in range(1, args.runs + 1):
        command = [sys.executable, __file__, "--one", "--threads", str(args.threads), "--seconds", str(args.seconds)]
        done = subprocess.run(
            command + (["--without-lock"] if args.without_lock else []), capture_output=True, text=True
        )
        if done.returncode < 0:
            crashed += 1
            print(f"run {run}: crashed (signal {-done.returncode})", flush=True)
        elif done.returncode:
            print(f"run {run}: failed\n{done.stderr[-2000:]}", flush=True)
        else:
            rounds, errors = map(int, done.stdout.split()[-2:])
            refused += errors
            print(f"run {run}: {rounds} rounds, {errors} of them with a valid PDF refused; no crash", flush=True)
    lock = "without the lock" if args.without_lock else "with the lock"
    print(
        f"{lock}: {crashed} of {args.runs} runs crashed, {refused} rounds refused a valid PDF "
        f"({args.threads} threads, {args.seconds:g} s each)"
    )


if __name__ == "__main__":
    main()
