"""Sync server benchmark (prints figures; not a test).

1. N simulated reps (default 500), each with a realistic book: ≥ 2,000 records of the
   kinds a rep works with (100 accounts, 500 contacts, 250 opportunities, 1,000
   activities, 75 events, 75 tasks, plus leads, stage history and account plans), pushed
   by the rep's first device through the server's own push service, so the server holds
   an audit entry for each, as in use: a rep's download is about 5,000 records. The
   seeded database is kept (a PostgreSQL template database, or a SQLite file under
   ~/.cache/sfa-desktop/benchmarks/) under a name keyed by the store and server schema
   versions and the book's parameters; each run works on a fresh copy; `--fresh-seed`
   seeds again. PostgreSQL is required unless `--sqlite` is given.
   Each rep is the desktop's own sync stack: SyncAccount, SyncEngine and SyncClient (its
   retries, Retry-After, token refresh, gzip, pull parameters and audit entries), on a
   local store that keeps the accounts of its pulls (the records of other kinds are
   validated and dropped: the server's work is the same and the bench's box is shared).
   Against real `sfa-server serve` processes on 127.0.0.1 (one port each, as behind a
   load balancer):
   - sign-in burst: every rep signs in at once (real argon2id cost unless
     `--cheap-hashes`) and downloads its scope (sign-in and download timed apart);
   - paced incremental syncs (the target): each rep syncs every `--interval` seconds
     (default 30) from a random phase. The desktop's background sync runs every 15
     minutes, so 500 reps make ~0.6 syncs/s; every 30 s is 30 times that (~17 syncs/s).
     A sync is what the desktop does: handshake, push, pull until caught up. `--push-share`
     of the syncs first log a visit (a new activity with a paragraph of notes) and edit
     four fields of one of the rep's accounts, through the store as the app does;
   - `--burst`: every rep syncs at the same instant, `--burst-rounds` times: the capacity
     figure (latency there is queueing: N syncs in flight / throughput), not the target;
   - `--interval 0`: back to back, the saturation throughput.
   Prints p50/p90/p95/p99/max per request and per whole sync, throughput, errors and
   retries, and the CPU of the server processes per request.
2. Forecast rollup for 1,000 reps / 1M opportunities on PostgreSQL (bulk-loaded with COPY
   into a fresh schema): median of several timed runs of the rollup service.

    python benchmarks/server_bench.py [--reps 500] [--interval 30] [--rounds 4]
        [--burst] [--processes 2] [--workers 1] [--sqlite] [--cheap-hashes]
        [--fresh-seed] [--skip-sync] [--skip-rollup]

`BENCH_SERVER_ROOT=/path/to/other/checkout` runs that tree's server (before/after runs).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from benchdata import cache_name, cache_path
from desktops import Board, PhaseStats, Rep, make_reps
from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from stats import against, median, percentile

from sfa_desktop.core.entities import Record
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Role
from sfa_desktop.core.periods import Period
from sfa_desktop.core.protocol import (
    MAX_PUSH_MUTATIONS,
    LoginRequest,
    Mutation,
    MutationOp,
    PushRequest,
)
from sfa_desktop.demo import DemoSize, generate
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.migrate import upgrade
from sync_server.models import User
from sync_server.services import admin, auth, sync
from sync_server.services.auth import hash_password
from sync_server.services.forecast import rollup
from sync_server.services.tokens import read_access

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "benchmark-password"
CHEAP = {"SFA_PASSWORD_TIME_COST": "1", "SFA_PASSWORD_MEMORY_KIB": "1024"}
TODAY = date(2026, 11, 23)
SEED = 100
SERVER_OWNED = {EntityKind.USER, EntityKind.QUOTA}
# The kinds a rep works with: their count per rep must reach MIN_SCOPE.
WORK_KINDS = {
    EntityKind.ACCOUNT,
    EntityKind.CONTACT,
    EntityKind.OPPORTUNITY,
    EntityKind.ACTIVITY,
    EntityKind.EVENT,
    EntityKind.TASK,
}
MIN_SCOPE = 2_000
SYNC_TARGET_MS = 500  # p99 of a paced sync
CATCH_UP = 8  # reps that sign in and download at once after a failed burst


def rep_book(contacts: int) -> DemoSize:
    """One rep's book in the demo generator's benchmark mix (DemoSize.scaled), with
    `contacts` contacts (500: 2,000 records of the WORK_KINDS)."""
    mix = DemoSize.scaled(100_000)
    kinds = ("accounts", "opportunities", "activities", "events", "tasks", "leads")
    counts = {name: round(getattr(mix, name) * contacts / mix.contacts) for name in kinds}
    return DemoSize(reps=1, contacts=contacts, **counts)


# -- the seeded database: made once per schema version and book, copied for every run --


def pg_reachable() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def seed(url: str, names: list[str], book: DemoSize) -> int:
    """The org: a manager and the reps (cheap password hashes), then each rep's book pushed
    by the rep's first device through the server's push service (records, field versions,
    audit entries, forecast facts as a real push writes them); returns the records pushed."""
    settings = ServerSettings(
        database_url=url, password_time_cost=1, password_memory_kib=1024, secret_key="seed"
    )
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        admin.create_org(session, "bench", now)
        for name in ["boss", *names]:
            admin.create_user(
                session,
                "bench",
                name,
                name=name.title(),
                email=f"{name}@example.com",
                password=PASSWORD,
                role=Role.MANAGER if name == "boss" else Role.REP,
                manager=None if name == "boss" else "boss",
                now=now,
                settings=settings,
            )
    pushed, started = 0, time.perf_counter()
    for index, name in enumerate(names):
        pushed += _push_book(
            sessions, settings, name, generate(book, seed=SEED + index, today=TODAY)
        )
        if (index + 1) % 25 == 0 or index + 1 == len(names):
            spent = time.perf_counter() - started
            print(f"  seeded {index + 1} of {len(names)} reps, {pushed:,} records, {spent:.0f} s")
    engine.dispose()
    return pushed


def _push_book(
    sessions: sessionmaker[Session], settings: ServerSettings, name: str, book: Iterable[Record]
) -> int:
    """Sign `name` in on a first device and push `book` from it, as the app's outbox
    would (batches of MAX_PUSH_MUTATIONS); returns the records pushed."""
    now = datetime.now(UTC)
    request = LoginRequest(username=name, password=PASSWORD, device_name="first laptop")
    with sessions() as session:
        tokens = auth.login(session, settings, request, "127.0.0.1", now)
    claims = read_access(settings.secret_key, tokens.access_token, now)
    batch: list[Mutation] = []
    seq = 0

    def flush() -> None:
        with sessions() as session:
            request = PushRequest(device_id=tokens.device_id, mutations=batch)
            answer = sync.push(session, claims, request, now)
        refused = [r for r in answer.results if r.status.value != "applied"]
        if refused:
            raise RuntimeError(f"seeding {name}: the server refused {refused[:3]}")
        batch.clear()

    for record in book:
        if record.entity in SERVER_OWNED:
            continue
        seq += 1
        batch.append(
            Mutation(
                seq=seq,
                mutation_id=new_id(),
                entity=record.entity,
                entity_id=record.id,
                op=MutationOp.UPSERT,
                fields=record.data_fields() | {"owner_id": tokens.user.id},
            )
        )
        if len(batch) == MAX_PUSH_MUTATIONS:
            flush()
    if batch:
        flush()
    return seq


@contextmanager
def seeded_database(args: argparse.Namespace, names: list[str], workdir: str) -> Iterator[str]:
    """A URL to a fresh copy of the seeded database (seeded first if not cached)."""
    book = rep_book(args.contacts)
    params = {"reps": len(names), "book": dataclasses.asdict(book), "seed": SEED, "today": TODAY}
    if args.sqlite:
        cached = cache_path("server-bench", ".db", **params)
        if args.fresh_seed or not cached.exists():
            partial = cached.with_suffix(".partial")
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            _seed_timed(f"sqlite:///{partial}", names, book)
            partial.replace(cached)
        else:
            print(f"seeded database: {cached}")
        copy = Path(workdir) / "server.db"
        shutil.copyfile(cached, copy)
        yield f"sqlite:///{copy}"
        return
    template = cache_name("server", **params)
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": template}
            )
            if exists and args.fresh_seed:
                connection.execute(text(f"DROP DATABASE {template}"))
            if not exists or args.fresh_seed:
                partial = f"{template}_partial"
                connection.execute(text(f"DROP DATABASE IF EXISTS {partial}"))
                connection.execute(text(f"CREATE DATABASE {partial}"))
                _seed_timed(_pg_database(partial), names, book)
                _analyze(_pg_database(partial))
                connection.execute(text(f"ALTER DATABASE {partial} RENAME TO {template}"))
            else:
                print(f"seeded database: PostgreSQL template database {template}")
            run = f"sfa_bench_run_{uuid.uuid4().hex[:10]}"
            started = time.perf_counter()
            connection.execute(text(f"CREATE DATABASE {run} TEMPLATE {template}"))
            print(f"copied it for this run in {time.perf_counter() - started:.0f} s")
        try:
            yield _pg_database(run)
        finally:
            with admin_engine.connect() as connection:
                connection.execute(text(f"DROP DATABASE {run} WITH (FORCE)"))
    finally:
        admin_engine.dispose()


def _analyze(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum does on a live server: without statistics the
    planner reads the whole records table for every pull page."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _pg_database(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _seed_timed(url: str, names: list[str], book: DemoSize) -> None:
    print(f"seeding {len(names)} reps' books (once for this schema and size) ...")
    started = time.perf_counter()
    pushed = seed(url, names, book)
    spent = time.perf_counter() - started
    print(f"seeded {pushed:,} records in {spent:.0f} s ({pushed / spent:,.0f} records/s)")


def use_real_hashes(url: str) -> None:
    """Every user's password hash at the server's default cost (one hash computed here
    and shared: hashing 500 would take minutes)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
        session.commit()
    engine.dispose()


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL to a new, empty PostgreSQL schema, dropped at the end."""
    schema = f"sfa_bench_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin_engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    base: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """CPU time of the server process and its children (uvicorn workers) so far."""
        return sum(_cpu_of(pid) for pid in _tree(self.process.pid))

    def peak_rss_mib(self) -> float:
        """The largest peak resident memory of the server's processes."""
        peaks = [0.0]
        for pid in _tree(self.process.pid):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)


def _tree(root: int) -> list[int]:
    pids, children = [root], []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{root}/task"):
            children += Path(f"/proc/{root}/task/{task}/children").read_text().split()
    for child in children:
        pids += _tree(int(child))
    return pids


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds of every process named postgres so far (ours and anyone else's)."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                    total += _cpu_of(int(pid))
    return total


def box_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, sum(values) / ticks


@contextmanager
def server(url: str, workers: int, cheap_hashes: bool) -> Iterator[ServerProcess]:
    port = free_port()
    here = Path(__file__).resolve().parents[1]
    root = os.environ.get("BENCH_SERVER_ROOT", str(here))
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        **(CHEAP if cheap_hashes else {}),
        "SFA_SECRET_KEY": "bench-secret",
        "PYTHONPATH": path,
    }
    if "BENCH_POOL" in os.environ:
        env["SFA_DB_POOL_SIZE"] = os.environ["BENCH_POOL"]
    command = [sys.executable, "-m", "sync_server.cli", "--database-url", url, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1, trust_env=False)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield ServerProcess(base, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def measured(servers: list[ServerProcess]) -> Iterator[dict[str, float]]:
    """Wall time, server CPU, bench client CPU and the machine's busy share of a phase."""
    out: dict[str, float] = {}
    server0, pg0 = sum(s.cpu_seconds() for s in servers), postgres_cpu()
    client0, (busy0, total0), wall0 = time.process_time(), box_busy(), time.perf_counter()
    yield out
    busy1, total1 = box_busy()
    out["elapsed"] = time.perf_counter() - wall0
    out["server"] = sum(s.cpu_seconds() for s in servers) - server0
    out["postgres"] = max(0.0, postgres_cpu() - pg0)  # a postgres process that ended drops out
    out["client"] = time.process_time() - client0
    out["box"] = (busy1 - busy0) / max(1e-9, total1 - total0)


def run_all(
    servers: list[ServerProcess], names: list[str], args: argparse.Namespace, workdir: Path
) -> None:
    board = Board()
    reps = make_reps(names, [s.base for s in servers], PASSWORD, board, workdir)
    with ThreadPoolExecutor(len(reps), thread_name_prefix="rep") as pool:
        stats = board.current = PhaseStats()
        with measured(servers) as phase:
            started = list(pool.map(lambda rep: rep.start(stats), reps))
        stats.report(
            f"sign-in burst: {len(names)} reps sign in at once and download their scope", phase
        )
        reps = _finish_starts(reps, started)
        if not reps:
            print("no rep could sign in and download: nothing more to measure")
            return
        _scope(reps)
        peaks = ", ".join(f"{s.peak_rss_mib():.0f}" for s in servers)
        print(f"peak memory of each server process so far: {peaks} MiB")
        if args.rounds:
            stats = board.current = PhaseStats()
            with measured(servers) as phase:
                list(pool.map(lambda rep: paced(rep, stats, args), reps))
            pacing = (
                f"each every {args.interval:g} s from a random phase"
                if args.interval > 0
                else "back to back (saturation)"
            )
            stats.report(
                f"incremental sync: {len(reps)} reps x {args.rounds} rounds, {pacing}", phase
            )
            for name, label in (
                ("sync, its requests", "the server's share (the sync's requests, what a desktop "
                 "on its own machine waits for)"),
                ("sync", f"whole (with the simulated desktops' own work: {len(reps)} of them in "
                 "this one process, on the server's box)"),
            ):  # fmt: skip
                p99 = percentile(stats.samples[name], 0.99) * 1000
                print(f"sync p99, {label}: {against(p99, SYNC_TARGET_MS, 'ms', at_most=True)}")
        for round_ in range(args.burst_rounds if args.burst else 0):
            time.sleep(6)  # idle connections close, as between real syncs
            stats = board.current = PhaseStats()
            with measured(servers) as phase:
                at_once(pool, reps, stats, args.push_share)
            stats.report(
                f"burst {round_ + 1}: all {len(reps)} reps sync at the same instant "
                "(capacity, not the target)",
                phase,
            )
    for rep in reps:
        rep.account.close()
        rep.store.close()


def _finish_starts(reps: list[Rep], started: list[bool]) -> list[Rep]:
    """The reps whose sign-in or download failed in the burst try again, CATCH_UP at a
    time (not timed; the app would at its next sync), so the paced phase starts with
    every scope downloaded; the reps that still fail are left out, and said so."""
    late = [rep for rep, ok in zip(reps, started, strict=True) if not ok]
    if not late:
        return reps
    print(f"{len(late)} reps did not finish signing in and downloading: they try again")
    began = time.perf_counter()
    with ThreadPoolExecutor(CATCH_UP, thread_name_prefix="catch-up") as pool:
        for _attempt in range(3):
            again = list(pool.map(lambda rep: rep.start(PhaseStats()), late))
            late = [rep for rep, ok in zip(late, again, strict=True) if not ok]
            if not late:
                break
    print(
        f"caught up {CATCH_UP} at a time in {time.perf_counter() - began:.0f} s (not timed); "
        f"{len(late)} reps still could not sign in and download: left out"
    )
    left_out = {rep.name for rep in late}
    return [rep for rep in reps if rep.name not in left_out]


def at_once(
    pool: ThreadPoolExecutor, reps: list[Rep], stats: PhaseStats, push_share: float
) -> None:
    """Every rep syncs at the same instant."""
    barrier = threading.Barrier(len(reps))

    def sync(rep: Rep) -> None:
        work = rep.rng.random() < push_share
        barrier.wait()
        rep.sync(stats, work=work)

    list(pool.map(sync, reps))


def paced(rep: Rep, stats: PhaseStats, args: argparse.Namespace) -> None:
    next_start = time.perf_counter() + rep.rng.uniform(0, args.interval)
    for _ in range(args.rounds):
        time.sleep(max(0.0, next_start - time.perf_counter()))
        next_start += args.interval
        rep.sync(stats, work=rep.rng.random() < args.push_share)


def _scope(reps: list[Rep]) -> None:
    """What each rep downloaded: the records of the kinds a rep works with, and all."""
    work = [sum(rep.store.pulled[k] for k in WORK_KINDS) for rep in reps]
    everything = [sum(rep.store.pulled.values()) for rep in reps]
    audit = [rep.store.pulled[EntityKind.AUDIT_ENTRY] for rep in reps]
    print(
        f"scope per rep: {min(work):,} / {median(work):,.0f} / {max(work):,} (min / median / "
        f"max) records of the six kinds a rep works with; {min(everything):,} / "
        f"{median(everything):,.0f} / {max(everything):,} records downloaded in all "
        f"(audit entries median {median(audit):,.0f})"
    )
    if min(work) < MIN_SCOPE:
        print(f"WARNING: a rep's scope is below the realistic {MIN_SCOPE:,} records")


def sync_benchmark(args: argparse.Namespace) -> None:
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    processes, workers = (1, 1) if args.sqlite else (args.processes, args.workers)
    names = [f"rep{i:04d}" for i in range(args.reps)]
    book = rep_book(args.contacts)
    print(
        f"sync benchmark: {args.reps} reps, each a book of {book.contacts} contacts, "
        f"{book.accounts} accounts, {book.opportunities} opportunities, {book.activities} "
        f"activities, {book.events} events, {book.tasks} tasks, {book.leads} leads; "
        f"{backend}, {processes} server process(es) x {workers} uvicorn worker(s), "
        f"{'cheap' if args.cheap_hashes else 'real (server default)'} argon2id hashes"
    )
    with tempfile.TemporaryDirectory() as workdir, seeded_database(args, names, workdir) as url:
        if not args.cheap_hashes:
            use_real_hashes(url)
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(server(url, workers, args.cheap_hashes))
                for _ in range(processes)
            ]
            run_all(servers, names, args, Path(workdir))


def rollup_benchmark(reps: int, opportunities: int, runs: int, explain: bool = False) -> None:
    with fresh_schema() as url:
        engine = make_engine(url)
        upgrade(engine)
        now = datetime.now(UTC)
        sessions = session_factory(engine)
        with sessions() as session:
            org = admin.create_org(session, "bench", now)
            cheap = hash_password(
                PASSWORD, ServerSettings(password_time_cost=1, password_memory_kib=1024)
            )
            vp = new_id()
            managers = [new_id() for _ in range(max(1, reps // 20))]
            rows = [{"id": vp, "manager_id": None, "role": Role.MANAGER.value}]
            rows += [{"id": m, "manager_id": vp, "role": Role.MANAGER.value} for m in managers]
            rep_ids = [new_id() for _ in range(reps)]
            rows += [
                {"id": r, "manager_id": managers[i % len(managers)], "role": Role.REP.value}
                for i, r in enumerate(rep_ids)
            ]
            session.execute(
                insert(User),
                [
                    {
                        **row,
                        "org_id": org.id,
                        "username": row["id"],
                        "name": row["id"][:8],
                        "email": "x@example.com",
                        "password_hash": cheap,
                        "active": True,
                        "resync_floor": 0,
                        "created_at": now,
                    }
                    for row in rows
                ],
            )
            session.commit()
        started = time.perf_counter()
        categories = [c.value for c in ForecastCategory]
        first = date(2026, 1, 1)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            columns = "id, org_id, owner_id, close_date, category, amount, currency"
            with cursor.copy(f"COPY opportunity_facts ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                rng = random.Random(7)
                for i in range(opportunities):
                    copy.write_row(
                        (
                            f"o{i}",
                            org.id,
                            rep_ids[i % reps],
                            first + timedelta(days=rng.randrange(730)),
                            rng.choice(categories),
                            rng.randrange(1, 10**7),
                            "EUR",
                        )
                    )
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE opportunity_facts"))  # as autovacuum would
        load = time.perf_counter() - started
        timings = []
        with sessions() as session:
            top = session.get_one(User, vp)
            for _ in range(runs):
                t0 = time.perf_counter()
                report = rollup(session, top, Period.parse("2026-Q4"), "EUR", now)
                timings.append(time.perf_counter() - t0)
                session.rollback()
            if explain:
                plan = session.execute(
                    text(
                        "EXPLAIN (ANALYZE, BUFFERS) SELECT owner_id, category, sum(amount) "
                        "FROM opportunity_facts WHERE org_id = :org AND close_date >= :start "
                        "AND close_date < :end AND currency = 'EUR' GROUP BY owner_id, category"
                    ),
                    {"org": org.id, "start": date(2026, 10, 1), "end": date(2027, 1, 1)},
                ).scalars()
                print("\n".join(plan))
        engine.dispose()
    print(
        f"\n== forecast rollup: {reps} reps, {len(managers)} managers, {opportunities:,} "
        f"opportunities (PostgreSQL, COPY load {load:.1f} s) =="
    )
    print(
        f"rollup 2026-Q4 for the whole org: median {median(timings) * 1000:.0f} ms "
        f"over {runs} runs (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}); "
        f"closed total {report.root.totals.closed:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument(
        "--contacts",
        type=int,
        default=500,
        help="contacts per rep; the rest of the book follows the demo mix "
        "(500: 2,000 records of the six kinds a rep works with)",
    )
    parser.add_argument("--rounds", type=int, default=4, help="paced syncs per rep (0: none)")
    parser.add_argument(
        "--interval", type=float, default=30.0, help="seconds between a rep's syncs (0: none)"
    )
    parser.add_argument("--push-share", type=float, default=1.0, help="syncs that push")
    parser.add_argument("--burst", action="store_true", help="then all reps sync at once")
    parser.add_argument("--burst-rounds", type=int, default=2)
    parser.add_argument(
        "--processes", type=int, default=2, help="server processes, each on its own port"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument(
        "--sqlite", action="store_true", help="sync benchmark on SQLite instead of PostgreSQL"
    )
    parser.add_argument(
        "--cheap-hashes", action="store_true", help="1 MiB argon2 hashes: a quick sign-in"
    )
    parser.add_argument("--fresh-seed", action="store_true", help="seed again, ignore the cache")
    parser.add_argument("--rollup-reps", type=int, default=1000)
    parser.add_argument("--opps", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-rollup", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the rollup's SQL plan")
    args = parser.parse_args()
    needs_pg = not args.skip_rollup or (not args.skip_sync and not args.sqlite)
    if needs_pg and not pg_reachable():
        sys.exit(
            f"server_bench: PostgreSQL is not reachable at {make_url(PG_URL).render_as_string()}"
            " (start it or set SFA_TEST_POSTGRES_URL; --sqlite --skip-rollup measures SQLite)"
        )
    if not args.skip_sync:
        sync_benchmark(args)
    if not args.skip_rollup:
        rollup_benchmark(args.rollup_reps, args.opps, args.runs, args.explain)


if __name__ == "__main__":
    main()
