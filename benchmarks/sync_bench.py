"""Sync client benchmark over a real `sfa-server` on loopback.

1. Starts `sfa-server serve` on 127.0.0.1 (SQLite file) and seeds ~100k records in one
   rep's scope by pushing them as a device would (the server writes an audit entry for
   each, so a download brings ~200k records). The seeded database is cached under
   ~/.cache/sfa-desktop/benchmarks/, named by the store and server schema versions and
   the generator's parameters (seeding takes a minute or more); `--fresh-seed` seeds again.
2. In a fresh process: a new device downloads everything (records/s, wall time, peak
   RSS): the app's SyncAccount, SyncEngine and SyncClient on an encrypted store.
3. The two halves of that download apart, from a second device's download recorded as
   the app made it (its requests, the server's gzip answers): the server alone (the same
   requests sent again, answers read but not decoded), and the client alone (a new device
   whose engine gets the recorded answers from memory: decode, validate, apply, index).
   Both halves carry the same records as the download, audit entries included.
4. Incremental syncs: 100 accounts edited locally (a handful of fields each) and pushed,
   and 100 accounts edited on the other device and pulled (median of several rounds).

    python benchmarks/sync_bench.py [--records 100000] [--rounds 5] [--fresh-seed]
        [--stores encrypted|plain|both] [--repeat 1] [--baseline DIR]

The client's stores are encrypted with SQLCipher as in the app (a raw 32-byte key, as
the app's keyring gives); `--stores plain` measures plain SQLite files, `--stores both`
alternates the two `--repeat` times and prints the medians side by side. `--baseline DIR`
(another checkout, e.g. a `git worktree` of an older commit) alternates that tree's client
("before") with this one's ("after") against the same server, and prints both side by side.
Each measurement notes the machine's 1-minute load average (other work skews the figures).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from benchdata import Tap, account_edit, cache_path
from stats import against, median

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Mutation, MutationOp, PushRequest
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.client import SyncClient, decode_pull
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.engine import SyncEngine
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "benchmark password"
SERVER_OWNED = {EntityKind.USER, EntityKind.QUOTA}
SEED = 11
TODAY = date(2026, 11, 23)
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same
RESULT = "RESULT"
DOWNLOAD_TARGET = 25_000  # records/s (issue 24: at ~200k records, and within 10 % at ~500k)
INCREMENTAL_TARGET_MS = 200
EDITS = 100


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

        for record in generate(_size(records), seed=SEED, today=TODAY):
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


class Recorder:
    """What a device's download asked and the server answered (raw, as sent), kept by a
    Tap on the app's transport while `recording`."""

    def __init__(self) -> None:
        self.recording = True
        self.exchanges: list[tuple[httpx.Request, int, list[tuple[str, str]], bytes]] = []
        self.transport = Tap(self._keep)

    def _keep(
        self,
        request: httpx.Request,
        status: int,
        headers: list[tuple[str, str]],
        raw: bytes,
        _seconds: float,
    ) -> None:
        if self.recording:
            self.exchanges.append((request, status, headers, raw))


def _key(request: httpx.Request) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return request.method, request.url.path, tuple(sorted(request.url.params.multi_items()))


def _device(
    folder: Path, name: str, key: bytes | None, transport: httpx.BaseTransport | None
) -> SyncAccount:
    """A new device: its own store (encrypted with `key`, or plain) and session."""
    return SyncAccount(
        Store.open(folder / f"{name}.db", key=key), Credentials(persistent=False), transport
    )


def measure(url: str, rounds: int, key: bytes | None) -> None:
    """Run in a fresh process so its peak RSS is the client's alone; stores encrypted
    with `key`, or plain when it is None."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        fresh = _device(Path(folder), "fresh", key, None)
        fresh.sign_in(url, "rep", PASSWORD, "fresh laptop")
        started, cpu_started = time.perf_counter(), time.process_time()
        report = fresh.engine().run_once()
        download = time.perf_counter() - started
        download_cpu = time.process_time() - cpu_started  # the client's, all its threads
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rate = report.pulled / download
        print(
            f"fresh download        {report.pulled:,} records in {download:.1f} s "
            f"= {rate:,.0f} records/s, peak RSS {rss:.0f} MiB; client CPU "
            f"{download_cpu:.1f} s = {report.pulled / download_cpu:,.0f} records/CPU-s"
        )

        recorder = Recorder()
        other = _device(Path(folder), "other", key, recorder.transport)
        other.sign_in(url, "rep", PASSWORD, "other laptop")
        recorded = other.engine().run_once()
        recorder.recording = False
        if recorded.pulled != report.pulled:
            raise RuntimeError(f"the devices downloaded {report.pulled:,} / {recorded.pulled:,}")
        server_rate = _server_only(recorder)
        client_rate, client_cpu_rate = _client_only(recorder, Path(folder), key)

        push_ms, pull_ms = _incremental(fresh, other, rounds)
        for account in (fresh, other):
            account.close()
            account.store.close()
    print(f"fresh download: {against(rate, DOWNLOAD_TARGET, 'records/s', at_most=False)}")
    worst = max(push_ms, pull_ms)
    verdict = against(worst, INCREMENTAL_TARGET_MS, "ms", at_most=True)
    print(f"100 changes (the slower of push and pull): {verdict}")
    result = {
        "fresh download records/s": rate,
        "fresh download records/CPU-s": report.pulled / download_cpu,
        "server only records/s": server_rate,
        "client only records/s": client_rate,
        "client only records/CPU-s": client_cpu_rate,
        "100 edits pushed ms": push_ms,
        "100 edits pulled ms": pull_ms,
        "peak RSS MiB": rss,
        "load average": (load + os.getloadavg()[0]) / 2,
    }
    print(f"load average          {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(RESULT, json.dumps(result), flush=True)


def _pulls(recorder: Recorder) -> list[tuple[httpx.Request, int, list[tuple[str, str]], bytes]]:
    return [e for e in recorder.exchanges if e[0].url.path.endswith("/sync/pull")]


def _server_only(recorder: Recorder) -> float:
    """The recorded pull requests sent again, one after the other: the server's share."""
    pulls = _pulls(recorder)
    # Counted as the engine counts a page's records (SyncReport.pulled).
    records = sum(
        len(decode_pull(httpx.Response(200, headers=headers, content=raw).content).changes)
        for _request, _status, headers, raw in pulls
    )
    wire = 0
    with httpx.Client(timeout=120) as http:
        started = time.perf_counter()
        for request, _status, _headers, _raw in pulls:
            again = httpx.Request(request.method, request.url, headers=request.headers)
            response = http.send(again, stream=True)
            wire += sum(len(chunk) for chunk in response.iter_raw())  # as sent: not decoded
            response.close()
            if response.status_code != 200:
                raise RuntimeError(f"the server answered {response.status_code} to a replay")
        spent = time.perf_counter() - started
    print(
        f"server only           {records:,} records in {spent:.1f} s = {records / spent:,.0f} "
        f"records/s ({len(pulls)} pages, {wire / 2**20:.0f} MiB gzip on the wire; the app's "
        "requests replayed)"
    )
    return records / spent


def _client_only(recorder: Recorder, folder: Path, key: bytes | None) -> tuple[float, float]:
    """A new device's engine fed the recorded answers from memory: the client's share
    (its rate per second and per CPU second)."""
    answers = {_key(r): (status, headers, raw) for r, status, headers, raw in recorder.exchanges}

    def replay(request: httpx.Request) -> httpx.Response:
        found = answers.get(_key(request))
        if found is None:
            raise RuntimeError(f"the client asked what the recorded device did not: {request.url}")
        status, headers, raw = found
        return httpx.Response(status, headers=headers, content=raw)

    store = Store.open(folder / "client-only.db", key=key)
    client = SyncClient("http://replay", transport=httpx.MockTransport(replay))
    client.access_token = "replay"  # the recorded answers need no session
    started, cpu_started = time.perf_counter(), time.process_time()
    report = SyncEngine(store, client, on_wipe=lambda: None).run_once()
    spent, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"client only           {report.pulled:,} records in {spent:.1f} s = "
        f"{report.pulled / spent:,.0f} records/s (the engine on the recorded answers: "
        f"gunzip, decode, validate, apply, index), {report.pulled / cpu:,.0f} records/CPU-s"
    )
    client.close()
    store.close()
    return report.pulled / spent, report.pulled / cpu


def _incremental(fresh: SyncAccount, other: SyncAccount, rounds: int) -> tuple[float, float]:
    """Median ms of pushing EDITS local account edits, and of pulling EDITS made elsewhere."""
    rng = random.Random(SEED)
    ids = fresh.store.ids(Account, limit=EDITS)
    push_times, pull_times, fields = [], [], 0
    for _round in range(rounds):
        for account in fresh.store.get_many(Account, ids):
            edit = account_edit(account, rng, 0)
            fresh.store.update(Account, account.id, edit)
            fields = len(edit)
        t0 = time.perf_counter()
        pushed = fresh.engine().run_once()
        push_times.append(time.perf_counter() - t0)
        assert pushed.pushed == len(ids), pushed
        other.engine().run_once()  # brings those edits: the next edits build on them
        for account in other.store.get_many(Account, ids):
            other.store.update(Account, account.id, account_edit(account, rng, 1))
        other.engine().run_once()
        t0 = time.perf_counter()
        pulled = fresh.engine().run_once()
        pull_times.append(time.perf_counter() - t0)
        assert pulled.pulled >= len(ids), pulled
    push_ms, pull_ms = median(push_times) * 1000, median(pull_times) * 1000
    print(
        f"incremental, {len(ids)} local edits pushed     median {push_ms:.0f} ms over {rounds} "
        f"(each edit {fields} fields of an account)"
    )
    print(
        f"incremental, {len(ids)} remote edits pulled    median {pull_ms:.0f} ms over {rounds} "
        f"(with their audit entries: {pulled.pulled} records)"
    )
    return push_ms, pull_ms


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
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout whose client is measured alternately with this one's",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.rounds, None if args.plain else BENCH_KEY)
        return
    if args.baseline and args.stores == "both":
        parser.error("--baseline compares one kind of store: encrypted or plain")
    if args.baseline:
        modes: tuple[str, ...] = ("before", "after")
    else:
        modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    size = dataclasses.asdict(_size(args.records))
    cached = cache_path("sync-bench-server", ".db", size=size, seed=SEED, today=TODAY)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "server.db"
        server = ServerProcess(
            {"SFA_DATABASE_URL": f"sqlite:///{database}", "SFA_SECRET_KEY": "b" * 32}
        )
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
                    plain = mode == "plain" or (args.baseline and args.stores == "plain")
                    command = [sys.executable, __file__, "--measure", server.url]
                    command += ["--rounds", str(args.rounds)] + (["--plain"] * bool(plain))
                    root = args.baseline if mode == "before" else None
                    results[mode].append(_measured(command, root))
    if len(modes) == 2 or args.repeat > 1:
        _report(results)


def _measured(command: list[str], root: Path | None = None) -> dict[str, float]:
    """Run a measuring process (on the client code of checkout `root`, else this one's),
    echo its lines, return its RESULT."""
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    output = subprocess.run(
        command, check=False, timeout=1800, capture_output=True, text=True, env=env
    )
    if output.returncode != 0:
        print(output.stdout, output.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"sync_bench: a measuring process failed (exit {output.returncode})")
    result: dict[str, float] = {}
    for line in output.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line.removeprefix(RESULT))
        else:
            print(line)
    return result


def _report(results: dict[str, list[dict[str, float]]]) -> None:
    """Medians per kind of store or per tree (and the second's difference from the first)."""
    counts = ", ".join(f"{len(runs)} {mode}" for mode, runs in results.items())
    print(f"-- medians ({counts} runs)")
    names = next(iter(results.values()))[0].keys()
    for name in names:
        medians = {mode: median([r[name] for r in runs]) for mode, runs in results.items()}
        line = "  ".join(
            f"{mode} {value:>10,.{2 if value < 100 else 0}f}" for mode, value in medians.items()
        )
        if len(medians) == 2:
            first, second = medians.values()
            line += f"  ({(second / first - 1) * 100:+.0f} %)" if first else ""
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
