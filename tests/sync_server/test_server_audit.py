"""The audit trail: the server writes an entry per change, scoped like the record it describes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server_kit import Org
from sqlalchemy import select

from sfa_desktop.core.entities import AuditEntry
from sfa_desktop.core.entities.audit import TEXT_LIMIT
from sfa_desktop.core.entities.base import new_id
from sync_server.models import Record
from sync_server.services import admin


def _trail(org: Org, username: str, record_id: str, since: int = 0) -> list[AuditEntry]:
    """The audit entries of `record_id` the user holds after pulling from `since`, oldest
    first (by time: an entry re-keyed after a move or reassignment has a newer version)."""
    alive: dict[str, dict[str, Any] | None] = {}
    for change in org.pull_all(username, since)[0]:
        if change["entity"] == "audit_entry":
            alive[change["entity_id"]] = change["data"] if change["op"] == "upsert" else None
    entries = [AuditEntry.model_validate(data) for data in alive.values() if data is not None]
    return sorted((e for e in entries if e.record_id == record_id), key=lambda e: e.at)


def _changes(entry: AuditEntry) -> dict[str, tuple[Any, Any]]:
    return {change.field: (change.old, change.new) for change in entry.changes}


def test_an_update_records_old_and_new_values_with_actor_and_device(org: Org) -> None:
    org.login("rob", device="Rob's laptop")
    account_id = org.account("rob")
    deal = org.opportunity("rob", account_id, 1_000_000, "2026-11-15", stage="proposal")
    version = org.pull_all("rob")[1]
    edit = {"stage": "negotiation", "amount": 1_200_000}
    result = org.push("rob", "opportunity", deal, edit, base_version=version)
    assert result["status"] == "applied"
    created, updated = _trail(org, "rob", deal)
    assert (created.action, created.changes) == ("created", ())
    assert created.record_entity == "opportunity"
    assert updated.action == "updated"
    assert _changes(updated) == {
        "stage": ("proposal", "negotiation"),
        "probability": (60, 80),
        "forecast_category": ("best_case", "commit"),
        "amount": (1_000_000, 1_200_000),
    }
    assert [c.field for c in updated.changes][:2] == ["stage", "probability"]  # model order
    assert (updated.actor_id, updated.actor_name, updated.device_name) == (
        org.ids["rob"],
        "Rob",
        "Rob's laptop",
    )
    assert updated.owner_id == org.ids["rob"]
    assert (updated.version or 0) > result["version"]
    with org.session() as session:
        row = session.get(Record, ("audit_entry", updated.id))
        assert row is not None
        assert (row.owner_id, row.account_id) == (org.ids["rob"], account_id)


def test_unchanged_writes_and_stage_changes_leave_no_entry(org: Org) -> None:
    org.login("rob")
    account_id = org.account("rob")
    deal = org.opportunity("rob", account_id, 500, "2026-11-15")
    same = org.push("rob", "opportunity", deal, {"amount": 500, "name": "Deal 500"})
    assert same["status"] == "applied"
    stage_change = {
        "opportunity_id": deal,
        "to_stage": "proposal",
        "changed_at": "2026-11-01T10:00:00+00:00",
        "amount": 500,
    }
    assert org.push("rob", "stage_change", new_id(), stage_change)["status"] == "applied"
    assert [e.action for e in _trail(org, "rob", deal)] == ["created"]
    with org.session() as session:
        kinds = session.scalars(
            select(Record.data["record_entity"].as_string()).where(Record.entity == "audit_entry")
        ).all()
    assert sorted(kinds) == ["account", "opportunity"]


def test_a_delete_and_a_restore_by_a_later_edit_are_recorded(org: Org) -> None:
    org.login("rob", device="laptop")
    lead = new_id()
    created = org.push("rob", "lead", lead, {"company": "Lima Foods"})
    deleted = org.push("rob", "lead", lead, op="delete", base_version=created["version"])
    assert deleted["status"] == "applied"
    org.login("rob", device="desktop")  # a second device that still had the lead
    revived = org.push("rob", "lead", lead, {"source": "fair"}, base_version=created["version"])
    assert revived["status"] == "applied"
    trail = _trail(org, "rob", lead)
    assert [(e.action, e.device_name) for e in trail] == [
        ("created", "laptop"),
        ("deleted", "laptop"),
        ("restored", "desktop"),
    ]
    assert _changes(trail[-1]) == {"source": ("", "fair")}


def test_a_delete_refused_by_a_later_edit_writes_no_entry(org: Org) -> None:
    org.login("rob", device="laptop")
    lead = new_id()
    created = org.push("rob", "lead", lead, {"company": "Lima Foods"})
    org.push("rob", "lead", lead, {"source": "fair"}, base_version=created["version"])
    org.login("rob", device="desktop")
    refused = org.push("rob", "lead", lead, op="delete", base_version=created["version"])
    assert refused["status"] == "conflict"
    assert [e.action for e in _trail(org, "rob", lead)] == ["created", "updated"]


def test_long_text_is_cut_with_an_ellipsis(org: Org) -> None:
    org.login("rob")
    account_id = org.account("rob")
    org.push("rob", "account", account_id, {"notes": "x" * 5_000})
    (change,) = _trail(org, "rob", account_id)[-1].changes
    assert (change.field, change.old) == ("notes", "")
    assert len(change.new) == TEXT_LIMIT
    assert change.new.endswith("…")


def test_entries_reach_whoever_sees_the_record_and_no_one_else(org: Org) -> None:
    org.login("rob", device="laptop")
    account_id = org.account("rob")
    with org.session() as session:
        admin.create_team(session, "acme", "north")
        admin.add_team_member(session, "north", "ria")
        admin.add_team_account(session, "north", account_id, datetime.now(UTC))
    org.login("ria", device="tablet")
    ria_since = org.pull_all("ria")[1]
    eve_since = org.pull_all("eve")[1]
    org.push("rob", "account", account_id, {"city": "Lyon"})
    org.login("ria", device="phone")  # a second device of the teammate
    (entry,) = _trail(org, "ria", account_id, ria_since)
    assert (entry.action, _changes(entry)) == ("updated", {"city": ("", "Lyon")})
    assert [e.action for e in _trail(org, "ria", account_id)] == ["created", "updated"]
    assert [e.action for e in _trail(org, "mia", account_id)] == ["created", "updated"]  # manager
    assert _trail(org, "eve", account_id) == [] == _trail(org, "eve", account_id, eve_since)
    # A rep without the account (no team) never receives its trail.
    rob_only = org.account("rob", "Private")
    org.push("rob", "account", rob_only, {"city": "Nantes"})
    assert _trail(org, "ria", rob_only) == []
    assert len(_trail(org, "rob", rob_only)) == 2


def test_reassignment_is_recorded_and_the_trail_moves_to_the_new_scope(org: Org) -> None:
    org.login("rob")
    account_id = org.account("rob")
    deal = org.opportunity("rob", account_id, 1_000, "2026-11-15")
    rob_since = org.pull_all("rob")[1]
    with org.session() as session:
        admin.reassign_account(session, account_id, "ria", datetime.now(UTC))
    for record_id in (account_id, deal):
        created, reassigned = _trail(org, "ria", record_id)
        assert (created.action, created.actor_name) == ("created", "Rob")
        assert created.owner_id == org.ids["ria"]  # re-keyed with its record
        assert reassigned.action == "reassigned"
        assert (reassigned.actor_id, reassigned.actor_name, reassigned.device_name) == (
            None,
            "Administrator",
            "",
        )
        assert _changes(reassigned) == {"owner_id": (org.ids["rob"], org.ids["ria"])}
        assert _trail(org, "rob", record_id) == []
    removed = {
        c["entity_id"] for c in org.pull_all("rob", rob_since)[0] if c["entity"] == "audit_entry"
    }
    with org.session() as session:
        old_entries = set(
            session.scalars(
                select(Record.id).where(
                    Record.entity == "audit_entry",
                    Record.data["action"].as_string() == "created",
                )
            )
        )
    assert old_entries <= removed  # rob's devices drop the entries they held


def test_a_record_moved_to_another_account_takes_its_trail_along(org: Org) -> None:
    org.login("rob")
    shared, private = org.account("rob", "Shared"), org.account("rob", "Private")
    with org.session() as session:
        admin.create_team(session, "acme", "north")
        admin.add_team_member(session, "north", "ria")
        admin.add_team_account(session, "north", shared, datetime.now(UTC))
    contact = new_id()
    org.push("rob", "contact", contact, {"last_name": "Lima", "account_id": shared})
    org.push("rob", "contact", contact, {"title": "Buyer"})
    assert [e.action for e in _trail(org, "ria", contact)] == ["created", "updated"]
    org.push("rob", "contact", contact, {"account_id": private})
    assert _trail(org, "ria", contact) == []
    moved = _trail(org, "rob", contact)
    assert [e.action for e in moved] == ["created", "updated", "updated"]
    with org.session() as session:
        accounts = {
            session.get(Record, ("audit_entry", e.id)).account_id  # type: ignore[union-attr]
            for e in moved
        }
    assert accounts == {private}


def test_entries_go_only_to_clients_that_ask_for_them(org: Org) -> None:
    """Clients older than the audit trail cannot read its entries: they are never sent one."""
    org.login("rob")
    account_id = org.account("rob")
    org.push("rob", "account", account_id, {"name": "Renamed"})
    with_audit = org.pull("rob", audit=True)
    without = org.pull("rob", audit=False)
    assert any(c["entity"] == "audit_entry" for c in with_audit["changes"])
    assert [c for c in without["changes"] if c["entity"] == "audit_entry"] == []
    assert any(c["entity_id"] == account_id for c in without["changes"])
    assert without["next_since"] == with_audit["next_since"]
