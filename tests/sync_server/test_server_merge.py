"""A merge mutation: one savepoint re-points the whole organisation, or nothing happens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server_kit import Org
from sqlalchemy import select

from sfa_desktop.core.entities.base import new_id
from sync_server.models import ConflictRecord, Record
from sync_server.services import admin

NOW = "2026-11-23T10:00:00+00:00"


def _merge(
    org: Org, username: str, entity: str, survivor: str, merged: list[str], **fields: Any
) -> dict[str, Any]:
    org.headers(username)
    org.seqs[username] += 1
    mutation = {
        "seq": org.seqs[username],
        "mutation_id": new_id(),
        "entity": entity,
        "entity_id": survivor,
        "op": "merge",
        "fields": fields,
        "merged_ids": merged,
    }
    response = org.push_raw(username, [mutation])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_seq"] == org.seqs[username]  # acknowledged, applied or not
    result: dict[str, Any] = body["results"][0]
    return result


def _create(org: Org, username: str, entity: str, **fields: Any) -> str:
    record_id = new_id()
    result = org.push(username, entity, record_id, fields)
    assert result["status"] == "applied", result
    return record_id


def _state(org: Org, username: str) -> dict[str, dict[str, Any]]:
    """The records the user's pull ends with: id -> data (deleted ones left out)."""
    state: dict[str, dict[str, Any]] = {}
    for change in org.pull_all(username)[0]:
        if change["op"] == "upsert":
            state[change["entity_id"]] = {**change["data"], "_entity": change["entity"]}
        else:
            state.pop(change["entity_id"], None)
    return state


def _snapshot(org: Org) -> set[tuple[Any, ...]]:
    with org.session() as session:
        rows = session.scalars(select(Record)).all()
        conflicts = session.scalars(select(ConflictRecord)).all()
        return {
            (r.entity, r.id, r.version, r.deleted, r.owner_id, r.account_id, str(r.data))
            for r in rows
        } | {("conflict", c.id) for c in conflicts if c.field}  # refusals: their own test


def _share(org: Org, account_id: str) -> None:
    """Put rob's account on a team with ria."""
    with org.session() as session:
        admin.create_team(session, "acme", "north")
        admin.add_team_member(session, "north", "ria")
        admin.add_team_account(session, "north", account_id, datetime.now(UTC))


def _two_accounts_with_history(org: Org) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["a"] = org.account("rob", "Acme GmbH")
    ids["b"] = org.account("rob", "ACME")
    ids["anna"] = _create(org, "rob", "contact", last_name="Berg", account_id=ids["a"])
    ids["anna_b"] = _create(org, "rob", "contact", last_name="Berg", account_id=ids["b"])
    ids["bert"] = _create(org, "rob", "contact", last_name="Kurz", account_id=ids["b"])
    ids["deal"] = org.opportunity("rob", ids["b"], 5000, "2027-03-01")
    ids["stage"] = _create(
        org,
        "rob",
        "stage_change",
        opportunity_id=ids["deal"],
        to_stage="proposal",
        changed_at=NOW,
    )
    ids["visit"] = _create(
        org,
        "rob",
        "activity",
        channel="visit",
        subject="Visit",
        occurred_at=NOW,
        account_id=ids["b"],
        contact_ids=[ids["anna_b"], ids["bert"]],
    )
    ids["event"] = _create(
        org,
        "rob",
        "event",
        title="Workshop",
        starts_at=NOW,
        ends_at=NOW,
        account_id=ids["b"],
        attendee_ids=[ids["anna_b"]],
    )
    ids["plan_a"] = _create(
        org, "rob", "account_plan", account_id=ids["a"], fiscal_year=2026, objectives=["Grow"]
    )
    ids["plan_b"] = _create(
        org, "rob", "account_plan", account_id=ids["b"], fiscal_year=2026, objectives=["Berlin"]
    )
    ids["plan_b_2025"] = _create(org, "rob", "account_plan", account_id=ids["b"], fiscal_year=2025)
    ids["child"] = _create(org, "rob", "account", name="Acme Branch", parent_id=ids["b"])
    ids["lead"] = _create(
        org,
        "rob",
        "lead",
        company="ACME",
        status="converted",
        converted_account_id=ids["b"],
        converted_contact_id=ids["anna_b"],
    )
    return ids


def test_an_account_merge_re_points_everything_in_one_mutation(org: Org) -> None:
    ids = _two_accounts_with_history(org)
    _share(org, ids["b"])
    ria_note = _create(
        org,
        "ria",
        "activity",
        channel="note",
        subject="Teammate's note",
        occurred_at=NOW,
        account_id=ids["b"],
        contact_ids=[ids["bert"]],
    )
    result = _merge(org, "rob", "account", ids["a"], [ids["b"]], city="Berlin")
    assert result["status"] == "applied", result
    rob = _state(org, "rob")
    assert ids["b"] not in rob
    assert rob[ids["a"]]["city"] == "Berlin"
    for key in ("anna_b", "bert", "deal", "visit", "event"):
        assert rob[ids[key]]["account_id"] == ids["a"], key
    assert rob[ids["child"]]["parent_id"] == ids["a"]
    assert rob[ids["lead"]]["converted_account_id"] == ids["a"]
    assert rob[ids["stage"]]["opportunity_id"] == ids["deal"]  # history kept
    assert ids["plan_b"] not in rob  # folded into the survivor's plan of 2026
    assert rob[ids["plan_a"]]["objectives"] == ["Grow", "Berlin"]
    assert rob[ids["plan_b_2025"]]["account_id"] == ids["a"]
    # The teammate's activity moved too, and the teammate still sees it all.
    assert rob[ria_note]["account_id"] == ids["a"]
    ria = _state(org, "ria")
    assert ids["b"] not in ria
    assert ria[ids["a"]]["city"] == "Berlin"  # the survivor joined the merged account's team
    assert ria[ria_note]["account_id"] == ids["a"]
    assert ria[ids["stage"]]["opportunity_id"] == ids["deal"]
    assert ids["anna"] in ria  # the survivor's own contacts were sent to the new team
    with org.session() as session:
        stage = session.get_one(Record, ("stage_change", ids["stage"]))
        assert stage.account_id == ids["a"]


def test_the_merge_is_audited(org: Org) -> None:
    ids = _two_accounts_with_history(org)
    assert _merge(org, "rob", "account", ids["a"], [ids["b"]])["status"] == "applied"
    entries = [
        c["data"] for c in org.pull_all("rob")[0] if c["entity"] == "audit_entry" and c["data"]
    ]
    merged = [(e["record_id"], e["note"]) for e in entries if e["action"] == "merged"]
    assert any(r == ids["a"] and "ACME" in note for r, note in merged)
    assert any(r == ids["b"] and "Acme GmbH" in note for r, note in merged)
    moved = {e["record_id"] for e in entries if e["action"] == "moved"}
    assert {ids["anna_b"], ids["bert"], ids["deal"], ids["visit"], ids["child"]} <= moved
    anna_b_moves = [
        e for e in entries if e["action"] == "moved" and e["record_id"] == ids["anna_b"]
    ]
    assert anna_b_moves[0]["changes"][0]["field"] == "account_id"


def test_a_contact_merge_re_points_lists_and_key_contacts(org: Org) -> None:
    ids = _two_accounts_with_history(org)
    plan = _create(
        org,
        "rob",
        "account_plan",
        account_id=ids["a"],
        fiscal_year=2027,
        key_contacts=[{"contact_id": ids["anna_b"]}, {"contact_id": ids["anna"]}],
    )
    result = _merge(org, "rob", "contact", ids["anna"], [ids["anna_b"], ids["bert"]], title="Buyer")
    assert result["status"] == "applied", result
    rob = _state(org, "rob")
    assert ids["anna_b"] not in rob
    assert ids["bert"] not in rob
    assert rob[ids["anna"]]["title"] == "Buyer"
    assert rob[ids["visit"]]["contact_ids"] == [ids["anna"]]
    assert rob[ids["visit"]]["account_id"] == ids["b"]
    assert rob[ids["event"]]["attendee_ids"] == [ids["anna"]]
    assert rob[ids["lead"]]["converted_contact_id"] == ids["anna"]
    assert [k["contact_id"] for k in rob[plan]["key_contacts"]] == [ids["anna"]]


def test_a_create_and_its_merge_in_one_push(org: Org) -> None:
    survivor = org.account("rob", "Acme")
    org.headers("rob")
    fresh, contact = new_id(), new_id()
    seq = org.seqs["rob"]
    batch = [
        {
            "seq": seq + 1,
            "mutation_id": new_id(),
            "entity": "account",
            "entity_id": fresh,
            "op": "upsert",
            "fields": {"name": "ACME"},
        },
        {
            "seq": seq + 2,
            "mutation_id": new_id(),
            "entity": "contact",
            "entity_id": contact,
            "op": "upsert",
            "fields": {"last_name": "Doe", "account_id": fresh},
        },
        {
            "seq": seq + 3,
            "mutation_id": new_id(),
            "entity": "account",
            "entity_id": survivor,
            "op": "merge",
            "fields": {},
            "merged_ids": [fresh],
        },
    ]
    org.seqs["rob"] += 3
    body = org.push_raw("rob", batch).json()
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "applied"]
    rob = _state(org, "rob")
    assert fresh not in rob
    assert rob[contact]["account_id"] == survivor


def test_refused_merges_change_nothing_and_say_why(org: Org) -> None:
    ids = _two_accounts_with_history(org)
    rias = org.account("ria", "Ria's Acme")
    rias_gone = org.account("ria", "Project Secret")
    assert org.push("ria", "account", rias_gone, op="delete")["status"] == "applied"
    ria_contact = new_id()
    org.push("ria", "contact", ria_contact, {"account_id": rias, "last_name": "Hidden"})
    gone = org.account("rob", "Gone")
    assert org.push("rob", "account", gone, op="delete")["status"] == "applied"
    before = _snapshot(org)
    # Out of rob's scope reads exactly as absent: no name, no kind, no state.
    cases = [
        ("account", ids["a"], [rias], f"account {rias} does not exist"),
        ("account", rias, [ids["b"]], f"account {rias} does not exist"),
        ("account", ids["a"], [rias_gone], f"account {rias_gone} does not exist"),
        ("account", ids["a"], [ria_contact], f"account {ria_contact} does not exist"),
        ("account", ids["a"], [gone], "Gone"),
        ("account", gone, [ids["b"]], "already deleted"),
        ("account", ids["a"], [ids["anna"]], "is a contact, not a account"),
        ("account", ids["a"], ["nowhere"], "does not exist"),
        ("account", ids["a"], [ids["a"]], "into itself"),
        ("account", ids["a"], [ids["b"], ids["b"]], "listed twice"),
        ("opportunity", ids["deal"], [ids["deal"] + "x"], "cannot be merged"),
        ("account", ids["a"], [ids["b"]], "name"),  # an invalid survivor field
    ]
    for entity, survivor, merged, reason in cases:
        fields = {"name": ""} if reason == "name" else {}
        result = _merge(org, "rob", entity, survivor, merged, **fields)
        assert result["status"] == "rejected", (reason, result)
        assert reason in result["reason"], (reason, result)
        if "does not exist" in reason:
            assert result["reason"].endswith(reason), result  # nothing more is said
    assert _snapshot(org) == before
    # A later valid merge in the same org still works.
    assert _merge(org, "rob", "account", ids["a"], [ids["b"]])["status"] == "applied"


def test_a_merge_that_fails_half_way_is_rolled_back(org: Org) -> None:
    """A referring record that cannot be re-pointed rejects the whole merge."""
    ids = _two_accounts_with_history(org)
    with org.session() as session:  # a stored row that no longer validates
        row = session.get_one(Record, ("activity", ids["visit"]))
        row.data = {**row.data, "duration_minutes": -5}
        session.commit()
    before = _snapshot(org)
    result = _merge(org, "rob", "account", ids["a"], [ids["b"]])
    assert result["status"] == "rejected"
    assert "duration_minutes" in result["reason"]
    assert _snapshot(org) == before
    # The next mutation of the same push path still applies.
    assert org.push("rob", "account", ids["a"], {"city": "Oslo"})["status"] == "applied"


def test_a_merge_conflicts_like_an_edit_on_the_survivors_fields(org: Org) -> None:
    ids = _two_accounts_with_history(org)
    base = next(c["version"] for c in org.pull_all("rob")[0] if c["entity_id"] == ids["a"])
    org.login("rob", device="phone")
    assert (
        org.push("rob", "account", ids["a"], {"city": "Lyon"}, base_version=base)["status"]
        == "applied"
    )
    org.login("rob", device="laptop-2")
    org.headers("rob")
    org.seqs["rob"] += 1
    mutation = {
        "seq": org.seqs["rob"],
        "mutation_id": new_id(),
        "entity": "account",
        "entity_id": ids["a"],
        "op": "merge",
        "fields": {"city": "Nice"},
        "base_version": base,
        "merged_ids": [ids["b"]],
    }
    result = org.push_raw("rob", [mutation]).json()["results"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "city", "winner": "Nice", "loser": "Lyon"}]
    assert ids["b"] not in _state(org, "rob")


def test_an_account_merged_with_its_parent_has_no_parent(org: Org) -> None:
    parent = org.account("rob", "Holding")
    child = _create(org, "rob", "account", name="Holding Sub", parent_id=parent)
    sibling = _create(org, "rob", "account", name="Other Sub", parent_id=parent)
    assert _merge(org, "rob", "account", child, [parent])["status"] == "applied"
    rob = _state(org, "rob")
    assert rob[child]["parent_id"] is None
    assert rob[sibling]["parent_id"] == child
