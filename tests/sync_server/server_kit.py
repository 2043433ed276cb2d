"""Helpers for the server tests: settings, a seeded org and a small protocol client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import Role
from sync_server.config import ServerSettings
from sync_server.services import admin

SECRET = "test-secret-key"
PASSWORD = "correct horse battery"


def make_settings(url: str, **overrides: Any) -> ServerSettings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": SECRET,
        "db_pool_size": 10,
        "password_time_cost": 1,
        "password_memory_kib": 1024,  # fast hashes in tests
        "snapshots_enabled": False,  # tests take snapshots themselves
    }
    return ServerSettings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


@dataclass
class Org:
    """A seeded org: boss (director) > mia (manager) > rob, ria (reps); eve in another org."""

    client: TestClient
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)

    def session(self) -> Session:
        sessions = self.client.app.state.sessions  # type: ignore[attr-defined]
        session: Session = sessions()
        return session

    def login(self, username: str, device: str = "laptop") -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD, "device_name": device},
        )
        assert response.status_code == 200, response.text
        self.tokens[username] = response.json()
        self.seqs[username] = 0
        return self.tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.login(username)
        return {"Authorization": f"Bearer {self.tokens[username]['access_token']}"}

    def push_raw(self, username: str, mutations: list[dict[str, Any]]) -> Any:
        body = {"device_id": self.tokens[username]["device_id"], "mutations": mutations}
        return self.client.post("/api/v1/sync/push", json=body, headers=self.headers(username))

    def push(
        self,
        username: str,
        entity: str,
        entity_id: str,
        fields: dict[str, Any] | None = None,
        op: str = "upsert",
        base_version: int | None = None,
    ) -> dict[str, Any]:
        """Push one mutation with the next seq; return its result."""
        self.headers(username)
        self.seqs[username] += 1
        mutation = {
            "seq": self.seqs[username],
            "mutation_id": new_id(),
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "fields": fields or {},
            "base_version": base_version,
        }
        response = self.push_raw(username, [mutation])
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["results"][0]
        return result

    def pull(
        self, username: str, since: int = 0, limit: int = 1000, audit: bool = True
    ) -> dict[str, Any]:
        response = self.client.get(
            "/api/v1/sync/pull",
            params={"since": since, "limit": limit, "audit": audit},
            headers=self.headers(username),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def pull_all(self, username: str, since: int = 0, limit: int = 1000) -> tuple[list[Any], int]:
        """Every change after `since`, following pages; returns (changes, next_since)."""
        changes: list[Any] = []
        for _ in range(1000):
            page = self.pull(username, since, limit)
            assert not page["reset_required"]
            changes += page["changes"]
            since = page["next_since"]
            if not page["has_more"]:
                return changes, since
        raise AssertionError("pull did not finish")

    def visible_ids(self, username: str, entity: str) -> set[str]:
        state: dict[str, bool] = {}
        for change in self.pull_all(username)[0]:
            if change["entity"] == entity:
                state[change["entity_id"]] = change["op"] == "upsert"
        return {key for key, alive in state.items() if alive}

    def account(self, username: str, name: str = "Acme") -> str:
        account_id = new_id()
        assert self.push(username, "account", account_id, {"name": name})["status"] == "applied"
        return account_id

    def opportunity(
        self,
        username: str,
        account_id: str,
        amount: int,
        close: str,
        stage: str = "proposal",
        currency: str = "EUR",
        name: str | None = None,
    ) -> str:
        opportunity_id = new_id()
        fields = {
            "account_id": account_id,
            "name": name or f"Deal {amount}",
            "amount": amount,
            "currency": currency,
            "close_date": close,
            "stage": stage,
        }
        result = self.push(username, "opportunity", opportunity_id, fields)
        assert result["status"] == "applied", result
        return opportunity_id


def seed(client: TestClient) -> Org:
    org = Org(client)
    now = datetime.now(UTC)
    with org.session() as session:
        admin.create_org(session, "acme", now)
        admin.create_org(session, "other", now)
        people = [
            ("boss", Role.MANAGER, None, "acme"),
            ("mia", Role.MANAGER, "boss", "acme"),
            ("rob", Role.REP, "mia", "acme"),
            ("ria", Role.REP, "mia", "acme"),
            ("eve", Role.REP, None, "other"),
        ]
        for username, role, manager, org_name in people:
            user = admin.create_user(
                session,
                org_name,
                username,
                name=username.title(),
                email=f"{username}@example.com",
                password=PASSWORD,
                role=role,
                manager=manager,
                now=now,
                settings=client.app.state.settings,  # type: ignore[attr-defined]
            )
            org.ids[username] = user.id
    return org
