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
   retries, and the CPU of the server processes per request. The server's own time per
   request comes from its Server-Timing header, summed per sync. 500 desktops share this
   box's two cores with the servers: they run at a lower CPU priority (`--desktops-nice`,
   10 by default; in the field each has a machine of its own), so the request times they
   see include their own waits for the CPU and their process's GIL, the server's do not.
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
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktops import Board, PhaseStats, Rep, make_reps
from server_load import measured, peak_rss_mib, server
from server_seed import (
    PASSWORD,
    PG_URL,
    fresh_schema,
    pg_reachable,
    rep_book,
    seeded_database,
    use_real_hashes,
)
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from stats import against, median, percentile

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Role
from sfa_desktop.core.periods import Period
from sfa_desktop.sync.local_server import ServerProcess
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.migrate import upgrade
from sync_server.models import User
from sync_server.services import admin
from sync_server.services.auth import hash_password
from sync_server.services.forecast import rollup

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
SYNC_TARGET_MS = 300  # p99 of a paced sync (issue 24)
SIGN_IN_TARGET_S = 30  # p99 of a first sign-in in a burst of them (issue 24)
CATCH_UP = 8  # reps that sign in and download at once after a failed burst


def run_all(
    servers: list[ServerProcess], names: list[str], args: argparse.Namespace, workdir: Path
) -> None:
    board = Board()
    reps = make_reps(names, [s.url for s in servers], PASSWORD, board, workdir)
    with ThreadPoolExecutor(len(reps), thread_name_prefix="rep") as pool:
        stats = board.current = PhaseStats()
        with measured(servers) as phase:
            started = list(pool.map(lambda rep: rep.start(stats), reps))
        stats.report(
            f"sign-in burst: {len(names)} reps sign in at once and download their scope", phase
        )
        if stats.samples.get("sign-in"):  # the target is the sign-in; downloads have none
            p99 = percentile(stats.samples["sign-in"], 0.99)
            print(f"burst sign-in p99: {against(p99, SIGN_IN_TARGET_S, 's', at_most=True)}")
        reps = _finish_starts(reps, started)
        if not reps:
            print("no rep could sign in and download: nothing more to measure")
            return
        _scope(reps)
        peaks = ", ".join(f"{peak_rss_mib(s):.0f}" for s in servers)
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
                ("sync, server time", "the server's own time (its Server-Timing: from each "
                 "request reaching the app, queues included, to its answer)"),
                ("sync, its requests", "the server's share (the sync's requests as this bench "
                 "saw them, its own waits for the GIL and the CPU included)"),
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
            if args.desktops_nice:
                # The servers (started above) and PostgreSQL keep their priority; the
                # simulated desktops, which in the field run on machines of their own,
                # take the CPU they leave.
                os.nice(args.desktops_nice)
                print(f"simulated desktops at nice {args.desktops_nice}")
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
        "--desktops-nice",
        type=int,
        default=10,
        help="CPU niceness of the simulated desktops (0: the servers' own priority)",
    )
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
