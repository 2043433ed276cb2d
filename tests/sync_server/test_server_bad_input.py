"""Bad input gets a 4xx with a clear reason and changes nothing."""

from __future__ import annotations

import json
from typing import Any

from server_kit import Org
from sqlalchemy import func, select

from sfa_desktop.core.entities.base import new_id
from sync_server.models import ConflictRecord, Counter, Device, Record


def _state(org: Org) -> tuple[Any, ...]:
    with org.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Record)),
            session.scalar(select(Counter.value)),
            tuple(session.scalars(select(Device.last_seq).order_by(Device.id))),
        )


def _lead(seq: int = 1, entity: str = "lead") -> dict[str, Any]:
    return {
        "seq": seq,
        "mutation_id": new_id(),
        "entity": entity,
        "entity_id": new_id(),
        "op": "upsert",
        "fields": {"company": "X"},
    }


def test_each_bad_request_is_refused_with_a_reason(org: Org) -> None:
    org.login("rob")
    headers = {**org.headers("rob"), "content-type": "application/json"}
    device = org.tokens["rob"]["device_id"]
    before = _state(org)
    huge = json.dumps({"device_id": device, "mutations": [_lead()], "pad": "x" * 6_000_000})
    cases = [
        ("malformed JSON", b'{"device_id": "', 400, "malformed JSON body"),
        ("oversized", huge.encode(), 413, "request body is larger than"),
        (
            "unknown entity",
            json.dumps({"device_id": device, "mutations": [_lead(1, "widget")]}),
            422,
            "mutations.0.entity",
        ),
        (
            "wrong shape",
            json.dumps({"device_id": device, "mutations": {"seq": 1}}),
            422,
            "mutations",
        ),
        (
            "other device",
            json.dumps({"device_id": "nope", "mutations": [_lead()]}),
            403,
            "device_id does not match",
        ),
        (
            "out of order",
            json.dumps({"device_id": device, "mutations": [_lead(2), _lead(1)]}),
            400,
            "increasing seq order",
        ),
    ]
    for name, body, status, reason in cases:
        response = org.client.post("/api/v1/sync/push", content=body, headers=headers)
        assert response.status_code == status, (name, response.text)
        assert reason in response.json()["detail"], name
        assert _state(org) == before, name


def test_bad_queries_and_periods(org: Org) -> None:
    before = _state(org)
    headers = org.headers("mia")
    too_many = org.client.get("/api/v1/sync/pull", params={"limit": 10**6}, headers=headers)
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["detail"]
    period = org.client.get("/api/v1/forecast/2026-13", headers=headers)
    assert period.status_code == 400
    assert "is not a period" in period.json()["detail"]
    stranger = org.client.get(
        "/api/v1/forecast/2026-Q4", params={"user_id": org.ids["eve"]}, headers=headers
    )
    assert stranger.status_code == 404
    adjustment = org.client.post(
        "/api/v1/forecast/adjustments",
        json={
            "subject_user_id": org.ids["rob"],
            "period": "2026-Q4",
            "category": "omitted",
            "amount": 1,
            "comment": "x",
        },
        headers=headers,
    )
    assert adjustment.status_code == 400
    assert "omitted deals are left out of the forecast" in adjustment.json()["detail"]
    login = org.client.post("/api/v1/auth/login", json={"username": "rob"})
    assert login.status_code == 422
    assert "password" in login.json()["detail"]
    assert _state(org)[:2] == before[:2]


def test_invalid_fields_are_rejected_with_the_core_message(org: Org) -> None:
    account_id = org.account("rob")
    before = _state(org)[1]
    result = org.push("rob", "account", account_id, {"phone": "call me"})
    assert result["status"] == "rejected"
    assert "is not a phone number" in result["reason"]
    opportunity = org.push(
        "rob",
        "opportunity",
        new_id(),
        {"account_id": account_id, "name": "x", "close_date": "soon"},
    )
    assert opportunity["status"] == "rejected"
    assert "close_date" in opportunity["reason"]
    # No record changed: the only versions spent are the two refusals kept for rob.
    assert _state(org)[1] == before + 2
    with org.session() as session:
        refusals = session.scalars(select(ConflictRecord).where(ConflictRecord.field == "")).all()
    assert sorted(r.reason for r in refusals) == sorted([result["reason"], opportunity["reason"]])
    assert {r.loser_user_id for r in refusals} == {org.ids["rob"]}
