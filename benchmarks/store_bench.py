"""Local store benchmark: a first download into the store, search latency and file size
at field-rep scale.

Generates, before anything is timed, 100k contacts + 20k accounts + 50k opportunities +
200k activities (plus their stage history, plans and quotas) from the demo generator,
with the audit entries the server writes for them, rendered as the server's pull pages
(benchdata.PageServer). Then times the app's download path into a fresh encrypted store:
the sync engine and client decoding each page, validating and applying it, and indexing
for search at the end. The pages come from memory, so the server's share is not in the
figure (sync_bench times the whole download over a real server). Then times 500
searches of the kinds a rep types (a surname prefix, a full name, a company word).

    python benchmarks/store_bench.py [--contacts 100000] [--queries 500] [--stores both]
        [--repeat 1]

The store is encrypted with SQLCipher as in the app (a raw 32-byte key, as the app's
keyring gives); `--stores plain` measures a plain SQLite file and `--stores both`
compares the two on the same pages.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from benchdata import PageServer, as_pushed, download
from stats import against, median, percentile

from sfa_desktop.core.entities import Account, Contact, Record
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store

TODAY = date(2026, 11, 23)
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same
DOWNLOAD_TARGET = 20_000  # records/s, end to end (this is the client's share of it)
SEARCH_TARGET_MS = 30


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


def run(server: PageServer, queries: int, key: bytes | None) -> dict[str, float]:
    """Download into a fresh store (encrypted with `key`, or plain when None), search it
    and measure it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store.open(path, key=key)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = download(store, server.transport())
        load_seconds = time.perf_counter() - started
        load_cpu = time.process_time() - cpu_started
        loaded = report.pulled
        if loaded != len(server):
            raise RuntimeError(f"downloaded {loaded:,} of {len(server):,} records")

        rng = random.Random(1)
        texts = _queries(store, queries, rng)
        store.search("warm up")
        timings, hits = [], []
        for query in texts:
            t0 = time.perf_counter()
            found = store.search(query, limit=50)
            timings.append(time.perf_counter() - t0)
            hits.append(len(found))
        store.close()
        size_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
    rate = loaded / load_seconds
    p95_ms = percentile(timings, 0.95) * 1000
    print(
        f"download              {loaded:,} records in {load_seconds:.1f} s = {rate:,.0f} "
        f"records/s; {loaded / load_cpu:,.0f} records/CPU-s (decode, validate, apply, index)"
    )
    print(
        f"search p50 / p95      {median(timings) * 1000:.2f} ms / {p95_ms:.2f} ms over "
        f"{len(timings)} queries (max {max(timings) * 1000:.2f} ms, "
        f"median {median(hits):.0f} hits)"
    )
    print(f"database size         {size_mb:.0f} MiB (with WAL)")
    print(
        f"client share of a download: {against(rate, DOWNLOAD_TARGET, 'records/s', at_most=False)}"
    )
    print(f"search p95: {against(p95_ms, SEARCH_TARGET_MS, 'ms', at_most=True)}")
    return {
        "download records/s": rate,
        "download records/CPU-s": loaded / load_cpu,
        "search p50 ms": median(timings) * 1000,
        "search p95 ms": p95_ms,
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
        help="encrypted (SQLCipher, as the app), plain SQLite, or both to compare",
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
    started = time.perf_counter()
    kinds: Counter[str] = Counter()

    def counted(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            kinds[record.entity.value] += 1
            yield record

    server = PageServer(counted(as_pushed(generate(size, seed=7, today=TODAY))))
    print(
        f"generated             {len(server):,} records in {time.perf_counter() - started:.0f} s "
        f"(not timed): {', '.join(f'{k} {v:,}' for k, v in kinds.most_common())}"
    )
    modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(args.repeat):  # alternating, so drift in the machine hits both
        for mode in modes:
            print(f"-- {mode} store")
            key = BENCH_KEY if mode == "encrypted" else None
            results[mode].append(run(server, args.queries, key))
    if len(modes) > 1 or args.repeat > 1:
        print(f"-- medians over {args.repeat} run(s) each")
        for name in results[modes[0]][0]:
            medians = {m: median([r[name] for r in runs]) for m, runs in results.items()}
            line = "  ".join(f"{m} {value:>10,.2f}" for m, value in medians.items())
            if len(medians) == 2:
                line += f"  ({(medians['encrypted'] / medians['plain'] - 1) * 100:+.0f} %)"
            print(f"{name:<24}  {line}")


if __name__ == "__main__":
    main()
