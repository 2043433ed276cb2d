"""Admission control: a sign-in burst queues or is told to retry later, never dropped."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from server_kit import PASSWORD, Org, make_settings, seed
from starlette.types import Receive, Scope, Send
from sync_fixtures import HeldSignIn

from sync_server.app import create_app
from sync_server.cli import _uvicorn_options, build_parser
from sync_server.middleware import ConcurrencyLimit, DownloadsYield, Occupancy, ServerTiming
from sync_server.models import User


class _Held:
    """An ASGI app whose requests to /slow wait until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.entered += 1
        if scope["path"] == "/slow":
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_gate_queues_then_answers_503_with_retry_after() -> None:
    async def scenario() -> None:
        inner = _Held()
        gate = ConcurrencyLimit(
            inner, limit=1, max_wait=0.3, paths=frozenset({"/slow"}), expected_seconds=0.25
        )
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/slow"))
            second = asyncio.create_task(client.get("/slow"))
            while inner.entered < 1 or gate.waiting < 1:
                await asyncio.sleep(0.01)
            refused = await client.get("/slow")  # would wait 2 x 0.25 s > 0.3 s
            assert refused.status_code == 503
            assert int(refused.headers["retry-after"]) >= 1
            assert "busy" in refused.json()["detail"]
            other = await client.get("/fast")  # other paths are not gated
            assert other.status_code == 200
            inner.release.set()
            assert [(await t).status_code for t in (first, second)] == [200, 200]

    asyncio.run(scenario())


def test_a_burst_is_told_to_come_back_one_after_the_other() -> None:
    """Refused requests get successive turns at the gate's rate, not one shared time at
    which they would all come back together."""

    async def scenario() -> None:
        inner = _Held()
        gate = ConcurrencyLimit(
            inner, limit=1, max_wait=1.5, paths=frozenset({"/slow"}), expected_seconds=1.0
        )
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            served = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
            while inner.entered < 1 or gate.waiting < 1:
                await asyncio.sleep(0.01)
            refused = [await client.get("/slow") for _ in range(5)]
            # Hand-worked: one request served and one waiting at 1 s each, so the first
            # refused comes back after 2 s, each next one a second (1 s / 1 slot) later.
            assert [r.status_code for r in refused] == [503] * 5
            assert [int(r.headers["retry-after"]) for r in refused] == [2, 3, 4, 5, 6]
            inner.release.set()
            assert [(await t).status_code for t in served] == [200, 200]

    asyncio.run(scenario())


@pytest.fixture
def gated(db_url: str) -> Iterator[Org]:
    app = create_app(make_settings(db_url, login_concurrency=1, login_queue_seconds=0))
    with TestClient(app) as client:
        yield seed(client)


def test_sign_in_burst_gets_503_while_syncs_and_writes_go_on(
    gated: Org, held_sign_in: HeldSignIn
) -> None:
    """While a sign-in hashes, another is told to retry later (not dropped), and other
    devices still sync and write: no database transaction (SQLite: no write lock) is held
    through the hash."""
    gated.login("ria")
    held_sign_in.hold()
    hashing, finish = held_sign_in.hashing, held_sign_in.finish
    body = {"username": "rob", "password": PASSWORD, "device_name": "laptop"}
    outcome: list[int] = []
    first = threading.Thread(
        target=lambda: outcome.append(
            gated.client.post("/api/v1/auth/login", json=body).status_code
        )
    )
    first.start()
    try:
        assert hashing.wait(30)
        refused = gated.client.post("/api/v1/auth/login", json=body)
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) >= 1
        assert gated.account("ria")  # a push commits while the sign-in is hashing
        gated.pull("ria")
    finally:
        finish.set()
        first.join(30)
    assert outcome == [200]


def test_sign_in_upgrades_a_hash_to_the_configured_cost(db_url: str) -> None:
    app = create_app(make_settings(db_url))
    with TestClient(app) as client:
        org = seed(client)  # hashes at 1 MiB
        client.app.state.settings = make_settings(db_url, password_memory_kib=2048)  # type: ignore[attr-defined]
        org.login("rob")
        with org.session() as session:
            stored = session.get_one(User, org.ids["rob"]).password_hash
        assert "m=2048" in stored
        org.login("rob")  # and the new hash verifies


def test_serve_keeps_idle_connections_longer_than_clients_reuse_them() -> None:
    args = build_parser().parse_args(["serve"])
    options = _uvicorn_options(make_settings("sqlite://"), args)
    assert options["timeout_keep_alive"] > 5  # httpx reuses a connection idle up to 5 s
    assert options["access_log"] is False


def test_download_pages_wait_while_sign_ins_queue_and_syncs_do_not() -> None:
    """While a password check runs, a first download's page waits (at most max_wait);
    an incremental pull and other requests pass at once."""

    async def scenario() -> None:
        inner = _Held()
        sign_ins = Occupancy()
        yielding = DownloadsYield(inner, sign_ins, path="/pull", max_wait=5.0, poll_seconds=0.01)
        gate = ConcurrencyLimit(yielding, limit=1, paths=frozenset({"/slow"}), occupancy=sign_ins)
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            sign_in = asyncio.create_task(client.get("/slow"))
            while inner.entered < 1:
                await asyncio.sleep(0.01)
            assert sign_ins.count == 1
            page = asyncio.create_task(client.get("/pull", params={"since": 0, "began": 0}))
            incremental = await client.get("/pull", params={"since": 7})
            assert incremental.status_code == 200
            await asyncio.sleep(0.2)
            assert not page.done()  # still waiting for the sign-in
            inner.release.set()
            assert (await sign_in).status_code == 200
            assert (await page).status_code == 200
            assert sign_ins.count == 0

            bounded = DownloadsYield(_Held(), Occupancy(), path="/pull", max_wait=0.2)
            bounded.sign_ins.count = 1  # a sign-in that never ends
            transport = httpx.ASGITransport(app=bounded)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as other:
                started = time.monotonic()
                late = await other.get("/pull", params={"since": 5, "began": 3})
                assert late.status_code == 200
                assert 0.2 <= time.monotonic() - started < 2

    asyncio.run(scenario())


class _Slow:
    """An ASGI app that answers after `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(self.seconds)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _server_ms(response: httpx.Response) -> float:
    name, _, duration = response.headers["server-timing"].partition(";dur=")
    assert name == "app"
    return float(duration)


def test_server_timing_counts_the_apps_time_and_no_more() -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=ServerTiming(_Slow(0.2)))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            started = time.perf_counter()
            response = await client.get("/anything")
            waited = (time.perf_counter() - started) * 1000
        assert 200 <= _server_ms(response) <= waited

    asyncio.run(scenario())


def test_every_answer_of_the_server_says_its_time(db_url: str) -> None:
    with TestClient(create_app(make_settings(db_url))) as client:
        refused = client.post("/api/v1/auth/login", json={"username": "x"})
        assert refused.status_code == 422
        assert _server_ms(refused) >= 0
