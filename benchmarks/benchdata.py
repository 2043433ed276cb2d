"""Demo data as the app receives it, and where benchmarks keep data between runs.

- `as_pushed`: generated records with the audit entries the server writes when a device
  pushes them (a download carries both).
- `PageServer`: an in-memory stand-in for the server's pull: the records rendered as the
  server renders them (payload, version, gzip), pages of the size the engine asks for.
- `Tap`: the app's HTTP transport that tells the benchmark about every exchange.
- `download`: the app's own download path (SyncEngine + SyncClient: decode, validate,
  apply page by page, index for search at the end) into a store, from any transport.
- `account_edit`: the changes a rep makes to an account in one go (a handful of fields).
- `cache_path`/`cache_name`: names for cached data, keyed by the local store's schema
  (migration head), the server's schema version and migration head, and the generator's
  parameters, so a cache made by older code is never reused.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from sfa_desktop.core.entities import Account, AuditEntry, Record, new_id, utcnow
from sfa_desktop.core.enums import AuditAction, EntityKind

if TYPE_CHECKING:
    from sfa_desktop.store import Store
    from sfa_desktop.sync.engine import SyncReport

# Kinds the server writes no audit entry for: stage changes are a history already, audit
# entries are the trail, users and quotas are written by administrators, not pushed.
UNAUDITED = frozenset(
    {EntityKind.STAGE_CHANGE, EntityKind.AUDIT_ENTRY, EntityKind.USER, EntityKind.QUOTA}
)
PULL = "/api/v1/sync/pull"
HANDSHAKE = "/api/v1/sync/handshake"


@cache
def schema_versions() -> dict[str, str]:
    """The versions a cache of generated data depends on."""
    from alembic.script import ScriptDirectory

    import sync_server
    from sfa_desktop.store.migrate import HEAD_REVISION
    from sync_server.migrate import alembic_config

    server_head = ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
    return {
        "store": HEAD_REVISION,
        "server": sync_server.SCHEMA_VERSION,
        "server_migration": server_head,
    }


def _digest(name: str, params: dict[str, object]) -> str:
    keyed = {"name": name, **schema_versions(), **params}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True, default=str).encode()).hexdigest()


def cache_path(name: str, suffix: str, **params: object) -> Path:
    """A file under the user's cache folder for `name` made with `params`."""
    from platformdirs import user_cache_path

    versions = schema_versions()
    stem = (
        f"{name}-store{versions['store']}-server{versions['server']}.{versions['server_migration']}"
    )
    return (
        user_cache_path("sfa-desktop")
        / "benchmarks"
        / f"{stem}-{_digest(name, params)[:12]}{suffix}"
    )


def cache_name(name: str, **params: object) -> str:
    """A database name (lower case, at most 63 characters) for `name` made with `params`."""
    return f"sfa_bench_{name}_{_digest(name, params)[:16]}"


def as_pushed(records: Iterable[Record], device_name: str = "Laptop") -> Iterator[Record]:
    """Each record, then the 'created' audit entry the server writes when its owner's
    device pushes it (sync_server.services.sync: one per write, none for UNAUDITED)."""
    names: dict[str, str] = {}
    for record in records:
        yield record
        if record.entity is EntityKind.USER:
            names[record.id] = getattr(record, "name", "")
        if record.entity in UNAUDITED:
            continue
        at = record.updated_at or utcnow()
        yield AuditEntry(
            id=new_id(),
            owner_id=record.owner_id,
            created_at=at,
            updated_at=at,
            record_entity=record.entity,
            record_id=record.id,
            action=AuditAction.CREATED,
            actor_id=record.owner_id,
            actor_name=names.get(record.owner_id or "", ""),
            device_name=device_name,
            at=at,
        )


_VISIT_NOTES = (
    "Met the purchasing lead and the plant manager on site. They are reviewing suppliers "
    "for next year's framework agreement and want a revised offer with volume tiers. "
    "Main concern is delivery reliability after last winter's delays; we agreed to send "
    "the service-level figures and a reference from a customer of similar size. "
    "Follow up by phone in two weeks; budget decision expected at the end of the quarter."
)
_STREETS = ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Rue de la Gare", "High Street")
_CITIES = (("10115", "Berlin"), ("80331", "München"), ("69002", "Lyon"), ("1010", "Wien"))
_SEGMENTS = ("Enterprise", "Mid-market", "Small business")


def account_edit(account: Account, rng: random.Random, flavour: int) -> dict[str, Any]:
    """What a rep changes in one go: after a visit (flavour 0: a paragraph of notes, the
    new switchboard number, the revised potential, the segment) or after the customer
    moved (flavour 1: street, postal code, city, grade). Every field gets a new value."""

    def new(field: str, make: Callable[[], Any]) -> Any:
        value = make()
        while value == getattr(account, field):
            value = make()
        return value

    if flavour == 0:
        return {
            "notes": f"{account.notes}\n\n{utcnow():%Y-%m-%d %H:%M:%S} visit: {_VISIT_NOTES}"[
                -4000:
            ],
            "phone": new("phone", lambda: f"+49 30 {rng.randrange(1_000_000, 9_999_999)}"),
            "potential_revenue": new("potential_revenue", lambda: rng.randrange(10**5, 10**9)),
            "segment": new("segment", lambda: rng.choice(_SEGMENTS)),
        }
    postal_code, city = rng.choice([place for place in _CITIES if place[1] != account.city])
    return {
        "street": new("street", lambda: f"{rng.choice(_STREETS)} {rng.randrange(1, 200)}"),
        "postal_code": postal_code,
        "city": city,
        "grade": new("grade", lambda: rng.choice("ABCDE")),
    }


def _fragment(record: Record, version: int) -> bytes:
    """A change as sync_server.services.pull writes it: the stored payload (the record
    without its version) with the version spliced in."""
    data = record.model_dump_json(exclude={"version"})
    separator = "" if data == "{}" else ","
    head = (
        f'{{"entity":"{record.entity.value}","entity_id":{json.dumps(record.id)},'
        f'"op":"upsert","version":{version}'
    )
    return f'{head},"data":{data[:-1]}{separator}"version":{version}}}}}'.encode()


class PageServer:
    """Serves the handshake and the pull pages of a scope that holds `records`.

    The records get versions 1..N in order. Pages of the size a first download asks for
    (MAX_PULL_LIMIT) are rendered and compressed here, before anything is timed; pages of
    another size are rendered when asked. A download that names the version it began at
    (`began`) is told the head, as the server does.
    """

    def __init__(self, records: Iterable[Record]) -> None:
        from sfa_desktop.core.protocol import MAX_PULL_LIMIT
        from sync_server.app import GZIP_LEVEL

        self._level = GZIP_LEVEL
        self.fragments = [_fragment(r, v) for v, r in enumerate(records, start=1)]
        head = len(self.fragments)
        self._pages: dict[tuple[int, int, int | None], bytes] = {}
        for since in range(0, max(1, head), MAX_PULL_LIMIT):
            # A page of a download that names its start (0 first, then the head), or not.
            for began in (None, 0 if since == 0 else head):
                self._pages[since, MAX_PULL_LIMIT, began] = self._render(
                    since, MAX_PULL_LIMIT, began
                )

    def __len__(self) -> int:
        return len(self.fragments)

    def _render(self, since: int, limit: int, began: int | None) -> bytes:
        head = len(self.fragments)
        changes = self.fragments[since : since + limit]
        has_more = since + len(changes) < head
        tail: dict[str, object] = {
            "next_since": since + len(changes) if has_more else head,
            "has_more": has_more,
            "reset_required": False,
        }
        if began is not None:
            tail["began"] = head if since == 0 else began
        body = b'{"changes":[' + b",".join(changes) + b"]," + json.dumps(tail).encode()[1:]
        return gzip.compress(body, compresslevel=self._level)

    def handle(self, request: httpx.Request) -> httpx.Response:
        from sfa_desktop.core.protocol import PROTOCOL_VERSION, HandshakeResponse

        if request.url.path == HANDSHAKE:
            import sync_server

            answer = HandshakeResponse(
                protocol_min=PROTOCOL_VERSION,
                protocol_max=PROTOCOL_VERSION,
                server_time=utcnow(),
                schema_version=sync_server.SCHEMA_VERSION,
            )
            return httpx.Response(200, content=answer.model_dump_json().encode())
        if request.url.path != PULL:
            return httpx.Response(404, json={"detail": f"not served here: {request.url.path}"})
        params = request.url.params
        since, limit = int(params["since"]), int(params["limit"])
        began = int(params["began"]) if "began" in params else None
        body = self._pages.get((since, limit, began)) or self._render(since, limit, began)
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return httpx.Response(200, content=body, headers=headers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


# What a Tap reports: the request, the answer's status (0: no answer), headers and raw
# body (as sent: still compressed), and the seconds from sending to the body read.
OnExchange = Callable[[httpx.Request, int, list[tuple[str, str]], bytes, float], None]


class Tap(httpx.BaseTransport):
    """The transport the app's client uses (its own connections, httpx's defaults), with
    each answer read whole (as the client reads it) and reported to `on_exchange`."""

    def __init__(self, on_exchange: OnExchange) -> None:
        self._inner = httpx.HTTPTransport()
        self._on_exchange = on_exchange

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
            try:
                raw = b"".join(response.iter_raw())
            finally:
                response.close()
        except httpx.TransportError:
            self._on_exchange(request, 0, [], b"", time.perf_counter() - started)
            raise
        headers = list(response.headers.multi_items())
        seconds = time.perf_counter() - started
        self._on_exchange(request, response.status_code, headers, raw, seconds)
        return httpx.Response(response.status_code, headers=headers, content=raw)

    def close(self) -> None:
        self._inner.close()


def download(store: Store, transport: httpx.BaseTransport) -> SyncReport:
    """One sync of `store` by the app's engine and client against `transport` (a fresh
    store: a first download, indexed for search at its end)."""
    from sfa_desktop.sync.client import SyncClient
    from sfa_desktop.sync.engine import SyncEngine

    client = SyncClient("http://bench.invalid", transport=transport)
    client.access_token = "bench"  # the page server does not check it: no sign-in needed
    try:
        return SyncEngine(store, client, on_wipe=_refuse_wipe).run_once()
    finally:
        client.close()


def _refuse_wipe() -> None:
    raise AssertionError("a benchmark store was told to wipe itself")
