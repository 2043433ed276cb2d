"""Sync client benchmark over a real `sfa-server` on loopback.

1. Starts `sfa-server serve` on 127.0.0.1 (SQLite file) and seeds ~100k records in one
   rep's scope by pushing them as a device would. The seeded database is cached under
   ~/.cache/sfa-desktop/sync-bench/ by size and seed (seeding takes a minute or more);
   `--fresh-seed` seeds again.
2. In a fresh process: a new device downloads everything (records/s, wall time, peak
   RSS), then incremental syncs: 100 local edits pushed, and 100 edits made elsewhere
   pulled (median of several rounds).
3. The two halves of a download apart: the server alone (pages fetched, only read), and
   the client alone (a sync engine fed the same pages from memory: parse + apply).

    python benchmarks/sync_bench.py [--records 100000] [--rounds 5] [--fresh-seed]
        [--stores encrypted|plain|both] [--repeat 1]

The client's stores are encrypted with SQLCipher as in the app; `--stores plain` measures
plain SQLite files, `--stores both` alternates the two `--repeat` times and prints the
medians side by side.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from platformdirs import user_cache_path

from sfa_desktop.core.entities import Account, utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import (
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    HandshakeResponse,
    Mutation,
    MutationOp,
    PushRequest,
)
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.engine import SyncEngine
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "benchmark password"
SERVER_OWNED = {EntityKind.USER, EntityKind.QUOTA}
SEED = 11
CACHE = user_cache_path("sfa-desktop") / "sync-bench"
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same
RESULT = "RESULT"


def _size(records: int) -> DemoSize:
    """One rep whose demo book comes to about `records` records."""
    scale = records / 100_000
    return DemoSize(
        reps=1,
        accounts=round(4_000 * scale),
        contacts=round(20_000 * scale),
        opportunities=round(10_000 * scale),
        activities=round(45_000 * scale),
        events=round(3_000 * scale),
        tasks=round(3_000 * scale),
        leads=round(1_500 * scale),
    )


def _seed(url: str, records: int) -> int:
    """Push the demo book as the rep's first device; returns the records pushed."""
    with tempfile.TemporaryDirectory() as folder:
        seeder = SyncAccount(
            Store.open(Path(folder) / "seed.db", key=BENCH_KEY), Credentials(persistent=False)
        )
        user = seeder.sign_in(url, "rep", PASSWORD, "seeder")
        client = seeder.engine().client
        device_id = seeder.store.state("device_id") or ""
        batch: list[Mutation] = []
        seq = 0

        def flush() -> None:
            if batch:
                client.push(PushRequest(device_id=device_id, mutations=batch))
                batch.clear()

        for record in generate(_size(records), seed=SEED, today=date.today()):
            if record.entity in SERVER_OWNED:
                continue
            seq += 1
            fields = record.data_fields() | {"owner_id": user.id}
            batch.append(
                Mutation(
                    seq=seq,
                    mutation_id=f"seed-{seq}",
                    entity=record.entity,
                    entity_id=record.id,
                    op=MutationOp.UPSERT,
                    fields=fields,
                )
            )
            if len(batch) == 500:
                flush()
        flush()
        seeder.close()
        seeder.store.close()
        return seq


def measure(url: str, rounds: int, key: bytes | None) -> None:
    """Run in a fresh process so its peak RSS is the client's alone; stores encrypted
    with `key`, or plain when it is None."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = SyncAccount(
            Store.open(Path(folder) / "fresh.db", key=key), Credentials(persistent=False)
        )
        fresh.sign_in(url, "rep", PASSWORD, "fresh laptop")
        started, cpu_started = time.perf_counter(), time.process_time()
        report = fresh.engine().run_once()
        download = time.perf_counter() - started
        download_cpu = time.process_time() - cpu_started  # the client's, all its threads
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"fresh download        {report.pulled:,} records in {download:.1f} s "
            f"= {report.pulled / download:,.0f} records/s, peak RSS {rss:.0f} MiB; "
            f"client CPU {download_cpu:.1f} s = {report.pulled / download_cpu:,.0f} records/CPU-s"
        )

        other = SyncAccount(
            Store.open(Path(folder) / "other.db", key=key), Credentials(persistent=False)
        )
        other.sign_in(url, "rep", PASSWORD, "other laptop")
        other.store.import_records(
            fresh.store.get_many(Account, fresh.store.ids(Account, limit=100))
        )
        ids = fresh.store.ids(Account, limit=100)
        push_times, pull_times = [], []
        for round_ in range(rounds):
            for account_id in ids:
                fresh.store.update(Account, account_id, {"notes": f"round {round_} on fresh"})
            t0 = time.perf_counter()
            pushed = fresh.engine().run_once()
            push_times.append(time.perf_counter() - t0)
            assert pushed.pushed == len(ids), pushed
            for account_id in ids:
                other.store.update(Account, account_id, {"segment": f"R{round_}"})
            other.engine().run_once()
            t0 = time.perf_counter()
            pulled = fresh.engine().run_once()
            pull_times.append(time.perf_counter() - t0)
            assert pulled.pulled >= len(ids), pulled
        push_ms, pull_ms = (
            statistics.median(push_times) * 1000,
            statistics.median(pull_times) * 1000,
        )
        print(
            f"incremental, {len(ids)} local edits pushed     median {push_ms:.0f} ms over {rounds}"
        )
        print(
            f"incremental, {len(ids)} remote edits pulled    median {pull_ms:.0f} ms over {rounds}"
        )
        rate = report.pulled / download
        print(
            f"targets: 100 changes < 200 ms: {'met' if max(push_ms, pull_ms) < 200 else 'MISSED'}"
            f"; fresh >= 20k records/s: {'met' if rate >= 20_000 else 'MISSED'}"
        )
        for account in (fresh, other):
            account.close()
            account.store.close()
        client_rate, client_cpu_rate = _halves(url, Path(folder), key)
    result = {
        "fresh download records/s": rate,
        "fresh download records/CPU-s": report.pulled / download_cpu,
        "client only records/s": client_rate,
        "client only records/CPU-s": client_cpu_rate,
        "100 edits pushed ms": push_ms,
        "100 edits pulled ms": pull_ms,
        "peak RSS MiB": rss,
    }
    print(RESULT, json.dumps(result), flush=True)


def _halves(url: str, folder: Path, key: bytes | None) -> tuple[float, float]:
    """The server's pull path alone, then the client's parse + apply alone (its rate, per
    second and per CPU second)."""
    device = SyncAccount(Store.open(folder / "halves.db", key=key), Credentials(persistent=False))
    device.sign_in(url, "rep", PASSWORD, "halves laptop")
    client = device.client()
    client.pull(0, 1)  # signs the client in (an access token)
    headers = {"Authorization": f"Bearer {client.access_token}", "Accept-Encoding": "gzip"}
    bodies: dict[int, bytes] = {}
    since, records, wire = 0, 0, 0
    with httpx.Client(base_url=url, timeout=60) as http:
        started = time.perf_counter()
        while True:
            r = http.get(
                "/api/v1/sync/pull",
                params={"since": since, "limit": MAX_PULL_LIMIT},
                headers=headers,
            )
            r.raise_for_status()
            wire += int(r.headers.get("content-length", 0))
            bodies[since] = r.content
            since, has_more = _cursor(r.content)
            records += r.content.count(b'"entity_id":')
            if not has_more:
                break
        spent = time.perf_counter() - started
    print(
        f"server only           {records:,} records in {spent:.1f} s = {records / spent:,.0f} "
        f"records/s ({len(bodies)} pages, {wire / 2**20:.0f} MiB gzip on the wire)"
    )
    device.close()
    device.store.close()

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/handshake"):
            answer = HandshakeResponse(
                protocol_min=PROTOCOL_VERSION,
                protocol_max=PROTOCOL_VERSION,
                server_time=utcnow(),
                schema_version="",
            )
            return httpx.Response(200, content=answer.model_dump_json().encode())
        return httpx.Response(200, content=bodies[int(request.url.params["since"])])

    store = Store.open(folder / "client-only.db", key=key)
    store.set_state(device_id="bench")
    replay = SyncClient("http://replay", transport=httpx.MockTransport(serve))
    replay.access_token = "replay"
    started, cpu_started = time.perf_counter(), time.process_time()
    report = SyncEngine(store, replay, on_wipe=lambda: None).run_once()
    spent, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"client only           {report.pulled:,} records in {spent:.1f} s = "
        f"{report.pulled / spent:,.0f} records/s (parse + apply, pages from memory), "
        f"{report.pulled / cpu:,.0f} records/CPU-s"
    )
    replay.close()
    store.close()
    return report.pulled / spent, report.pulled / cpu


def _cursor(body: bytes) -> tuple[int, bool]:
    """`next_since` and `has_more` of a page, read from its tail (they follow the changes)."""
    tail = body[-120:].decode(errors="ignore")  # may start inside a character
    since = int(tail.rsplit('"next_since":', 1)[1].split(",", 1)[0])
    return since, '"has_more":true' in tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fresh-seed", action="store_true", help="seed again, ignore the cache")
    parser.add_argument(
        "--stores",
        choices=("both", "encrypted", "plain"),
        default="encrypted",
        help="the client's stores: encrypted (SQLCipher, as the app), plain, or both to compare",
    )
    parser.add_argument("--repeat", type=int, default=1, help="measurements per kind of store")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.rounds, None if args.plain else BENCH_KEY)
        return
    modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    cached = CACHE / f"server-{args.records}-seed{SEED}.db"
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "server.db"
        server = ServerProcess({"SFA_DATABASE_URL": f"sqlite:///{database}", "SFA_SECRET_KEY": "b"})
        seeded = cached.exists() and not args.fresh_seed
        if seeded:
            shutil.copyfile(cached, database)
        server.run("migrate")
        if not seeded:
            _create_rep(server)
        with server:
            if seeded:
                print(f"server seeded         from {cached}")
            else:
                t0 = time.perf_counter()
                count = _seed(server.url, args.records)
                print(
                    f"server seeded         {count:,} records pushed in "
                    f"{time.perf_counter() - t0:.1f} s"
                )
                _keep(database, cached)
            for _ in range(args.repeat):  # alternating, so drift in the machine hits both
                for mode in modes:
                    print(f"-- {mode} client stores")
                    command = [sys.executable, __file__, "--measure", server.url]
                    command += ["--rounds", str(args.rounds)] + (["--plain"] * (mode == "plain"))
                    results[mode].append(_measured(command))
    if len(modes) == 2 or args.repeat > 1:
        _report(results)


def _measured(command: list[str]) -> dict[str, float]:
    """Run a measuring process, echo its lines, return its RESULT."""
    output = subprocess.run(command, check=True, timeout=1800, capture_output=True, text=True)
    result: dict[str, float] = {}
    for line in output.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line.removeprefix(RESULT))
        else:
            print(line)
    return result


def _report(results: dict[str, list[dict[str, float]]]) -> None:
    """Medians per kind of store (and the encrypted store's difference)."""
    counts = ", ".join(f"{len(runs)} {mode}" for mode, runs in results.items())
    print(f"-- medians ({counts} runs)")
    names = next(iter(results.values()))[0].keys()
    for name in names:
        medians = {mode: statistics.median(r[name] for r in runs) for mode, runs in results.items()}
        line = "  ".join(f"{mode} {value:>10,.0f}" for mode, value in medians.items())
        if len(medians) == 2:
            line += f"  ({(medians['encrypted'] / medians['plain'] - 1) * 100:+.0f} %)"
        print(f"{name:<30}  {line}")


def _create_rep(server: ServerProcess) -> None:
    server.run("admin", "create-org", "bench")
    server.run(
        "admin",
        "create-user",
        "rep",
        "--org",
        "bench",
        "--name",
        "Bench Rep",
        "--email",
        "rep@example.com",
        "--password",
        PASSWORD,
    )


def _keep(database: Path, cached: Path) -> None:
    """A consistent copy of the live (WAL) server database for the next run."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(database) as source, sqlite3.connect(partial) as target:
        source.backup(target)
    source.close()
    target.close()
    partial.replace(cached)


if __name__ == "__main__":
    main()
