"""Benchmark: the time and memory of making one PDF of the photos of a document's pages, as a
rated person's page or the office's dossier page does (``documents.photos.photos_pdf``).

The photos are as a phone takes them: 4,000 × 3,000 pixels (12 million), a page of text on a
light, unevenly lit sheet with the camera's noise, JPEG at quality 92 (2–4 MB each), held sideways
(an EXIF orientation of 6: every photo is turned upright). Each case runs in a process of its own;
its peak memory is the largest resident size the process reached while the PDF was made (Linux's
``VmHWM``, reset once the photos were made).

Run: .venv/bin/python bench/photos_pdf.py [--pages 1 5 10 20] [--together 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no /proc/self/status")


def _photo(seed: int) -> bytes:
    import cv2
    import numpy as np

    from tests.photos import with_orientation

    rng = np.random.default_rng(seed)
    height, width = 3000, 4000
    light = np.linspace(200, 245, width, dtype=np.float32)[None, :].repeat(height, 0)
    image = np.dstack([light, light, light - 8])
    for line in range(55):  # lines of "text", down the stored picture: across the page once it is upright
        x = 3700 - line * 60
        image[300 + int(rng.integers(0, 900)) : 2700, x - 18 : x] *= 0.25  # ragged at the right once upright
    image += rng.normal(0, 6, image.shape)
    encoded = cv2.imencode(".jpg", np.clip(image, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 92])[1]
    return with_orientation(encoded.tobytes(), 6)


def run_case(pages: int, together: int = 1) -> dict:
    """``together`` documents of ``pages`` photos sent at the same moment, each on a thread of this
    process, as the server's threads take them."""
    import threading

    setup()
    from tinnhiem.documents import photos as module

    photos = [(f"IMG_{i:04d}.jpg", _photo(i)) for i in range(pages)]
    Path("/proc/self/clear_refs").write_text("5")
    before = _peak_mb()
    made: list[bytes] = []
    threads = [threading.Thread(target=lambda: made.append(module.photos_pdf(photos))) for _ in range(together)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    assert len(made) == together
    return {
        "pages": pages,
        "together": together,
        "photos_mb": round(sum(len(data) for _name, data in photos) / 1e6, 1),
        "pdf_mb": round(len(made[0]) / 1e6, 1),
        "seconds": round(seconds, 2),
        "peak_mb": round(_peak_mb()),
        "held_before_mb": round(before),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--together", type=int, default=1, help="documents sent at the same moment")
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case is not None:
        print(json.dumps(run_case(args.case, args.together)))
        return
    print(machine())
    for pages in args.pages:
        command = [sys.executable, __file__, "--case", str(pages), "--together", str(args.together)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        print(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
