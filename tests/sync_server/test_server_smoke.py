"""A first end-to-end pass: login, handshake, push, pull."""

from __future__ import annotations

from datetime import UTC, datetime

from server_kit import Org


def test_login_push_pull_round_trip(org: Org) -> None:
    org.login("rob")
    response = org.client.post(
        "/api/v1/sync/handshake",
        json={"client_time": datetime.now(UTC).isoformat()},
        headers=org.headers("rob"),
    )
    assert response.status_code == 200
    assert response.json()["wipe"] is False
    account_id = org.account("rob")
    changes, since = org.pull_all("rob")
    accounts = [c for c in changes if c["entity"] == "account"]
    assert [c["entity_id"] for c in accounts] == [account_id]
    assert accounts[0]["data"]["owner_id"] == org.ids["rob"]
    users = {c["data"]["name"] for c in changes if c["entity"] == "user"}
    assert users == {"Boss", "Mia", "Rob", "Ria"}
    assert since >= accounts[0]["version"]
