"""One sync: handshake, push the outbox until empty, then pull pages until caught up."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, NoReturn

from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MAX_PUSH_MUTATIONS,
    PROTOCOL_VERSION,
    PushRequest,
)
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.migrate import HEAD_REVISION
from sfa_desktop.store.pull_writer import PullWriter
from sfa_desktop.store.remote import prepare_page
from sfa_desktop.sync.client import PulledPage, SyncClient, as_offline
from sfa_desktop.sync.errors import DeviceRevoked, DeviceWiped, SyncError
from sfa_desktop.sync.large_blocks import map_large_blocks
from sfa_desktop.sync.rates import fetch_rates
from sfa_desktop.sync.retry import TransientFailure

CLOCK_SKEW_WARNING = timedelta(minutes=5)
MAX_ROUNDS = 10_000  # a bound on push batches and pull pages in one sync
# Restarts of a download in one sync: one per admin change made while it runs.
MAX_RESETS = 5
# While pulling: the GIL's switch interval (Python's default: 5 ms), and the allocations
# of container objects between collections of the youngest generation (default: 700). The
# thread writing a page gets the GIL back after each SQLite statement only when the thread
# validating the next page lets go of it: at 5 ms the writer waited ~2.8 s of a
# 214k-record download. Decoding and validating a page makes ~100k dicts and models that
# live until it is written: at 700 the collector ran over them again and again, 1.3 s of
# the 4.2 s of CPU the download spent holding the GIL. Higher thresholds cost memory that
# the heap does not give back (a 535k-record download, peak RSS of the engine on recorded
# pages: 354 MiB at 700, 366 at 10,000, 555 at 50,000; 28.5k and 28.2k records/s).
PULL_SWITCH_INTERVAL = 0.001
PULL_GC_THRESHOLD = 10_000
# Seconds the download waits for a page with pages of its own uncommitted (PullWriter).
FETCH_WAIT_HOLDING_LOCK = 1.0


@dataclass
class SyncReport:
    """What one sync did."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    resets: int = 0
    changes: Changes = field(default_factory=Changes)
    warnings: list[str] = field(default_factory=list)
    finished_at: datetime | None = None
    mail: str = ""  # what email capture did after the sync (connectors.mail), for the status


class SyncEngine:
    """Runs syncs of one store against one server; not thread-safe (the scheduler serialises)."""

    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        on_wipe: Callable[[], None],
        push_batch: int = MAX_PUSH_MUTATIONS,
        pull_limit: int = DEFAULT_PULL_LIMIT,
        download_limit: int = MAX_PULL_LIMIT,
    ) -> None:
        self.store = store
        self.client = client
        self._on_wipe = on_wipe
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.download_limit = download_limit  # page size of a first download

    def run_once(self) -> SyncReport:
        """Sync now; raises Offline, AuthenticationRequired, ServerRefused or DeviceWiped."""
        report = SyncReport()
        try:
            self._handshake(report)
            self._push(report)
            self._pull(report)
            self._push(report)  # what the rep wrote while we pulled
            fetch_rates(self.client, self.store)  # for forecasts in other currencies
        except TransientFailure as error:
            raise as_offline(error) from error
        except DeviceRevoked as revoked:
            self._wipe(str(revoked))
        if problem := self.store.integrity_problem():  # never "Synced" on a damaged store
            raise SyncError(problem)
        report.finished_at = utcnow()
        self.store.set_state(last_sync=report.finished_at.isoformat())
        return report

    def _handshake(self, report: SyncReport) -> None:
        answer = self.client.handshake(utcnow(), schema_version=HEAD_REVISION)
        if answer.wipe:
            self._wipe(answer.message)
        if not answer.protocol_min <= PROTOCOL_VERSION <= answer.protocol_max:
            raise SyncError(
                f"This app speaks sync protocol {PROTOCOL_VERSION}; the server needs "
                f"{answer.protocol_min}–{answer.protocol_max}. Please update the app."
            )
        skew = abs(answer.server_time - utcnow())
        if skew > CLOCK_SKEW_WARNING:
            report.warnings.append(
                f"This computer's clock is {skew.total_seconds() / 60:.0f} minutes off the "
                "server's; reminders and activity times may be wrong."
            )

    def _wipe(self, reason: str) -> NoReturn:
        self._on_wipe()
        raise DeviceWiped(
            "This device was signed out by an administrator and its local data erased"
            + (f" ({reason})." if reason else ".")
        )

    def _push(self, report: SyncReport) -> None:
        device_id = self.store.state("device_id") or ""
        for _round in range(MAX_ROUNDS):
            batch = self.store.pending_mutations(self.push_batch)
            if not batch:
                return
            answer = self.client.push(PushRequest(device_id=device_id, mutations=batch))
            report.changes |= self.store.record_push(answer.results, answer.last_seq)
            report.pushed += sum(1 for r in answer.results if r.seq <= answer.last_seq)
            report.conflicts += sum(1 for r in answer.results if r.conflicts)
            report.rejected += sum(1 for r in answer.results if r.status == "rejected")
            if answer.last_seq < batch[0].seq:
                raise SyncError("The server acknowledged none of the pending changes.")
        raise SyncError("Too many changes to push in one sync; try again.")

    def _pull(self, report: SyncReport) -> None:
        """Pull pages until caught up.

        Each page lands with its cursor in the same transaction (a first download commits
        a few pages at a time, see PullWriter), so a crash resumes from the last committed
        page. A first download (or a re-download after `reset_required`) uses the largest
        pages and leaves the search index and the contact links to one pass at its end; a
        crash in between is finished by the next sync, which goes on with the same download.
        """
        since = self.store.pull_cursor()
        first = since == 0 or self.store.download_unfinished()
        with ThreadPoolExecutor(2, thread_name_prefix="sfa-pull") as workers, _tuned_for_pulling():
            while not self._pull_pages(workers, since, first, report):
                report.resets += 1
                if report.resets > MAX_RESETS:
                    raise SyncError("The server keeps asking for a full download; try later.")
                report.changes |= self.store.reset_for_download()
                since, first = 0, True

    def _pull_pages(
        self, workers: ThreadPoolExecutor, since: int, first: bool, report: SyncReport
    ) -> bool:
        """Apply pages from `since` until caught up (True) or told to start over (False).

        Three stages overlap: while page k is written (SQLite, without the GIL), one
        worker validates page k+1 and the other fetches page k+2 (the server's work).
        A download names the version it began at with each page (0 on its first: the
        server answers with it), so the server restarts it only for changes made after.
        """
        limit = self.download_limit if first else self.pull_limit
        began = (0 if since == 0 else self.store.download_began()) if first else None
        page = workers.submit(self.client.pull_page, since, limit, began).result()
        if page.reset_required:
            return False
        if first and since == 0:
            began = page.began
        preparing = workers.submit(prepare_page, page.changes, page.conflicts)
        fetching = (
            workers.submit(self.client.pull_page, page.next_since, limit, began)
            if page.has_more
            else None
        )
        # Only the page's cursor and size are kept here: its decoded records live in the
        # worker validating them, and no longer (a page of account plans is ~18 MiB).
        written = _Written.of(page)
        del page
        with self.store.pull_writer(first_download=first, began=began) as writer:
            for _round in range(MAX_ROUNDS):
                following = _fetched(fetching, writer)
                fetching, after = None, None
                if following is not None:
                    after = _Written.of(following)
                    if not following.reset_required:
                        next_preparing = workers.submit(
                            prepare_page, following.changes, following.conflicts
                        )
                        if following.has_more:
                            fetching = workers.submit(
                                self.client.pull_page, following.next_since, limit, began
                            )
                    del following
                report.changes |= writer.apply(preparing.result(), written.next_since)
                report.pulled += written.records
                if after is None:
                    writer.commit()
                    if first:
                        report.changes |= self.store.finish_download()
                    return True
                if after.reset_required:
                    return False
                written, preparing = after, next_preparing
            raise SyncError("The download did not finish in one sync; it resumes next time.")


class _Written(NamedTuple):
    """What the pipeline keeps of a pulled page while it is validated and written."""

    next_since: int
    records: int
    reset_required: bool

    @classmethod
    def of(cls, page: PulledPage) -> _Written:
        return cls(page.next_since, len(page.changes), page.reset_required)


def _fetched(fetching: Future[PulledPage] | None, writer: PullWriter) -> PulledPage | None:
    """The next page once fetched. A fetch that takes a while gets the store's write lock
    back first: refreshing the session on the way may write to the store (the session
    vault of a machine without a keyring), which would otherwise wait for the writer."""
    if fetching is None:
        return None
    try:
        return fetching.result(timeout=FETCH_WAIT_HOLDING_LOCK)
    except TimeoutError:
        writer.commit()
        return fetching.result()


@contextmanager
def _tuned_for_pulling() -> Iterator[None]:
    """The GIL passed between threads more often and the collector run less often while
    pulling (PULL_SWITCH_INTERVAL, PULL_GC_THRESHOLD); both are put back after. Large
    blocks are handed back to the system when freed, from then on (`map_large_blocks`)."""
    map_large_blocks()
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(PULL_SWITCH_INTERVAL)
    gc.set_threshold(PULL_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
