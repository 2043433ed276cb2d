"""Local store benchmark: bulk load, search latency and file size at field-rep scale.

Loads 100k contacts + 20k accounts + 50k opportunities + 200k activities (plus their
stage history, plans and quotas) from the demo generator, then times 500 searches of the
kinds a rep types (a surname prefix, a full name, a company word).

    python benchmarks/store_bench.py [--contacts 100000] [--queries 500] [--stores both]

The store is encrypted with SQLCipher as in the app; `--stores plain` measures a plain
SQLite file and `--stores both` compares the two.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity, Record
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store

TODAY = date(2026, 11, 23)
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _queries(store: Store, count: int, rng: random.Random) -> list[str]:
    contacts = store.get_many(Contact, rng.sample(store.ids(Contact), count))
    accounts = store.get_many(Account, rng.sample(store.ids(Account), count))
    queries = []
    for index in range(count):
        contact, account = contacts[index], accounts[index]
        kind = index % 4
        if kind == 0:
            queries.append(contact.last_name[:3])  # typing the first letters of a surname
        elif kind == 1:
            queries.append(contact.full_name)
        elif kind == 2:
            queries.append(f"{contact.first_name} {contact.last_name[:2]}")
        else:
            queries.append(account.name.split()[0][:5])
    return queries


def run(records: Iterable[Record], queries: int, key: bytes | None) -> dict[str, float]:
    """Load, search and measure one store, encrypted with `key` or plain (None)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store.open(path, key=key)
        started, cpu_started = time.perf_counter(), time.process_time()
        loaded = store.import_records(records)
        load_seconds = time.perf_counter() - started
        load_cpu = time.process_time() - cpu_started

        rng = random.Random(1)
        texts = _queries(store, queries, rng)
        store.search("warm up")
        timings, hits = [], []
        for query in texts:
            t0 = time.perf_counter()
            found = store.search(query, limit=50)
            timings.append((time.perf_counter() - t0) * 1000)
            hits.append(len(found))
        counts = {m.__name__: store.count(m) for m in (Contact, Account, Opportunity, Activity)}
        store.close()
        size_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
    print(
        f"records loaded        {loaded:,} ({', '.join(f'{k} {v:,}' for k, v in counts.items())})"
    )
    print(
        f"load time             {load_seconds:.1f} s ({loaded / load_seconds:,.0f} records/s; "
        f"{loaded / load_cpu:,.0f} records/CPU-s)"
    )
    print(
        f"search p50 / p95      {statistics.median(timings):.2f} ms / "
        f"{_percentile(timings, 0.95):.2f} ms over {len(timings)} queries "
        f"(max {max(timings):.2f} ms, median {statistics.median(hits):.0f} hits)"
    )
    print(f"database size         {size_mb:.0f} MiB (with WAL)")
    print(f"target search p95 < 30 ms: {'met' if _percentile(timings, 0.95) < 30 else 'MISSED'}")
    return {
        "records/s": loaded / load_seconds,
        "records/CPU-s": loaded / load_cpu,
        "search p50 ms": statistics.median(timings),
        "search p95 ms": _percentile(timings, 0.95),
        "MiB": size_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument(
        "--stores",
        choices=("both", "encrypted", "plain"),
        default="encrypted",
        help="encrypted (SQLCipher, as the app), plain SQLite, or both to compare "
        "(the records are then generated once, before the timed loads)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per kind of store")
    args = parser.parse_args()
    scale = args.contacts / 100_000
    size = DemoSize(
        reps=max(6, args.contacts // 2000),
        accounts=round(20_000 * scale),
        contacts=args.contacts,
        opportunities=round(50_000 * scale),
        activities=round(200_000 * scale),
        events=0,
        tasks=0,
        leads=0,
    )
    modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    shared = len(modes) > 1 or args.repeat > 1
    generated = list(generate(size, seed=7, today=TODAY)) if shared else None
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(args.repeat):  # alternating, so drift in the machine hits both
        for mode in modes:
            print(f"-- {mode} store")
            records = generated if generated is not None else generate(size, seed=7, today=TODAY)
            key = BENCH_KEY if mode == "encrypted" else None
            results[mode].append(run(records, args.queries, key))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS              {peak_mb:.0f} MiB")
    if shared:
        print(f"-- medians over {args.repeat} run(s) each")
        for name in results[modes[0]][0]:
            medians = {m: statistics.median(r[name] for r in runs) for m, runs in results.items()}
            line = "  ".join(f"{m} {value:>10,.2f}" for m, value in medians.items())
            if len(medians) == 2:
                line += f"  ({(medians['encrypted'] / medians['plain'] - 1) * 100:+.0f} %)"
            print(f"{name:<20}  {line}")


if __name__ == "__main__":
    main()
