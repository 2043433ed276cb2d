"""Sync server benchmark (prints figures; not a test).

1. N simulated reps (default 500), each with a small book (accounts with contacts and an
   opportunity), against real `sfa-server serve` processes on 127.0.0.1 (one port each, as
   behind a load balancer), PostgreSQL unless `--sqlite`:
   - sign-in burst: every rep signs in at once (real argon2id cost unless
     `--cheap-hashes`), retrying 429/503 after Retry-After as the desktop client should,
     then downloads its scope (timed apart);
   - paced incremental syncs (the target): each rep syncs every `--interval` seconds
     (default 30) from a random phase. The desktop's background sync runs every 15
     minutes, so 500 reps make ~0.6 syncs/s; every 30 s is 30 times that (~17 syncs/s).
     A sync is what the desktop does: handshake, a push of 2 mutations (a new task and an
     edit of one of the rep's accounts; `--push-share` of the syncs push), pull pages until
     caught up;
   - `--burst`: every rep syncs at the same instant, `--burst-rounds` times: the capacity
     figure (latency there is queueing: N syncs in flight / throughput), not the target;
   - `--interval 0`: back to back, the saturation throughput.
   Prints p50/p90/p99/max per request kind and per whole sync, throughput, errors and
   retries, and the CPU of the server processes per request.
2. Forecast rollup for 1,000 reps / 1M opportunities on PostgreSQL (bulk-loaded with COPY
   into a fresh schema): median of several timed runs of the rollup service.

    PYTHONPATH=. python benchmarks/server_bench.py [--reps 500] [--interval 30] [--rounds 4]
        [--burst] [--processes 2] [--workers 1] [--sqlite] [--cheap-hashes] [--skip-rollup]

`BENCH_SERVER_ROOT=/path/to/other/checkout` runs that tree's server (before/after runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import ssl
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text, update

from sfa_desktop.core.entities import Account, Contact, Opportunity
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.periods import Period
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.migrate import upgrade
from sync_server.models import User
from sync_server.services import admin
from sync_server.services.auth import hash_password
from sync_server.services.forecast import rollup
from sync_server.services.records import VersionBlock, save

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "benchmark-password"
CHEAP = {"SFA_PASSWORD_TIME_COST": "1", "SFA_PASSWORD_MEMORY_KIB": "1024"}
KINDS = ("login", "handshake", "push", "pull", "sync")


@contextmanager
def fresh_database(use_pg: bool, workdir: str) -> Iterator[str]:
    """A URL to an empty database: a new PostgreSQL schema, or a SQLite file."""
    if not use_pg:
        yield f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:8]}.db"
        return
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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def seed_reps(url: str, reps: int, accounts: int, real_hashes: bool) -> list[str]:
    """A manager and `reps` reps, each owning `accounts` accounts with two contacts and one
    opportunity each. With `real_hashes` every password hash has the server's default cost
    (one hash computed here and shared: hashing 500 at seed time would take minutes)."""
    cheap = ServerSettings(database_url=url, password_time_cost=1, password_memory_kib=1024)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    names = [f"rep{i:04d}" for i in range(reps)]
    sessions = session_factory(engine)
    with sessions() as session:
        admin.create_org(session, "bench", now)
        org_id = admin.org_by_name(session, "bench").id
        people = {"boss": None, **dict.fromkeys(names, "boss")}
        for name, manager in people.items():
            user = admin.create_user(
                session,
                "bench",
                name,
                name=name,
                email=f"{name}@example.com",
                password=PASSWORD,
                role=Role.MANAGER if manager is None else Role.REP,
                manager=manager,
                now=now,
                settings=cheap,
            )
            if manager is None:
                continue
            block = VersionBlock(session)
            for a in range(accounts):
                account = Account.parse(
                    {"id": new_id(), "name": f"{name} customer {a}", "owner_id": user.id}
                )
                save(session, org_id, account, actor=user.id, now=now)
                for c in range(2):
                    contact = Contact.parse(
                        {
                            "id": new_id(),
                            "account_id": account.id,
                            "last_name": f"Person {c}",
                            "owner_id": user.id,
                        }
                    )
                    save(session, org_id, contact, actor=user.id, now=now)
                deal = Opportunity.parse(
                    {
                        "id": new_id(),
                        "account_id": account.id,
                        "name": f"Deal {a}",
                        "amount": 100_000 * (a + 1),
                        "close_date": "2026-12-15",
                        "owner_id": user.id,
                    }
                )
                save(session, org_id, deal, actor=user.id, now=now)
            block.close()
            session.commit()
        if real_hashes:
            session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
            session.commit()
    engine.dispose()
    return names


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


class Stats:
    """Latencies per kind, errors, retries (a retried request counts once, with its waits)."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.requests = 0

    def report(
        self,
        title: str,
        elapsed: float,
        server_cpu: float,
        client_cpu: float,
        box: float,
        postgres: float,
    ) -> None:
        print(f"\n== {title} ==")
        for kind, values in self.samples.items():
            if not values:
                continue
            ms = [v * 1000 for v in values]
            print(
                f"{kind:>9}: n {len(ms):5d}   p50 {percentile(ms, 0.5):7.1f} ms   p90 "
                f"{percentile(ms, 0.9):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms   "
                f"max {max(ms):7.1f} ms"
            )
        syncs = len(self.samples["sync"])
        print(
            f"throughput: {self.requests / elapsed:.0f} requests/s, {syncs / elapsed:.1f} "
            f"syncs/s over {elapsed:.1f} s; server CPU {server_cpu:.1f} s = "
            f"{1000 * server_cpu / max(1, self.requests):.2f} ms per request "
            f"({100 * server_cpu / elapsed:.0f}% of one core); PostgreSQL "
            f"{1000 * postgres / max(1, self.requests):.2f} ms per request; bench client CPU "
            f"{100 * client_cpu / elapsed:.0f}% of one core; whole box {100 * box:.0f}% busy"
        )
        print(f"errors: {dict(self.errors) or 'none'}; retried: {dict(self.retries) or 'none'}")


class Retry(Exception):
    def __init__(self, reason: str, wait: float | None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


async def call(
    client: httpx.AsyncClient, stats: Stats, kind: str, method: str, path: str, **kwargs: Any
) -> Any:
    """One protocol call as the desktop client makes it: transient failures (a dropped
    connection, 429/503/5xx) are retried, after Retry-After when the server gives one."""
    for attempt in range(8):
        stats.requests += 1
        try:
            response = await client.request(method, path, **kwargs)
            if response.status_code in (429, 500, 502, 503, 504):
                after = response.headers.get("retry-after")
                raise Retry(str(response.status_code), float(after) if after else None)
            response.raise_for_status()
            return json.loads(response.content)
        except (httpx.TransportError, Retry) as error:
            reason = error.reason if isinstance(error, Retry) else type(error).__name__
            stats.retries[f"{kind} {reason}"] += 1
            wait = error.wait if isinstance(error, Retry) and error.wait else None
            await asyncio.sleep(wait or min(8.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.5))
    stats.errors[f"{kind} gave up"] += 1
    raise RuntimeError(f"{kind} failed 8 times")


@dataclass
class Rep:
    """One simulated desktop: its connection, tokens, cursor, outbox seq, known accounts."""

    name: str
    client: httpx.AsyncClient
    headers: dict[str, str] = field(default_factory=dict)
    device_id: str = ""
    since: int = 0
    seq: int = 0
    accounts: dict[str, int] = field(default_factory=dict)  # id -> version last seen

    async def sign_in(self, stats: Stats) -> None:
        t0 = time.perf_counter()
        body = {"username": self.name, "password": PASSWORD, "device_name": "bench"}
        login = await call(self.client, stats, "login", "POST", "/api/v1/auth/login", json=body)
        stats.samples["login"].append(time.perf_counter() - t0)
        self.headers = {"Authorization": f"Bearer {login['access_token']}"}
        self.device_id = login["device_id"]
        await self.pull(stats, "initial pull", 5000)

    async def pull(self, stats: Stats, kind: str, limit: int = 1000) -> None:
        for _ in range(1000):
            page = await call(
                self.client,
                stats,
                kind,
                "GET",
                "/api/v1/sync/pull",
                headers=self.headers,
                params={"since": self.since, "limit": limit},
            )
            for change in page["changes"]:
                if change["entity"] == "account" and change["op"] == "upsert":
                    self.accounts[change["entity_id"]] = change["version"]
            self.since = page["next_since"]
            if not page["has_more"]:
                return

    async def sync(self, stats: Stats, push: bool) -> None:
        started = time.perf_counter()
        body = {"client_time": datetime.now(UTC).isoformat()}
        await call(
            self.client,
            stats,
            "handshake",
            "POST",
            "/api/v1/sync/handshake",
            headers=self.headers,
            json=body,
        )
        t1 = time.perf_counter()
        stats.samples["handshake"].append(t1 - started)
        if push:
            await self.push(stats)
            stats.samples["push"].append(time.perf_counter() - t1)
        t2 = time.perf_counter()
        await self.pull(stats, "pull")
        t3 = time.perf_counter()
        stats.samples["pull"].append(t3 - t2)
        stats.samples["sync"].append(t3 - started)

    async def push(self, stats: Stats) -> None:
        """A new task and an edit of one of the rep's accounts (field-level merge path)."""
        account_id = random.choice(list(self.accounts)) if self.accounts else None
        edits = [("task", new_id(), {"title": f"call back {self.seq}"}, None)]
        if account_id is not None:
            phone = f"+49 30 {random.randrange(10**6, 10**7)}"
            edits.append(("account", account_id, {"phone": phone}, self.accounts[account_id]))
        mutations = []
        for entity, entity_id, fields, base in edits:
            self.seq += 1
            mutations.append(
                {
                    "seq": self.seq,
                    "mutation_id": new_id(),
                    "entity": entity,
                    "entity_id": entity_id,
                    "op": "upsert",
                    "fields": fields,
                    "base_version": base,
                }
            )
        body = {"device_id": self.device_id, "mutations": mutations}
        answer = await call(
            self.client, stats, "push", "POST", "/api/v1/sync/push", headers=self.headers, json=body
        )
        for result in answer["results"]:
            if result["status"] not in ("applied", "duplicate"):
                stats.errors[f"push {result['status']}"] += 1


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
    out["postgres"] = postgres_cpu() - pg0
    out["client"] = time.process_time() - client0
    out["box"] = (busy1 - busy0) / max(1e-9, total1 - total0)


async def run_all(servers: list[ServerProcess], names: list[str], args: argparse.Namespace) -> None:
    # One client (one connection) per rep, as each desktop has its own; one TLS context for
    # all (httpx builds one per client otherwise). The connection is dropped after 3 s idle,
    # below the server's keep-alive, as the desktop's httpx does after 5 s.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=3)
    context = ssl.create_default_context()
    headers = {"Accept-Encoding": "gzip"}
    async with contextlib.AsyncExitStack() as stack:
        reps = [
            Rep(
                name,
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        base_url=servers[i % len(servers)].base,
                        limits=limits,
                        timeout=120,
                        trust_env=False,
                        verify=context,
                        headers=headers,
                    )
                ),
            )
            for i, name in enumerate(names)
        ]
        stats = Stats()
        with measured(servers) as phase:
            await asyncio.wait_for(asyncio.gather(*(r.sign_in(stats) for r in reps)), 1800)
        stats.report(
            f"sign-in burst: {len(reps)} reps sign in at once and download their scope",
            phase["elapsed"],
            phase["server"],
            phase["client"],
            phase["box"],
            phase["postgres"],
        )
        peaks = ", ".join(f"{s.peak_rss_mib():.0f}" for s in servers)
        print(f"peak memory of each server process so far: {peaks} MiB")
        if args.rounds:
            stats = Stats()
            with measured(servers) as phase:
                await asyncio.wait_for(asyncio.gather(*(paced(r, stats, args) for r in reps)), 3600)
            pacing = (
                f"each every {args.interval:g} s from a random phase"
                if args.interval > 0
                else "back to back (saturation)"
            )
            stats.report(
                f"incremental sync: {len(reps)} reps x {args.rounds} rounds, {pacing}",
                phase["elapsed"],
                phase["server"],
                phase["client"],
                phase["box"],
                phase["postgres"],
            )
        for round_ in range(args.burst_rounds if args.burst else 0):
            stats = Stats()
            await asyncio.sleep(4)  # idle connections close, as between real syncs
            with measured(servers) as phase:
                push = [random.random() < args.push_share for _ in reps]
                await asyncio.gather(*(r.sync(stats, p) for r, p in zip(reps, push, strict=True)))
            stats.report(
                f"burst {round_ + 1}: all {len(reps)} reps sync at the same instant "
                "(capacity, not the target)",
                phase["elapsed"],
                phase["server"],
                phase["client"],
                phase["box"],
                phase["postgres"],
            )


async def paced(rep: Rep, stats: Stats, args: argparse.Namespace) -> None:
    next_start = time.perf_counter() + random.uniform(0, args.interval)
    for _ in range(args.rounds):
        await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
        next_start += args.interval
        await rep.sync(stats, random.random() < args.push_share)


def sync_benchmark(args: argparse.Namespace, use_pg: bool, workdir: str) -> None:
    backend = "PostgreSQL" if use_pg else "SQLite"
    processes, workers = (args.processes, args.workers) if use_pg else (1, 1)
    print(
        f"sync benchmark: {args.reps} reps x {args.accounts} accounts (+2 contacts, 1 deal "
        f"each), {backend}, {processes} server process(es) x {workers} uvicorn worker(s), "
        f"{'cheap' if args.cheap_hashes else 'real (server default)'} argon2id hashes; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    with fresh_database(use_pg, workdir) as url:
        names = seed_reps(url, args.reps, args.accounts, not args.cheap_hashes)
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(server(url, workers, args.cheap_hashes))
                for _ in range(processes)
            ]
            runner: Any = asyncio.run
            with contextlib.suppress(ImportError):
                import uvloop  # a lean client leaves more of the 2 cores to the server

                runner = uvloop.run
            runner(run_all(servers, names, args))


def rollup_benchmark(reps: int, opportunities: int, runs: int, explain: bool = False) -> None:
    with fresh_database(True, "") as url:
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
        f"rollup 2026-Q4 for the whole org: median {statistics.median(timings) * 1000:.0f} ms "
        f"over {runs} runs (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}); "
        f"closed total {report.root.totals.closed:,}"
    )


def pg_reachable() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=10, help="accounts per rep")
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
    parser.add_argument("--sqlite", action="store_true", help="sync benchmark on SQLite")
    parser.add_argument(
        "--cheap-hashes", action="store_true", help="1 MiB argon2 hashes: a quick sign-in"
    )
    parser.add_argument("--rollup-reps", type=int, default=1000)
    parser.add_argument("--opps", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-rollup", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the rollup's SQL plan")
    args = parser.parse_args()
    use_pg = pg_reachable() and not args.sqlite
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        if not args.skip_sync:
            sync_benchmark(args, use_pg, workdir)
    if not args.skip_rollup:
        if not pg_reachable():
            print("PostgreSQL unreachable: rollup benchmark skipped")
        else:
            rollup_benchmark(args.rollup_reps, args.opps, args.runs, args.explain)


if __name__ == "__main__":
    main()
