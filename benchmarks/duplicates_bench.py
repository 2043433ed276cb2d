"""Duplicate finder benchmark: `Store.find_duplicates` on demo-scale data.

Loads 20k accounts and 100k contacts from the demo generator with look-alike copies of a
share of them (another legal form or case, the website as a URL, the phone in another
notation, the email in capitals), as a download brings records (not timed), then times
`find_duplicates` for accounts and for contacts and reports the median, the number of
groups found and where the time goes (reading, match keys, phone numbers, grouping).

    python benchmarks/duplicates_bench.py [--contacts 100000] [--copies 0.02] [--runs 5]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from benchdata import PageServer, download
from stats import median

from sfa_desktop.core.entities import Account, Contact, Record, new_id
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules import normalize
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store

TODAY = date(2026, 11, 23)
REGION = "DE"


def _variant_phone(phone: str | None, rng: random.Random) -> str | None:
    """The same number written another way: no spaces, dashes, or a (0) trunk prefix."""
    if not phone:
        return phone
    style = rng.randrange(3)
    if style == 0:
        return phone.replace(" ", "")
    if style == 1:
        return phone.replace(" ", "-")
    code, _, rest = phone.partition(" ")
    return f"{code} (0){rest}" if not code.startswith("+1") else phone.replace(" ", ".")


def _copies(records: list[Record], share: float, rng: random.Random) -> Iterator[Record]:
    """Look-alike copies of `share` of the accounts and contacts, as a rep would type them."""
    for record in records:
        if rng.random() >= share:
            continue
        if isinstance(record, Account):
            name = rng.choice([record.name.upper(), f"{record.name} GmbH", record.name + "."])
            yield record.model_copy(
                update={
                    "id": new_id(),
                    "name": name,
                    "domain": f"https://www.{record.domain}/" if record.domain else "",
                    "phone": _variant_phone(record.phone, rng),
                    "version": None,
                }
            )
        elif isinstance(record, Contact):
            yield record.model_copy(
                update={
                    "id": new_id(),
                    "first_name": record.first_name.upper(),
                    "email": record.email.upper() if record.email else None,
                    "phone": _variant_phone(record.phone, rng),
                    "version": None,
                }
            )


def _time(store: Store, kind: EntityKind, runs: int) -> tuple[list[float], int]:
    timings, groups = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = store.find_duplicates(kind, region=REGION)
        timings.append(time.perf_counter() - started)
        groups = len(found)
    return timings, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.02, help="share copied as look-alikes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="parse every phone number with phonenumbers (no fast path), to compare",
    )
    args = parser.parse_args()
    if args.baseline:
        normalize._international = lambda value: None
    size = DemoSize(
        reps=max(6, args.contacts // 2000),
        accounts=args.contacts // 5,
        contacts=args.contacts,
        opportunities=0,
        activities=0,
        events=0,
        tasks=0,
        leads=0,
    )
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db", key=None)
        records = [
            r for r in generate(size, seed=7, today=TODAY) if isinstance(r, Account | Contact)
        ]
        others = [r for r in generate(size, seed=7, today=TODAY) if r.entity is EntityKind.USER]
        copies = list(_copies(records, args.copies, rng))
        # Loaded as a download brings them (not timed).
        download(store, PageServer([*others, *records, *copies]).transport())
        accounts, contacts = store.count(Account), store.count(Contact)
        print(f"{accounts:,} accounts, {contacts:,} contacts ({len(copies):,} look-alike copies)")
        for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
            timings, groups = _time(store, kind, args.runs)
            print(
                f"find_duplicates({kind.value:<7})  median {median(timings):.2f} s  "
                f"(min {min(timings):.2f}, max {max(timings):.2f}, {args.runs} runs)  "
                f"{groups:,} groups"
            )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            store.find_duplicates(EntityKind.CONTACT, region=REGION)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
        store.close()


if __name__ == "__main__":
    main()
