"""The simulated desktops of server_bench: each is the app's own sync stack (SyncAccount,
SyncEngine, SyncClient: its retries, Retry-After, token refresh, gzip, pull parameters and
audit entries) on a lean local store, with every request timed."""

from __future__ import annotations

import dataclasses
import random
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from benchdata import Tap, account_edit
from stats import spread

from sfa_desktop.core.entities import Account, Activity, utcnow
from sfa_desktop.core.enums import Channel, EntityKind
from sfa_desktop.store import Store
from sfa_desktop.store.remote import PreparedPage
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import SyncError

KEPT = frozenset({EntityKind.ACCOUNT})  # what a simulated rep edits
VISIT_NOTES = (
    "Visited the plant with the purchasing lead. They plan to consolidate suppliers next "
    "year and asked for a revised offer with volume tiers and our delivery figures; "
    "the technical team wants a trial run of the new line in the spring."
)


class LeanStore(Store):
    """The app's store (cursor, download state, outbox and writes all real) that keeps
    only the accounts of each pulled page: the engine decodes and validates every page as
    in the app, the other kinds are counted and dropped (the box is shared with the
    server, whose work is the same either way)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulled: Counter[EntityKind] = Counter()

    def apply_page(self, session: Any, changes: Any, next_since: int, *options: Any) -> Any:
        if isinstance(changes, PreparedPage):
            for kind, batch in changes.upserts.items():
                self.pulled[kind] += len(batch.ids)
            kept = {kind: batch for kind, batch in changes.upserts.items() if kind in KEPT}
            changes = dataclasses.replace(changes, upserts=kept)
        return super().apply_page(session, changes, next_since, *options)


def _kind(path: str) -> str:
    return path.rsplit("/", 1)[-1]  # login, refresh, handshake, push, pull


def _server_seconds(headers: list[tuple[str, str]]) -> float | None:
    """The server's own time for a request (`Server-Timing: app;dur=<ms>`), if it says."""
    for name, value in headers:
        if name.lower() == "server-timing" and value.startswith("app;dur="):
            return float(value.removeprefix("app;dur=")) / 1000
    return None


class PhaseStats:
    """Latencies per kind (requests by path, and whole operations), errors, retries."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.statuses: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.requests = 0
        self._lock = threading.Lock()

    def sample(self, kind: str, seconds: float) -> None:
        with self._lock:
            self.samples.setdefault(kind, []).append(seconds)

    def request(self, kind: str, seconds: float, status: int, served: float | None) -> None:
        with self._lock:
            self.requests += 1
            self.samples.setdefault(f"{kind} request", []).append(seconds)
            if served is not None:
                self.samples.setdefault(f"{kind}, server", []).append(served)
            if status >= 400 or status == 0:
                self.statuses[f"{kind} {status or 'no answer'}"] += 1

    def error(self, what: str) -> None:
        with self._lock:
            self.errors[what] += 1

    def report(self, title: str, phase: dict[str, float]) -> None:
        print(f"\n== {title} ==")
        for kind, values in self.samples.items():
            print(f"{kind:>18}: {spread(values)}")
        elapsed = phase["elapsed"]
        syncs = len(self.samples.get("sync", []))
        print(
            f"throughput: {self.requests / elapsed:.0f} requests/s, {syncs / elapsed:.1f} "
            f"syncs/s over {elapsed:.1f} s; server CPU {phase['server']:.1f} s = "
            f"{1000 * phase['server'] / max(1, self.requests):.2f} ms per request "
            f"({100 * phase['server'] / elapsed:.0f}% of one core); PostgreSQL "
            f"{1000 * phase['postgres'] / max(1, self.requests):.2f} ms per request; bench "
            f"client CPU {100 * phase['client'] / elapsed:.0f}% of one core; whole box "
            f"{100 * phase['box']:.0f}% busy"
        )
        print(
            f"refused or failed requests (the client retried them): "
            f"{dict(self.statuses) or 'none'}; operations that failed: "
            f"{dict(self.errors) or 'none'}"
        )


class Board:
    """Where the requests of every rep are counted: the current phase's Stats."""

    def __init__(self) -> None:
        self.current = PhaseStats()

    def tap(self, waited: list[float]) -> Tap:
        """A desktop's transport reporting to the current phase; it adds the seconds of
        every request to `waited[0]` (the desktop's time spent waiting on the server) and
        the server's own seconds (its Server-Timing header) to `waited[1]`."""

        def count(
            request: httpx.Request, status: int, headers: list[Any], _raw: bytes, seconds: float
        ) -> None:
            served = _server_seconds(headers)
            waited[0] += seconds
            waited[1] += served or 0.0
            self.current.request(_kind(request.url.path), seconds, status, served)

        return Tap(count)


@dataclass
class Rep:
    """One desktop: its store, its signed-in SyncAccount (the app's), its server."""

    name: str
    password: str
    url: str
    store: LeanStore
    account: SyncAccount
    waited: list[float]  # seconds in requests so far, and the server's share (Board.tap)
    rng: random.Random = field(default_factory=random.Random)

    def sign_in(self, stats: PhaseStats) -> bool:
        """Sign in as the app does (its retries, Retry-After); a rep whose sign-in failed
        tries again, twice."""
        for _attempt in range(3):
            started = time.perf_counter()
            try:
                self.account.sign_in(self.url, self.name, self.password, "bench laptop")
            except SyncError as error:
                stats.error(f"sign-in: {type(error).__name__}")
                continue
            stats.sample("sign-in", time.perf_counter() - started)
            return True
        return False

    def sync(self, stats: PhaseStats, kind: str = "sync", work: bool = False) -> bool:
        """One sync by the app's engine (True if it finished); with `work`, first the rep
        logs a visit and updates the account (through the store: the app's outbox)."""
        if work:
            self.work()
        started, waited, served = time.perf_counter(), self.waited[0], self.waited[1]
        try:
            self.account.engine().run_once()
        except SyncError as error:
            stats.error(f"{kind}: {type(error).__name__}")
            return False
        finally:
            stats.sample(kind, time.perf_counter() - started)  # a failed sync counts too
            # The server's share: the rest is the simulated desktop's own work, done here
            # in one process with every other rep's, on the box the server runs on.
            stats.sample(f"{kind}, its requests", self.waited[0] - waited)
            stats.sample(f"{kind}, server time", self.waited[1] - served)
        return True

    def start(self, stats: PhaseStats) -> bool:
        """Sign in (unless signed in), then the first sync: the download of the scope."""
        signed_in = self.account.username is not None or self.sign_in(stats)
        return signed_in and self.sync(stats, "download")

    def work(self) -> None:
        account = self.store.get(Account, self.rng.choice(self.store.ids(Account)))
        self.store.create(
            Activity,
            {
                "channel": Channel.VISIT,
                "subject": f"Visit at {account.name}"[:200],
                "notes": VISIT_NOTES,
                "occurred_at": utcnow() - timedelta(hours=1),
                "duration_minutes": 60,
                "account_id": account.id,
                "outcome": "Offer requested",
            },
        )
        self.store.update(
            Account, account.id, account_edit(account, self.rng, self.rng.randrange(2))
        )


def make_reps(
    names: list[str], urls: list[str], password: str, board: Board, workdir: Path
) -> list[Rep]:
    """A desktop per rep, each with its own (plain) store file, spread over the servers."""
    template = workdir / "template.db"
    Store.open(template, key=None).close()
    reps = []
    for index, name in enumerate(names):
        path = workdir / f"{name}.db"
        shutil.copyfile(template, path)
        store = LeanStore.open(path, key=None)
        waited = [0.0, 0.0]
        account = SyncAccount(store, Credentials(persistent=False), board.tap(waited))
        reps.append(Rep(name, password, urls[index % len(urls)], store, account, waited))
    return reps
