"""End to end over a real socket: one device merges duplicate accounts, the others follow.

Rob's laptop finds and merges two accounts that are one company, each with contacts,
activities, opportunities (with stage history) and a plan; the merge syncs as one
mutation. Rob's desktop and Ria (a teammate on the merged account only) then each see
one account with the whole history, and the merged account gone, after one sync.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from store_keys import TEST_KEY

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    Contact,
    Opportunity,
    Record,
    StageChange,
)
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.merge import BOTH
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    environment = os.environ | {
        "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "SFA_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
    }
    server = ServerProcess(environment)
    server.run("migrate")
    server.run("admin", "create-org", "acme")
    for username in ("rob", "ria"):
        server.run(
            "admin",
            "create-user",
            username,
            "--org",
            "acme",
            "--name",
            username.title(),
            "--email",
            f"{username}@example.com",
            "--password",
            PASSWORD,
        )
    server.run("admin", "create-team", "north", "--org", "acme")
    server.run("admin", "add-team-member", "north", "ria")
    with server:
        yield server


def _device(tmp_path: Path, url: str, username: str, name: str) -> SyncAccount:
    store = Store.open(tmp_path / f"{username}-{name}.db", key=TEST_KEY)
    account = SyncAccount(store, Credentials(persistent=False))
    account.sign_in(url, username, PASSWORD, name)
    return account


KINDS: tuple[type[Record], ...] = (
    Account,
    Contact,
    Activity,
    Opportunity,
    StageChange,
    AccountPlan,
)


def _view(store: Store) -> dict[str, dict[str, Any]]:
    """Every record of the merge's kinds, without the local timestamps."""
    view: dict[str, dict[str, Any]] = {}
    for model in KINDS:
        for record in store.get_many(model, store.ids(model)):
            view[record.id] = record.model_dump(mode="json", exclude={"created_at", "updated_at"})
    return view


def _company(store: Store, name: str, domain: str, contacts: list[str]) -> dict[str, str]:
    ids = {"account": store.create(Account, {"name": name, "domain": domain}).value.id}
    for last in contacts:
        contact = store.create(Contact, {"last_name": last, "account_id": ids["account"]}).value
        ids[last] = contact.id
        store.log_activity(
            {"channel": "call", "subject": f"Call {last}", "contact_ids": [ids[last]]}
        )
    deal = store.create(
        Opportunity,
        {"account_id": ids["account"], "name": f"{name} deal", "close_date": date(2027, 3, 1)},
    ).value
    store.update(Opportunity, deal.id, {"stage": "proposal"})
    ids["deal"] = deal.id
    ids["plan"] = store.create(
        AccountPlan,
        {"account_id": ids["account"], "fiscal_year": 2026, "objectives": [f"Grow {name}"]},
    ).value.id
    return ids


def test_a_merge_syncs_as_one_change_and_every_device_follows(
    server: ServerProcess, tmp_path: Path
) -> None:
    laptop = _device(tmp_path, server.url, "rob", "laptop")
    a = _company(laptop.store, "Fjord Freight AS", "fjordfreight.no", ["Olsen", "Berg"])
    b = _company(laptop.store, "FJORD FREIGHT", "https://www.fjordfreight.no/", ["Dahl"])
    laptop.engine().run_once()
    server.run("admin", "add-team-account", "north", b["account"])  # Ria works on b only

    ria = _device(tmp_path, server.url, "ria", "laptop")
    ria.engine().run_once()
    assert ria.store.ids(Account) == [b["account"]]
    ria_note = ria.store.log_activity(
        {"channel": "note", "subject": "Ria's note", "account_id": b["account"]}
    ).value
    ria.engine().run_once()
    desktop = _device(tmp_path, server.url, "rob", "desktop")
    desktop.engine().run_once()
    laptop.engine().run_once()
    assert laptop.store.get(Activity, ria_note.id).account_id == b["account"]

    # The laptop finds the pair and merges b into a.
    (group,) = laptop.store.find_duplicates(EntityKind.ACCOUNT)
    assert set(group.record_ids) == {a["account"], b["account"]}
    assert group.suggested_survivor == a["account"]
    laptop.store.merge(
        EntityKind.ACCOUNT, a["account"], [b["account"]], {"domain": a["account"], "notes": BOTH}
    )
    (merge,) = laptop.store.pending_mutations()
    assert (merge.op, merge.merged_ids) == ("merge", [b["account"]])
    report = laptop.engine().run_once()
    assert (report.pushed, report.rejected, report.conflicts) == (1, 0, 0)

    # Every other device catches up in one sync.
    for device in (desktop, ria):
        device.engine().run_once()
        store = device.store
        assert store.ids(Account) == [a["account"]]
        contacts = store.records(Contact)
        assert {c.id for c in contacts} == {a["Olsen"], a["Berg"], b["Dahl"]}
        assert {c.account_id for c in contacts} == {a["account"]}
        activities = store.records(Activity)
        assert len(activities) == 4
        assert {x.account_id for x in activities} == {a["account"]}
        assert store.get(Activity, ria_note.id).account_id == a["account"]
        deals = store.records(Opportunity)
        assert {d.id for d in deals} == {a["deal"], b["deal"]}
        assert {d.account_id for d in deals} == {a["account"]}
        assert [s.to_stage for s in store.stage_history(b["deal"])] == [
            "qualification",
            "proposal",
        ]
        (plan,) = store.records(AccountPlan)
        assert plan.id == a["plan"]
        assert plan.objectives == ("Grow Fjord Freight AS", "Grow FJORD FREIGHT")
        assert [h.id for h in store.activities_for_contact(b["Dahl"])]
        assert store.outbox_count() == 0
    assert _view(desktop.store) == _view(laptop.store)
    assert _view(ria.store) == _view(laptop.store)
    for device in (laptop, desktop, ria):
        device.store.close()
