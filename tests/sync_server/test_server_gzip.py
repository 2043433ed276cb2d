"""Compressed requests and responses: big pushes go gzip, bombs are refused."""

from __future__ import annotations

import gzip
import json

from server_kit import Org

from sfa_desktop.core.entities.base import new_id


def _push_body(org: Org, count: int) -> bytes:
    mutations = [
        {
            "seq": i + 1,
            "mutation_id": new_id(),
            "entity": "lead",
            "entity_id": new_id(),
            "op": "upsert",
            "fields": {"company": f"Company {i}", "notes": "x" * 200},
        }
        for i in range(count)
    ]
    body = {"device_id": org.tokens["rob"]["device_id"], "mutations": mutations}
    return json.dumps(body).encode()


def test_gzip_push_is_inflated_and_applied(org: Org) -> None:
    org.login("rob")
    raw = _push_body(org, 50)
    response = org.client.post(
        "/api/v1/sync/push",
        content=gzip.compress(raw),
        headers=org.headers("rob")
        | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["last_seq"] == 50


def test_large_pull_page_is_sent_compressed(org: Org) -> None:
    org.login("rob")
    org.client.post(
        "/api/v1/sync/push",
        content=_push_body(org, 50),
        headers=org.headers("rob") | {"Content-Type": "application/json"},
    )
    response = org.client.get(
        "/api/v1/sync/pull", headers=org.headers("rob") | {"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["changes"]) >= 50


def test_gzip_bomb_is_refused_and_changes_nothing(org: Org) -> None:
    org.login("rob")
    bomb = gzip.compress(b"{" + b" " * (6 * 1024 * 1024) + b"}")
    assert len(bomb) < 100_000
    response = org.client.post(
        "/api/v1/sync/push",
        content=bomb,
        headers=org.headers("rob")
        | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "inflates" in response.json()["detail"]
    assert org.pull("rob")["changes"] == [] or all(
        c["entity"] == "user" for c in org.pull("rob")["changes"]
    )


def test_corrupt_gzip_is_a_clear_400(org: Org) -> None:
    org.login("rob")
    response = org.client.post(
        "/api/v1/sync/push",
        content=b"not gzip at all",
        headers=org.headers("rob")
        | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "gzip" in response.json()["detail"]
