"""Regenerate examples/mong-cai-2023-ballots.csv: the seed conference with invented names and counts.

Móng Cái City People's Committee, 29/09/2023: 183 convened, here 178 present and issued a ballot,
177 collected. The names and results are invented; they are not those of the real conference.
Run: python examples/make_seed_ballots.py
"""

import csv
import random
from pathlib import Path

PEOPLE = ["Trần Minh Đức", "Lê Thị Hồng Nhung"]
# (cell for person 1, cell for person 2, whole-ballot reason), how many
PLAN = [
    (("1", "1", ""), 112),
    (("1", "2", ""), 20),
    (("2", "1", ""), 8),
    (("2", "2", ""), 20),
    (("3", "2", ""), 4),
    (("1", "3", ""), 6),
    (("3", "3", ""), 1),
    (("", "1", ""), 1),  # no mark for person 1: that row is invalid
    (("2", "13", ""), 1),  # two marks for person 2
    (("1", "", ""), 2),  # no mark for person 2
    (("", "", "Phiếu gạch xoá họ tên người được in trên phiếu"), 1),
    (("1", "1", ""), 1),
]


# HĐND tỉnh Vĩnh Phúc, 13/12/2023 (published results, NQ 96/2023/QH15): 47 ballots collected.
VINH_PHUC = [
    ("Lê Duy Thành", 19, 2, 25),  # 46 of 47: one row-invalid rating
    ("Hoàng Thị Thúy Lan", 46, 0, 1),
    ("Nguyễn Trung Hải", 33, 8, 6),
    ("Phạm Quang Nguyên", 44, 3, 0),
    ("Vũ Việt Văn", 35, 9, 3),
    ("Nguyễn Văn Khước", 32, 12, 3),
    ("Vũ Chí Giang", 29, 15, 3),
]


def vinh_phuc() -> None:
    """Ballots synthesised to match the published per-person counts (their order is unknown)."""
    columns = []
    for _name, high, confidence, low in VINH_PHUC:
        column = ["1"] * high + ["2"] * confidence + ["3"] * low
        columns.append(column + [""] * (47 - len(column)))
    path = Path(__file__).with_name("vinh-phuc-2023-ballots.csv")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["phieu", *(name for name, *_ in VINH_PHUC)])
        for n in range(47):
            writer.writerow([n + 1, *(column[n] for column in columns)])
    print(f"47 ballots → {path}")


def main() -> None:
    rows = [cells for cells, n in PLAN for _ in range(n)]
    random.Random(20230929).shuffle(rows)
    path = Path(__file__).with_name("mong-cai-2023-ballots.csv")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["phieu", *PEOPLE, "khong_hop_le"])
        for n, (a, b, reason) in enumerate(rows, start=1):
            writer.writerow([n, a, b, reason])
    print(f"{len(rows)} ballots → {path}")
    vinh_phuc()


if __name__ == "__main__":
    main()
