"""Tools of the kill test (tests/e2e/test_e2e_kill.py).

- `KillableServer`: a real `sfa-server` process that is SIGKILLed and started again on
  its port;
- `WireTap`: the devices' HTTP transport; it knows which requests are in flight (what a
  kill interrupted), shows the test every push the server answered (for the model), and
  can kill the server right after it answered a push, before the answer reaches the
  device (a commit the device never hears of);
- a child process (`python tests/kill_kit.py SPEC`) that opens a device's store and runs
  one sync, saying on stdout when it pushed a batch or applied a pull page so the test
  can SIGKILL it there. It keeps its rotated sign-in in a file (the app's keyring) and
  writes each push the server answered to a file, for the model.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sync_model import Notice

from sfa_desktop.core.entities import Account
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials, SavedSession
from sfa_desktop.sync.local_server import ServerProcess
from sfa_desktop.sync.retry import RetryPolicy
from sync_server.db import make_engine
from sync_server.models import Counter

# A dead server is seen at once (connection refused): one quick second try, no backoff.
FAST_RETRY = RetryPolicy(attempts=2, backoff_seconds=0.01, login_budget_seconds=5)
PUSH = "/api/v1/sync/push"

Observe = Callable[[httpx.Request, httpx.Response], None]


class KillableServer(ServerProcess):
    """`sfa-server serve` that can die by SIGKILL at any moment and come back on its port."""

    def kill(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
        self._process = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None


class WireTap(httpx.BaseTransport):
    """A real HTTP transport that notes what is in flight and shows answered pushes."""

    def __init__(self, observe: Observe) -> None:
        self.inner = httpx.HTTPTransport()
        self.observe = observe
        self.cut_next_push: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._in_flight: collections.Counter[str] = collections.Counter()

    def in_flight(self) -> list[str]:
        """The requests under way (pulls overlap: one is fetched while one is applied)."""
        with self._lock:
            return sorted(+self._in_flight)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        with self._lock:
            self._in_flight[name] += 1
        try:
            response = self.inner.handle_request(request)
            response.read()
        finally:
            with self._lock:
                self._in_flight[name] -= 1
        cut = self.cut_next_push
        if cut is not None and request.url.path == PUSH and response.status_code == 200:
            self.cut_next_push = None
            cut()  # the server committed and dies before its answer leaves
            raise httpx.ReadError("the server died before answering", request=request)
        self.observe(request, response)
        return response

    def close(self) -> None:
        self.inner.close()


def head_reader(database_url: str) -> tuple[Engine, Callable[[], int]]:
    """An engine on the server's database and a function reading its version counter."""
    engine = make_engine(database_url, pool_size=1)

    def head() -> int:
        with engine.connect() as connection:
            return int(connection.scalar(select(Counter.value)) or 0)

    return engine, head


def same(actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> list[str]:
    """How `actual` differs from `expected`: every expected record with every field the
    model knows, and nothing more."""
    problems = [f"missing {i}" for i in sorted(expected.keys() - actual.keys())]
    problems += [f"extra {i}" for i in sorted(actual.keys() - expected.keys())]
    for record_id in sorted(expected.keys() & actual.keys()):
        held = {name: actual[record_id].get(name) for name in expected[record_id]}
        if held != expected[record_id]:
            problems.append(f"{record_id}: {held} != {expected[record_id]}")
    return problems


def inbox(store: Store) -> collections.Counter[Notice]:
    """The device's conflict inbox as the model writes it (refusals have no field)."""
    return collections.Counter(
        Notice(c.entity_id, c.field, c.kept_value, c.lost_value)
        if c.field
        else Notice(c.entity_id, "", None, c.lost_value["op"])
        for c in store.conflicts(include_resolved=True)
    )


def rescued(store: Store) -> object:
    """What `Store.open` rescued (None: the file opened as it was)."""
    return getattr(store, "rescued", None)


# -- the child process ----------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpec:
    """What the child syncs: the store, the sign-in file it reads and keeps current, the
    file of answered pushes, the server's database (for the version counter), the
    download page size and how many accounts to create once the first page is applied."""

    store: str
    session: str
    observations: str
    database_url: str
    download_limit: int = 5_000
    writes_during_pull: int = 0

    def encode(self) -> str:
        return json.dumps(self.__dict__)


def save_session(path: Path, saved: SavedSession) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(saved.__dict__))
    os.replace(temporary, path)


def load_session(path: Path) -> SavedSession:
    return SavedSession(**json.loads(path.read_text()))


def read_observations(path: Path) -> Iterator[tuple[bytes, str | None, bytes, int]]:
    """The pushes the child saw answered, in order (a line cut by the kill is skipped:
    the child died before its client read that answer)."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        try:
            seen = json.loads(line)
        except ValueError:
            continue
        request, answer = base64.b64decode(seen["request"]), base64.b64decode(seen["answer"])
        yield request, seen["encoding"], answer, seen["head"]


class _FileCredentials(Credentials):
    """In memory, and every rotated session written to a file at once (as the app keeps it
    in the keyring)."""

    session_file: Path | None = None

    def save(self, server_url: str, username: str, saved: SavedSession) -> None:
        super().save(server_url, username, saved)
        if self.session_file is not None:
            save_session(self.session_file, saved)


class _TellingStore(Store):
    """Says on stdout when a push batch was recorded and a pull page applied."""

    writes_during_pull = 0
    _pages = 0

    def record_push(self, results: Any, last_seq: int) -> Any:
        changes = super().record_push(results, last_seq)
        print(f"pushed {last_seq}", flush=True)
        return changes

    def pull_writer(self, **options: Any) -> Any:
        return _TellingWriter(self, super().pull_writer(**options))


class _TellingWriter:
    """The store's pull writer, saying on stdout when a page was applied. After the
    first page the rep writes (`writes_during_pull`): the download's open transaction is
    committed first, as the rep's write would wait for it."""

    def __init__(self, store: _TellingStore, writer: Any) -> None:
        self.store, self.writer = store, writer

    def apply(self, page: Any, next_since: int) -> Any:
        applied = self.writer.apply(page, next_since)
        store = self.store
        store._pages += 1
        if store._pages == 1 and store.writes_during_pull:
            self.writer.commit()
            for number in range(store.writes_during_pull):
                store.create(Account, {"name": f"Written while pulling {number}"})
            made = [m.mutation_id for m in store.pending_mutations(100_000)]
            print(f"wrote {json.dumps(made)}", flush=True)
        print(f"pulled {next_since}", flush=True)
        return applied

    def commit(self) -> None:
        self.writer.commit()

    def __enter__(self) -> _TellingWriter:
        return self

    def __exit__(self, *error: Any) -> None:
        self.writer.__exit__(*error)


def child_sync(spec: ChildSpec) -> None:
    from store_keys import TEST_KEY

    _engine, head = head_reader(spec.database_url)
    observations = Path(spec.observations).open("a")  # noqa: SIM115 (open until killed)

    def observe(request: httpx.Request, response: httpx.Response) -> None:
        if request.url.path == PUSH and response.status_code == 200:
            seen = {
                "request": base64.b64encode(request.content).decode(),
                "encoding": request.headers.get("content-encoding"),
                "answer": base64.b64encode(response.content).decode(),
                "head": head(),
            }
            observations.write(json.dumps(seen) + "\n")
            observations.flush()

    _TellingStore.writes_during_pull = spec.writes_during_pull  # one store in this process
    store = _TellingStore.open(spec.store, key=TEST_KEY)
    credentials = _FileCredentials(persistent=False)
    account = SyncAccount(store, credentials, transport=WireTap(observe))
    server_url, username = account.server_url or "", account.username or ""
    credentials.save(server_url, username, load_session(Path(spec.session)))
    credentials.session_file = Path(spec.session)
    account.client().retry = FAST_RETRY
    engine = account.engine()
    engine.download_limit = spec.download_limit
    print("syncing", flush=True)
    engine.run_once()
    print("done", flush=True)


if __name__ == "__main__":
    child_sync(ChildSpec(**json.loads(sys.argv[1])))
