"""Sync server benchmark (prints figures; not a test).

1. N simulated reps (default 500) doing incremental syncs (handshake + small push + pull)
   concurrently against a real `sfa-server serve` on 127.0.0.1 in a subprocess: p50/p99
   latency and throughput. Each rep first signs in and does its initial full pull (timed
   apart); then each rep syncs every `--interval` seconds from a random phase, as desktops
   on a timer do (the client's default is every 15 minutes; 10 s is 90 times that). With
   `--interval 0` every rep syncs back to back: a saturation test of throughput, where
   latency is only queueing (N requests in flight / throughput).
2. Forecast rollup for 1,000 reps / 1M opportunities on PostgreSQL (bulk-loaded with COPY
   into a fresh schema): median of several timed runs of the rollup service.

    PYTHONPATH=. python benchmarks/server_bench.py [--reps 500] [--rounds 3] [--interval 10]
        [--workers 2] [--opps 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import create_engine, insert, text

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

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "benchmark-password"
CHEAP = {"SFA_PASSWORD_TIME_COST": "1", "SFA_PASSWORD_MEMORY_KIB": "1024"}


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


def seed_reps(url: str, reps: int) -> list[str]:
    settings = ServerSettings(database_url=url, password_time_cost=1, password_memory_kib=1024)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    names = [f"rep{i:04d}" for i in range(reps)]
    with session_factory(engine)() as session:
        admin.create_org(session, "bench", now)
        admin.create_user(
            session,
            "bench",
            "boss",
            name="Boss",
            email="boss@example.com",
            password=PASSWORD,
            role=Role.MANAGER,
            now=now,
            settings=settings,
        )
        for name in names:
            admin.create_user(
                session,
                "bench",
                name,
                name=name,
                email=f"{name}@example.com",
                password=PASSWORD,
                manager="boss",
                now=now,
                settings=settings,
            )
    engine.dispose()
    return names


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, workers: int = 1) -> Iterator[str]:
    port = free_port()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        **CHEAP,
        "SFA_SECRET_KEY": "bench-secret",
        "SFA_DB_POOL_SIZE": os.environ.get("BENCH_POOL", "8"),
        "PYTHONPATH": path,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync_server.cli",
            "--database-url",
            url,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
    )
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
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


async def sign_in(client: httpx.AsyncClient, name: str) -> tuple[dict[str, str], str, int]:
    """Sign in and pull the whole scope once (the initial sync): headers, device, since."""
    login = (
        await client.post(
            "/api/v1/auth/login",
            json={"username": name, "password": PASSWORD, "device_name": "bench"},
        )
    ).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    since = 0
    for _ in range(1000):
        page = (
            await client.get(
                "/api/v1/sync/pull", headers=headers, params={"since": since, "limit": 500}
            )
        ).json()
        since = page["next_since"]
        if not page["has_more"]:
            break
    return headers, login["device_id"], since


async def one_rep(
    client: httpx.AsyncClient,
    session: tuple[dict[str, str], str, int],
    rounds: int,
    interval: float,
    samples: dict[str, list[float]],
) -> None:
    headers, device_id, since = session
    seq = 0
    next_start = time.perf_counter() + random.uniform(0, interval)
    for _ in range(rounds):
        await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
        next_start += interval
        started = time.perf_counter()
        t0 = time.perf_counter()
        (
            await client.post(
                "/api/v1/sync/handshake",
                headers=headers,
                json={"client_time": datetime.now(UTC).isoformat()},
            )
        ).raise_for_status()
        t1 = time.perf_counter()
        mutations = []
        for _ in range(2):
            seq += 1
            mutations.append(
                {
                    "seq": seq,
                    "mutation_id": new_id(),
                    "entity": "task",
                    "entity_id": new_id(),
                    "op": "upsert",
                    "fields": {"title": f"call back {seq}"},
                }
            )
        push = await client.post(
            "/api/v1/sync/push",
            headers=headers,
            json={"device_id": device_id, "mutations": mutations},
        )
        push.raise_for_status()
        t2 = time.perf_counter()
        for _ in range(100):
            page = (
                await client.get(
                    "/api/v1/sync/pull", headers=headers, params={"since": since, "limit": 500}
                )
            ).json()
            since = page["next_since"]
            if not page["has_more"]:
                break
        t3 = time.perf_counter()
        samples["handshake"].append(t1 - t0)
        samples["push"].append(t2 - t1)
        samples["pull"].append(t3 - t2)
        samples["sync"].append(t3 - started)


async def run_reps(
    bases: list[str], names: list[str], rounds: int, interval: float
) -> tuple[dict[str, list[float]], float, float, float]:
    """Timings of the incremental syncs, their wall time, the sign-in phase's wall time and
    the client's CPU seconds during the incremental phase. Rep i talks to bases[i % n], as
    a load balancer would spread devices over server processes."""
    samples: dict[str, list[float]] = {"handshake": [], "push": [], "pull": [], "sync": []}
    # One client (one connection) per rep, as each desktop has its own: a single shared
    # httpx pool of N connections costs the client O(N) CPU per request and became the
    # bottleneck. Idle connections are dropped before uvicorn's 5 s keep-alive closes them.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=3)
    async with contextlib.AsyncExitStack() as stack:
        mine = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=bases[i % len(bases)], limits=limits, timeout=120, trust_env=False
                )
            )
            for i in range(len(names))
        ]
        t0 = time.perf_counter()
        sessions = await asyncio.wait_for(
            asyncio.gather(*(sign_in(c, n) for c, n in zip(mine, names, strict=True))),
            timeout=900,
        )
        signed_in = time.perf_counter() - t0
        cpu0 = time.process_time()
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    one_rep(c, s, rounds, interval, samples)
                    for c, s in zip(mine, sessions, strict=True)
                )
            ),
            timeout=900,
        )
        return (
            samples,
            time.perf_counter() - started,
            signed_in,
            time.process_time() - cpu0,
        )


def sync_benchmark(
    reps: int,
    rounds: int,
    interval: float,
    workers: int,
    processes: int,
    use_pg: bool,
    workdir: str,
) -> None:
    with fresh_database(use_pg, workdir) as url:
        names = seed_reps(url, reps)
        with contextlib.ExitStack() as stack:
            bases = [stack.enter_context(server(url, workers)) for _ in range(processes)]
            samples, elapsed, signed_in, client_cpu = asyncio.run(
                run_reps(bases, names, rounds, interval)
            )
    backend = "PostgreSQL" if use_pg else "SQLite"
    pacing = f"each every {interval:g} s" if interval > 0 else "back to back (saturation)"
    print(
        f"\n== incremental sync: {reps} reps x {rounds} rounds, {pacing}, {backend}, "
        f"{processes} server(s) x {workers} uvicorn worker(s) =="
    )
    print(f"sign-in + initial full pull of all reps (untimed below): {signed_in:.1f} s")
    for kind, values in samples.items():
        ms = [v * 1000 for v in values]
        print(
            f"{kind:>9}: p50 {percentile(ms, 0.5):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms"
            f"   max {max(ms):7.1f} ms"
        )
    requests = 3 * len(samples["sync"])
    print(
        f"throughput: {requests / elapsed:.0f} requests/s, {len(samples['sync']) / elapsed:.0f} "
        f"syncs/s ({elapsed:.1f} s in all); benchmark client CPU "
        f"{client_cpu:.1f} s = {100 * client_cpu / elapsed:.0f}% of one core"
    )


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--interval", type=float, default=10.0, help="seconds between a rep's syncs (0: none)"
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="server processes, each on its own port"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument("--sqlite", action="store_true", help="sync benchmark on SQLite")
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
            workers, processes = (args.workers, args.processes) if use_pg else (1, 1)
            sync_benchmark(
                args.reps, args.rounds, args.interval, workers, processes, use_pg, workdir
            )
    if not args.skip_rollup:
        if not pg_reachable():
            print("PostgreSQL unreachable: rollup benchmark skipped")
        else:
            rollup_benchmark(args.rollup_reps, args.opps, args.runs, args.explain)


if __name__ == "__main__":
    main()
