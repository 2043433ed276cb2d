"""Sync client benchmark over a real `sfa-server` on loopback.

1. Starts `sfa-server serve` on 127.0.0.1 (SQLite file) and seeds ~100k records in one
   rep's scope by pushing them as a device would.
2. In a fresh process: a new device downloads everything (records/s, wall time, peak
   RSS), then incremental syncs: 100 local edits pushed, and 100 edits made elsewhere
   pulled (median of several rounds).

    python benchmarks/sync_bench.py [--records 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Mutation, MutationOp, PushRequest
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "benchmark password"
SERVER_OWNED = {EntityKind.USER, EntityKind.QUOTA}


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
        seeder = SyncAccount(Store.open(Path(folder) / "seed.db"), Credentials(persistent=False))
        user = seeder.sign_in(url, "rep", PASSWORD, "seeder")
        client = seeder.engine().client
        device_id = seeder.store.state("device_id") or ""
        batch: list[Mutation] = []
        seq = 0

        def flush() -> None:
            if batch:
                client.push(PushRequest(device_id=device_id, mutations=batch))
                batch.clear()

        for record in generate(_size(records), seed=11, today=date.today()):
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


def measure(url: str, rounds: int) -> None:
    """Run in a fresh process so its peak RSS is the client's alone."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = SyncAccount(Store.open(Path(folder) / "fresh.db"), Credentials(persistent=False))
        fresh.sign_in(url, "rep", PASSWORD, "fresh laptop")
        started = time.perf_counter()
        report = fresh.engine().run_once()
        download = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"fresh download        {report.pulled:,} records in {download:.1f} s "
            f"= {report.pulled / download:,.0f} records/s, peak RSS {rss:.0f} MiB"
        )

        other = SyncAccount(Store.open(Path(folder) / "other.db"), Credentials(persistent=False))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.rounds)
        return
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(
            {"SFA_DATABASE_URL": f"sqlite:///{Path(folder) / 'server.db'}", "SFA_SECRET_KEY": "b"}
        )
        server.run("migrate")
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
        with server:
            t0 = time.perf_counter()
            seeded = _seed(server.url, args.records)
            print(
                f"server seeded         {seeded:,} records pushed in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            subprocess.run(
                [sys.executable, __file__, "--measure", server.url, "--rounds", str(args.rounds)],
                check=True,
                timeout=1800,
            )


if __name__ == "__main__":
    main()
