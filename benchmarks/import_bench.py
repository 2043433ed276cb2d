"""Import benchmark: a HubSpot-style contacts CSV through the whole import pipeline.

Writes a CSV of N contacts at N/5 companies (so the import also creates ~N/5 accounts),
then, on a fresh encrypted store each run: open (sniff), auto-map, analyse (every row
converted, validated and checked for duplicates against the store), commit (one
transaction). Reports wall time, CPU time and rows/s per run and the median.

    python benchmarks/import_bench.py [--rows 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from stats import median
from store_keys import open_store

from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import (
    Resolution,
    ValueFormat,
    analyse,
    auto_map,
    commit,
    load_existing,
    open_source,
)

FIRST = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]


def write_contacts(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Record ID", "First Name", "Last Name", "Email", "Phone Number",
             "Mobile Phone Number", "Job Title", "Company Name", "Website URL", "City",
             "Country/Region", "Lifecycle Stage"]
        )  # fmt: skip
        for i in range(rows):
            company = rnd.randrange(max(1, rows // 5))
            writer.writerow(
                [i, rnd.choice(FIRST), f"{rnd.choice(LAST)}{i}", f"p{i}@firma{company}.de",
                 f"030 {rnd.randrange(1_000_000, 9_999_999)}", "", "Einkauf",
                 f"Firma {company} GmbH", f"www.firma{company}.de", "Berlin", "Germany", "lead"]
            )  # fmt: skip


def run(path: Path, rows: int) -> tuple[float, float, float, float]:
    """(analyse s, commit s, wall s, cpu s) of one import into a fresh store."""
    folder = Path(tempfile.mkdtemp())
    store = open_store(folder / "store.db")
    store.sign_in_as(User(id="user-bench", name="Bench", email="bench@example.com"))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        source = open_source(path)
        mapping = auto_map(source.headers, EntityKind.CONTACT)
        fmt = ValueFormat(region="DE")
        analysis = analyse(source, mapping, fmt, load_existing(store, mapping.kind, "DE"))
        analysed = time.perf_counter()
        result = commit(store, analysis, undecided=Resolution.create())
        done = time.perf_counter()
        assert result.created == rows, result.summary()
        return analysed - wall, done - analysed, done - wall, time.process_time() - cpu
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "contacts.csv"
    write_contacts(path, args.rows)
    walls = []
    for number in range(1, args.runs + 1):
        analysing, committing, wall, cpu = run(path, args.rows)
        walls.append(wall)
        print(
            f"run {number}: analyse {analysing:.2f} s, commit {committing:.2f} s, "
            f"total {wall:.2f} s ({args.rows / wall:,.0f} rows/s), cpu {cpu:.2f} s"
        )
    print(f"median: {args.rows / median(walls):,.0f} rows/s")


if __name__ == "__main__":
    main()
