"""Pull: paging, scope on read and write, manager reach, reassignment, resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server_kit import Org

from sfa_desktop.core.entities.base import new_id
from sync_server.services import admin
from sync_server.services.pull import purge_log


def test_paging_returns_every_change_once_in_version_order(org: Org) -> None:
    ids = [org.account("rob", f"A{i}") for i in range(7)]
    pages, since = [], 0
    for _ in range(20):
        page = org.pull("rob", since, limit=3)
        pages.append(page)
        since = page["next_since"]
        if not page["has_more"]:
            break
    changes = [c for page in pages for c in page["changes"]]
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions)
    assert len(versions) == len(set(versions))
    assert all(len(page["changes"]) <= 3 for page in pages)
    assert [c["entity_id"] for c in changes if c["entity"] == "account"] == ids
    assert org.pull("rob", since)["changes"] == []


def test_a_rep_cannot_read_or_write_another_reps_records(org: Org) -> None:
    account_id = org.account("rob")
    contact_id = new_id()
    org.push("rob", "contact", contact_id, {"account_id": account_id, "last_name": "Kim"})
    assert org.visible_ids("ria", "account") == set()
    assert org.visible_ids("ria", "contact") == set()
    edit = org.push("ria", "account", account_id, {"name": "Mine now"})
    assert edit["status"] == "rejected"
    assert edit["reason"] == f"account {account_id} does not exist"  # no hint it is there
    attach = org.push("ria", "task", new_id(), {"title": "Spy", "account_id": account_id})
    assert attach["status"] == "rejected"
    assert "outside your scope" in attach["reason"]
    delete = org.push("ria", "contact", contact_id, op="delete")
    assert delete["status"] == "rejected"
    steal = org.push("ria", "lead", new_id(), {"company": "X", "owner_id": org.ids["rob"]})
    assert steal["status"] == "rejected"
    assert org.visible_ids("rob", "account") == {account_id}
    data = [c for c in org.pull_all("rob")[0] if c["entity_id"] == account_id][-1]["data"]
    assert data["name"] == "Acme"
    assert org.visible_ids("eve", "user") == {org.ids["eve"]}  # other org: nothing of acme


def test_team_members_see_and_edit_the_teams_accounts(org: Org) -> None:
    account_id = org.account("rob")
    with org.session() as session:
        admin.create_team(session, "acme", "north")
        admin.add_team_member(session, "north", "ria")
        admin.add_team_account(session, "north", account_id, datetime.now(UTC))
    changes, _ = org.pull_all("ria")
    base = next(c["version"] for c in changes if c["entity_id"] == account_id)
    result = org.push("ria", "account", account_id, {"city": "Oslo"}, base_version=base)
    assert result["status"] == "applied"


def test_managers_read_their_reports_records_but_cannot_write_them(org: Org) -> None:
    account_id = org.account("rob")
    lead_id = new_id()
    org.push("rob", "lead", lead_id, {"company": "Lead Co"})
    assert account_id in org.visible_ids("mia", "account")
    assert lead_id in org.visible_ids("boss", "lead")  # transitively
    assert account_id not in org.visible_ids("ria", "account")
    edit = org.push("mia", "account", account_id, {"name": "Managed"})
    assert edit["status"] == "rejected"
    assert "read-only" in edit["reason"]
    adjustment = {
        "subject_user_id": org.ids["rob"],
        "period": "2026-Q4",
        "category": "commit",
        "amount": 500,
        "comment": "sandbagging",
    }
    assert org.push("mia", "manager_adjustment", new_id(), adjustment)["status"] == "applied"
    rep_try = org.push(
        "rob", "manager_adjustment", new_id(), {**adjustment, "subject_user_id": org.ids["ria"]}
    )
    assert rep_try["status"] == "rejected"


def test_reassignment_removes_from_old_scope_and_upserts_to_new(org: Org) -> None:
    account_id = org.account("rob")
    opportunity_id = org.opportunity("rob", account_id, 1000, "2026-11-15")
    _, rob_since = org.pull_all("rob")
    _, ria_since = org.pull_all("ria")
    _, mia_since = org.pull_all("mia")
    with org.session() as session:
        moved = admin.reassign_account(session, account_id, "ria", datetime.now(UTC))
    assert moved == 2
    rob_changes, _ = org.pull_all("rob", rob_since)
    assert {(c["entity_id"], c["op"]) for c in rob_changes if c["entity"] != "audit_entry"} == {
        (account_id, "remove"),
        (opportunity_id, "remove"),
    }
    ria_changes, _ = org.pull_all("ria", ria_since)
    upserts = {
        c["entity_id"]: c["data"]
        for c in ria_changes
        if c["op"] == "upsert" and c["entity"] != "audit_entry"  # the trail: test_server_audit
    }
    assert set(upserts) == {account_id, opportunity_id}
    assert upserts[opportunity_id]["owner_id"] == org.ids["ria"]
    mia_changes, _ = org.pull_all("mia", mia_since)  # both reps are hers: no remove
    assert {c["op"] for c in mia_changes} == {"upsert"}
    assert org.push("rob", "account", account_id, {"city": "X"})["status"] == "rejected"


def test_pull_below_the_retained_log_requires_a_reset(org: Org) -> None:
    account_id = org.account("rob")
    org.push("rob", "account", account_id, op="delete")
    _, since = org.pull_all("rob")
    org.account("rob", "Later")
    with org.session() as session:
        purge_log(session, timedelta(days=1), datetime.now(UTC) + timedelta(days=2))
    page = org.pull("rob", since=1)
    assert page["reset_required"] is True
    assert page["changes"] == []
    fresh = org.pull("rob", since=0)  # starting over works and skips tombstones
    assert not fresh["reset_required"]
    assert all(c["op"] == "upsert" for c in fresh["changes"])
    assert org.pull("rob", since=since + 10_000)["reset_required"] is True


def test_a_hierarchy_change_resets_the_new_managers_pull(org: Org) -> None:
    org.account("eve")
    _, since = org.pull_all("ria")
    with org.session() as session:
        admin.set_manager(session, "rob", "ria", datetime.now(UTC))
    assert org.pull("ria", since)["reset_required"] is True
    assert org.pull("rob", org.pull_all("rob")[1])["reset_required"] is False
