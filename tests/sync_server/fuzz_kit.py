"""Fuzzing helpers: a real server on a loopback socket, a seeded world, what the server stored,
and how bodies are sent (the hostile values and bodies are in fuzz_values.py).

The server runs in this process (uvicorn in a thread), so a test reads the database through
the app's own sessions to prove that a refused request wrote nothing.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pg_schema import fresh_schema
from server_kit import PASSWORD, make_settings, seed
from sqlalchemy import MetaData, Table, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from sfa_desktop.core.enums import EntityKind
from sync_server.app import create_app
from sync_server.config import ServerSettings
from sync_server.models import Counter, Device

# --- Hypothesis profiles --------------------------------------------------------------------
# CI runs a fixed, derandomized set of examples (reproducible, ~1 min for both databases on two
# cores); `SFA_SOAK=1` (or `SFA_SOAK=N`, a multiplier) runs many more with fresh randomness.
SOAK = os.environ.get("SFA_SOAK", "")
SCALE = (int(SOAK) if SOAK.isdigit() and int(SOAK) > 1 else 20) if SOAK else 1
settings.register_profile(
    "sfa-fuzz-ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "sfa-fuzz-soak",
    deadline=None,
    derandomize=False,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("sfa-fuzz-soak" if SOAK else "sfa-fuzz-ci")


def fuzz_settings(examples: int) -> settings:
    """The profile with `examples` examples (times the soak multiplier)."""
    return settings(PROFILE, max_examples=examples * SCALE)


# --- a real server on loopback ----------------------------------------------------------------


SERVER_ERRORS: list[BaseException] = []  # what the live server's app raised, newest last


class _KeepErrors:
    """Keep each exception the app raises, for the failing test to show. uvicorn is told not
    to log them: formatting a traceback parses source with `ast`, and on Python 3.11 two
    threads doing that at once (the server's log, pytest's report) end in a SystemError."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            SERVER_ERRORS.append(exc)
            raise


def explain(response: httpx.Response) -> str:
    """The answer, with the server's traceback if it failed."""
    text = f"{response.status_code} {response.text[:1000]}"
    if response.status_code >= 500 and SERVER_ERRORS:
        text += "\n" + "".join(traceback.format_exception(SERVER_ERRORS[-1]))
    return text


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            _KeepErrors(app),
            host="127.0.0.1",
            port=0,
            log_level="critical",
            access_log=False,
            timeout_keep_alive=60,  # longer than any client reuse: no "server disconnected"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="fuzz-server", daemon=True)
        self.url = ""

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fuzz server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextmanager
def database_url(kind: str, tmp: Any) -> Iterator[str]:
    """An empty database: a SQLite file under `tmp`, or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'fuzz.db'}"
        return
    with fresh_schema("sfa_fuzz") as url:
        yield url


def fuzz_settings_for(url: str) -> ServerSettings:
    # Sign-in failures are rate limited per account and address: the fuzzer sends thousands
    # from one address, and a 429 for all of them would hide every bug behind the limit.
    unlimited = 10**9
    return make_settings(
        url,
        login_max_failures=unlimited,
        login_max_account_failures=unlimited,
        login_max_address_failures=unlimited,
    )


# --- the seeded world -------------------------------------------------------------------------

USERS = ("boss", "mia", "rob", "ria", "eve")
IGNORED_TABLES = frozenset({"alembic_version", "login_failures"})  # failed sign-ins are counted


@dataclass(frozen=True)
class Snapshot:
    """Everything a request could have written, in comparable form."""

    counter: int
    tables: tuple[tuple[str, int], ...]
    records: tuple[int, int]  # sum and maximum of the records' versions
    devices: tuple[tuple[Any, ...], ...]  # id, last_seq, last_seen_at, token_epoch, revoked_at

    def seqs(self) -> dict[str, int]:
        return {device[0]: device[1] for device in self.devices}

    def without_device_progress(self) -> Snapshot:
        """The snapshot bar what a push that only rejected may change: last_seq, last seen."""
        devices = tuple((d[0], d[3], d[4]) for d in self.devices)
        return replace(self, devices=devices)

    def with_refusals(self, refused: int) -> Snapshot:
        """This snapshot once `refused` writes were refused: each is kept for its sender as
        one conflict record, under a version of its own, and nothing else is written."""
        tables = tuple(
            (name, count + refused if name == "conflicts" else count) for name, count in self.tables
        )
        return replace(self, counter=self.counter + refused, tables=tables)


@dataclass
class World:
    """A live server over a seeded database: org acme (boss > mia > rob, ria) and org other
    (eve), each signed in over the socket with records of their own."""

    url: str
    app: FastAPI
    http: httpx.Client
    ids: dict[str, str] = field(default_factory=dict)  # username -> user id
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # username -> login answer
    records: dict[str, dict[str, str]] = field(default_factory=dict)  # user -> entity -> id
    _tables: list[Table] = field(default_factory=list)

    @property
    def sessions(self) -> sessionmaker[Session]:
        sessions: sessionmaker[Session] = self.app.state.sessions
        return sessions

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]['access_token']}"}

    def device(self, username: str) -> str:
        device: str = self.tokens[username]["device_id"]
        return device

    def last_seq(self, username: str) -> int:
        with self.sessions() as session:
            return int(session.get_one(Device, self.device(username)).last_seq)

    def snapshot(self) -> Snapshot:
        with self.sessions() as session:
            if not self._tables:
                names = inspect(session.get_bind()).get_table_names()
                metadata = MetaData()
                self._tables = [
                    Table(name, metadata, autoload_with=session.get_bind())
                    for name in sorted(set(names) - IGNORED_TABLES)
                ]
            tables = tuple(
                (table.name, int(session.scalar(select(func.count()).select_from(table)) or 0))
                for table in self._tables
            )
            records_table = next(t for t in self._tables if t.name == "records")
            versions = session.execute(
                select(
                    func.coalesce(func.sum(records_table.c.version), 0),
                    func.coalesce(func.max(records_table.c.version), 0),
                )
            ).one()
            records = (int(versions[0]), int(versions[1]))  # any write moves a version
            devices = tuple(
                (d.id, d.last_seq, d.last_seen_at, d.token_epoch, d.revoked_at)
                for d in session.scalars(select(Device).order_by(Device.id))
            )
            counter = int(session.scalar(select(Counter.value)) or 0)
        return Snapshot(counter, tables, records, devices)

    def login(self, username: str, device: str = "fuzz") -> dict[str, Any]:
        response = self.http.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD, "device_name": device},
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def push(self, username: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        """Push `mutations` renumbered from the device's next seq; the answer must be 200."""
        last = self.last_seq(username)
        numbered = [{**m, "seq": last + i + 1} for i, m in enumerate(mutations)]
        body = {"device_id": self.device(username), "mutations": numbered}
        response = self.http.post(
            "/api/v1/sync/push", content=encode(body), headers=json_headers(self, username)
        )
        assert response.status_code == 200, explain(response)
        answer: dict[str, Any] = response.json()
        return answer

    def create(self, username: str, entity: EntityKind, fields: dict[str, Any]) -> str:
        record_id = str(uuid.uuid4())
        mutation = upsert(entity, record_id, fields)
        result = self.push(username, [mutation])["results"][0]
        assert result["status"] == "applied", result
        self.records.setdefault(username, {})[entity.value] = record_id
        return record_id


@contextmanager
def live_world(kind: str, tmp: Any) -> Iterator[World]:
    """A seeded server on `kind` ("sqlite" or "postgres") serving on loopback."""
    with database_url(kind, tmp) as url:
        app = create_app(fuzz_settings_for(url))
        org = seed(TestClient(app))  # writes through the app's sessions; starts nothing
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as http:
            world = World(server.url, app, http, ids=dict(org.ids))
            for username in USERS:
                world.tokens[username] = world.login(username)
            for username in ("rob", "ria", "eve"):
                _give_records(world, username)
            yield world


def _give_records(world: World, username: str) -> None:
    """An account with a contact, an opportunity (with a stage change), a lead and a task."""
    account = world.create(username, EntityKind.ACCOUNT, {"name": f"{username} GmbH"})
    world.create(username, EntityKind.CONTACT, {"account_id": account, "last_name": "Kim"})
    opportunity = world.create(
        username,
        EntityKind.OPPORTUNITY,
        {"account_id": account, "name": "Deal", "amount": 500, "close_date": "2026-11-30"},
    )
    world.create(
        username,
        EntityKind.STAGE_CHANGE,
        {
            "opportunity_id": opportunity,
            "to_stage": "proposal",
            "changed_at": "2026-10-01T09:00:00Z",
        },
    )
    world.create(username, EntityKind.LEAD, {"company": "Leadco"})
    world.create(username, EntityKind.TASK, {"title": "Call back", "account_id": account})


# --- bodies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A fragment put into a JSON body verbatim (invalid UTF-8, nesting too deep to encode)."""

    fragment: bytes


def encode(value: Any) -> bytes:
    """`value` as JSON bytes: NaN/Infinity as the bare words Python's json accepts, lone
    surrogates as \\u escapes, and each `Raw` spliced in as it is."""
    raws: list[bytes] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item.fragment)
            return f"\x01raw{len(raws) - 1}\x01"
        if isinstance(item, dict):
            return {mark(k): mark(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [mark(v) for v in item]
        return item

    text = json.dumps(mark(value), allow_nan=True).encode("ascii")
    for index, fragment in enumerate(raws):
        text = text.replace(f'"\\u0001raw{index}\\u0001"'.encode(), fragment)
    return text


def json_headers(world: World, username: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    return headers | (world.headers(username) if username else {})


def upsert(
    entity: EntityKind | str, record_id: str, fields: Any, op: str = "upsert"
) -> dict[str, Any]:
    kind = entity.value if isinstance(entity, EntityKind) else entity
    return {
        "seq": 1,
        "mutation_id": str(uuid.uuid4()),
        "entity": kind,
        "entity_id": record_id,
        "op": op,
        "fields": fields,
        "base_version": None,
    }


def assert_refused(response: httpx.Response, *statuses: int) -> str:
    """A 4xx (one of `statuses` if given) whose JSON body says why in `detail`."""
    assert 400 <= response.status_code < 500, explain(response)
    if statuses:
        assert response.status_code in statuses, explain(response)
    assert response.headers.get("content-type", "").startswith("application/json"), (
        response.headers,
        response.text[:500],
    )
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"detail"}, body
    detail = body["detail"]
    assert isinstance(detail, str), body
    assert detail.strip(), body
    assert "Traceback" not in detail, detail
    return detail
