"""Benchmark: what the resolution of a scan does to its reading.

Synthetic scans of the seed ballot (the demo's, tinnhiem/scanning/synthetic.py) with the mix of
marks and degradations of bench/scan_accuracy.py, at resolutions from 75 to 200 dpi; each knows
its truth. Per resolution: the resolution measured on the page (by the size of its markers), the
rows read wrong without a flag (*silent misreads*), the pages sent to review and the pages refused,
by reason. ``--unguarded`` reads every page whatever its resolution, as before pages under
``recognize.MIN_DPI`` were refused: what the refusal prevents.

Run: .venv/bin/python bench/scan_resolution.py [--pages 400] [--dpi 75,90,100,110,120,130,150,200]
     [--unguarded]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine
from bench.scan_accuracy import STYLE_WEIGHTS, _read, prepare


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--dpi", default="75,90,100,110,120,130,150,200")
    parser.add_argument("--unguarded", action="store_true", help="read pages under the lowest resolution too")
    args = parser.parse_args()
    state = prepare(seed=True, big=False)
    from tinnhiem.conferences.models import Conference
    from tinnhiem.documents import ballots
    from tinnhiem.scanning import recognize, synthetic
    from tinnhiem.site.demo import FINISHED_TITLE

    if args.unguarded:
        recognize.MIN_DPI = 0
    s = state["seed"]
    pdf, _layout = ballots.render_one(Conference.objects.get(title=FINISHED_TITLE).ballot_forms.get())
    print(
        f"machine: {machine()}; {args.pages} pages of the seed form per resolution; lowest read: {recognize.MIN_DPI} dpi"
    )
    for dpi in (int(d) for d in args.dpi.split(",")):
        blank = synthetic.render_blank(pdf, 0, dpi)
        silent = review = 0
        refused, measured = Counter(), []
        start = time.perf_counter()
        for i in range(args.pages):
            rng = random.Random(i * 7 + dpi)
            style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
            image, truth = synthetic.synthesize(blank, s["geometry"], 1, dpi, rng, digits=s["digits"], style=style)
            try:
                reading = _read(s, image)
            except recognize.NotABallot as exc:
                refused[exc.reason] += 1
                continue
            measured.append(reading.dpi)
            keys = [row.key(s["digits"]) for row in reading.rows]
            silent += sum(1 for k, t in zip(keys, truth.keys, strict=True) if k is not None and k != t)
            review += reading.needs_review()
        span = f"{min(measured):.0f}–{max(measured):.0f}" if measured else "-"
        print(
            f"{dpi:>4} dpi: measured {span}; rows read wrong, unflagged {silent}; to review {review} "
            f"({review / args.pages:.1%}); refused {dict(refused)} ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()
