"""Benchmark: read a voter roll of N persons from Excel (.xlsx), CSV and a Word table (.docx).

Run: .venv/bin/python bench/roster_read.py [--rows 2000]  (figures go to docs/benchmarks.md by hand)
The whole file is read and checked before anything is saved, inside the request of the import
page; a National Assembly session convenes about 500 deputies, a province's Party conference a
few hundred.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup

HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Điện thoại", "Email", "Ghi chú"]


def rows(n: int) -> list[list[str]]:
    return [
        [str(i), f"Nguyễn Văn An {i}", "Chuyên viên", "Phòng Nội vụ", "0912345678", f"an{i}@example.vn", ""]
        for i in range(1, n + 1)
    ]


def xlsx(n: int, wide: bool = False) -> bytes:
    """``wide``: one cell of the header row formatted in the sheet's last column (XFD), as a border
    drawn across the whole row leaves it: every row is then read 16,384 cells wide."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    workbook = Workbook()
    sheet = workbook.active
    for values in [HEADER, *rows(n)]:
        sheet.append(values)
    if wide:
        sheet.cell(row=1, column=16384).border = Border(bottom=Side(style="thin"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(n: int) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows(n)])
    return out.getvalue().encode("utf-8")


def docx(n: int) -> bytes:
    import docx as word

    document = word.Document()
    table = document.add_table(rows=0, cols=len(HEADER))
    for values in [HEADER, *rows(n)]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    n = parser.parse_args().rows
    setup()
    from tinnhiem.conferences.roster_file import read_roster

    print(f"machine: {machine()}")
    files = (("ds.xlsx", xlsx), ("ds.csv", csv_file), ("ds.docx", docx), ("XFD.xlsx", lambda n: xlsx(n, wide=True)))
    for name, make in files:
        data = make(n)
        best = None
        for _ in range(3):
            start = time.perf_counter()
            read = read_roster(name, data, 100 * 1024 * 1024)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        assert len(read) == n
        print(f"{n} rows, {name:<8} {len(data) / 1e6:6.2f} MB   read and checked in {best:6.3f} s (best of 3)")


if __name__ == "__main__":
    main()
