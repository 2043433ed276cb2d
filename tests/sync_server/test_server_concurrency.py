"""Concurrent pushers on PostgreSQL while a puller pages: no version is ever skipped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_kit import PASSWORD, Org, make_settings, seed
from sqlalchemy import select

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import Role
from sync_server.app import create_app
from sync_server.models import Record
from sync_server.services import admin

PUSHERS = 6
BATCHES = 12


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[FastAPI]:
    app = create_app(make_settings(pg_url, db_pool_size=PUSHERS + 4))
    with TestClient(app):
        yield app


def _pusher(app: FastAPI, username: str, errors: list[str]) -> None:
    client = TestClient(app)
    login = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": PASSWORD, "device_name": "t"},
    ).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    seq = 0
    for _ in range(BATCHES):
        mutations = []
        for _ in range(3):
            seq += 1
            mutations.append(
                {
                    "seq": seq,
                    "mutation_id": new_id(),
                    "entity": "lead",
                    "entity_id": new_id(),
                    "op": "upsert",
                    "fields": {"company": f"{username} {seq}"},
                }
            )
        body = {"device_id": login["device_id"], "mutations": mutations}
        response = client.post("/api/v1/sync/push", json=body, headers=headers)
        if response.status_code != 200:
            errors.append(response.text)


def _puller(org: Org, done: threading.Event, seen: set[int], pages: list[int]) -> None:
    since = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        finished = done.is_set()
        page: dict[str, Any] = org.pull("boss", since, limit=5)
        seen.update(c["version"] for c in page["changes"] if c["entity"] == "lead")
        since = page["next_since"]
        pages.append(since)
        if finished and not page["has_more"]:
            return


@pytest.mark.postgres
def test_concurrent_pushers_never_hide_a_version_from_a_puller(pg_app: FastAPI) -> None:
    org = seed(TestClient(pg_app))
    now = datetime.now(UTC)
    names = [f"rep{i}" for i in range(PUSHERS)]
    with org.session() as session:
        for name in names:
            admin.create_user(
                session,
                "acme",
                name,
                name=name,
                email=f"{name}@example.com",
                password=PASSWORD,
                role=Role.REP,
                manager="mia",
                now=now,
                settings=pg_app.state.settings,
            )
    errors: list[str] = []
    seen: set[int] = set()
    pages: list[int] = []
    done = threading.Event()
    threads = [threading.Thread(target=_pusher, args=(pg_app, n, errors)) for n in names]
    puller = threading.Thread(target=_puller, args=(org, done, seen, pages))
    puller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    puller.join(timeout=120)
    assert not errors
    with org.session() as session:
        committed = set(session.scalars(select(Record.version).where(Record.entity == "lead")))
    assert len(committed) == PUSHERS * BATCHES * 3
    assert seen == committed
    assert len(pages) > 3  # the puller really paged while pushes were landing
    assert pages == sorted(pages)
