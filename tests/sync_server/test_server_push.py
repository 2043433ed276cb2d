"""Push: idempotency by seq, gaps, rejections, field conflicts, delete vs edit."""

from __future__ import annotations

from typing import Any

from server_kit import Org

from sfa_desktop.core.entities.base import new_id


def _mutation(seq: int, entity: str, entity_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "mutation_id": new_id(),
        "entity": entity,
        "entity_id": entity_id,
        "op": "upsert",
        "fields": fields,
    }


def _ids(org: Org, username: str, entity: str) -> set[str]:
    return org.visible_ids(username, entity)


def test_duplicate_seq_is_acknowledged_and_not_reapplied(org: Org) -> None:
    org.login("rob")
    batch = [
        _mutation(1, "lead", new_id(), company="A"),
        _mutation(2, "lead", new_id(), company="B"),
    ]
    first = org.push_raw("rob", batch).json()
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    assert first["last_seq"] == 2
    versions = {r["version"] for r in first["results"]}
    again = org.push_raw("rob", [*batch, _mutation(3, "lead", new_id(), company="C")]).json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate", "applied"]
    assert again["last_seq"] == 3
    changes, _ = org.pull_all("rob")
    leads = [c for c in changes if c["entity"] == "lead"]
    assert len(leads) == 3
    assert versions <= {c["version"] for c in leads}


def test_gap_is_refused_and_changes_nothing(org: Org) -> None:
    org.login("rob")
    assert org.push_raw("rob", [_mutation(1, "lead", new_id(), company="A")]).status_code == 200
    response = org.push_raw("rob", [_mutation(3, "lead", new_id(), company="B")])
    assert response.status_code == 409
    assert "seq gap" in response.json()["detail"]
    assert len(_ids(org, "rob", "lead")) == 1
    ok = org.push_raw("rob", [_mutation(2, "lead", new_id(), company="B")])
    assert ok.json()["last_seq"] == 2


def test_first_push_of_a_new_device_may_start_at_any_seq(org: Org) -> None:
    """A client that signs in again (a new device) keeps its outbox numbering."""
    org.login("rob")
    first = org.push_raw("rob", [_mutation(41, "lead", new_id(), company="A")])
    assert first.json()["last_seq"] == 41
    gap = org.push_raw("rob", [_mutation(43, "lead", new_id(), company="B")])
    assert gap.status_code == 409


def test_rejection_advances_last_seq(org: Org) -> None:
    org.login("rob")
    bad = [
        _mutation(1, "lead", new_id()),  # neither last name nor company
        _mutation(2, "user", new_id(), name="X", email="x@example.com"),
        _mutation(3, "quota", new_id(), period="2026-Q4", amount=5),
        _mutation(4, "lead", new_id(), company="Fine", bogus=1),
        _mutation(5, "lead", new_id(), company="Good"),
    ]
    body = org.push_raw("rob", bad).json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["rejected", "rejected", "rejected", "rejected", "applied"]
    reasons = [r["reason"] for r in body["results"]]
    assert "a lead needs a last name or a company" in reasons[0]
    assert "managed by the server" in reasons[1]
    assert "managed by the server" in reasons[2]
    assert "bogus: " in reasons[3]
    assert body["last_seq"] == 5
    assert len(_ids(org, "rob", "lead")) == 1


def test_field_conflict_later_arrival_wins_and_loser_is_kept(org: Org) -> None:
    account_id = org.account("rob")
    created = org.pull_all("rob")[0]
    base = next(c["version"] for c in created if c["entity_id"] == account_id)
    org.login("rob", device="phone")  # a second device of the same rep
    phone = dict(org.tokens["rob"])
    org.seqs["rob"] = 0
    assert (
        org.push("rob", "account", account_id, {"city": "Lyon"}, base_version=base)["status"]
        == "applied"
    )
    # Back to the laptop, which still has the old base version.
    laptop = org.login("rob", device="laptop-2")
    assert laptop["device_id"] != phone["device_id"]
    result = org.push(
        "rob", "account", account_id, {"city": "Nice", "industry": "Food"}, base_version=base
    )
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "city", "winner": "Nice", "loser": "Lyon"}]
    record = [c for c in org.pull_all("rob")[0] if c["entity_id"] == account_id][-1]
    assert record["data"]["city"] == "Nice"
    assert record["data"]["industry"] == "Food"
    conflicts = org.client.get("/api/v1/sync/conflicts", headers=org.headers("rob")).json()
    assert [(c["field"], c["loser"]) for c in conflicts["conflicts"]] == [("city", "Lyon")]


def test_a_devices_own_consecutive_edits_never_conflict(org: Org) -> None:
    account_id = org.account("rob")
    first = org.push("rob", "account", account_id, {"city": "A"}, base_version=None)
    second = org.push("rob", "account", account_id, {"city": "B"}, base_version=None)
    assert (first["status"], second["status"]) == ("applied", "applied")


def test_delete_vs_later_edit_keeps_the_record(org: Org) -> None:
    account_id = org.account("rob")
    base = org.pull_all("rob")[0][-1]["version"]
    org.login("rob", device="phone")
    assert (
        org.push("rob", "account", account_id, {"city": "Graz"}, base_version=base)["status"]
        == "applied"
    )
    org.login("rob", device="laptop-2")
    result = org.push("rob", "account", account_id, op="delete", base_version=base)
    assert result["status"] == "conflict"
    assert "kept" in result["reason"]
    assert account_id in _ids(org, "rob", "account")


def test_edit_after_delete_restores_and_tells_the_deleter(org: Org) -> None:
    account_id = org.account("rob")
    base = org.pull_all("rob")[0][-1]["version"]
    org.login("rob", device="phone")
    assert (
        org.push("rob", "account", account_id, op="delete", base_version=base)["status"]
        == "applied"
    )
    assert account_id not in _ids(org, "rob", "account")
    org.login("rob", device="laptop-2")
    result = org.push("rob", "account", account_id, {"city": "Bern"}, base_version=base)
    assert result["status"] == "applied"
    assert account_id in _ids(org, "rob", "account")
    conflicts = org.client.get("/api/v1/sync/conflicts", headers=org.headers("rob")).json()
    assert [c["field"] for c in conflicts["conflicts"]] == ["_deleted"]
