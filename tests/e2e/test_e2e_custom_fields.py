"""Issue 21's acceptance, with real processes: an admin adds fields with `sfa-server admin`,
a signed-in desktop gets them at its next `sfa-desktop sync`, refuses a bad value offline
with the server's words, and `sfa-desktop export contacts FILE.csv` writes them (read back
with Python's csv module); the exported file maps back by label on import."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import PASSPHRASE, acme_server, login, rep_env, run_client

from sfa_desktop.core.entities import Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.interchange import ValueFormat
from sfa_desktop.interchange.analysis import RowStatus
from sfa_desktop.interchange.mapping import auto_map
from sfa_desktop.operations.interchange import analyse_import, offer_custom_fields, open_import
from sfa_desktop.security import store_key
from sfa_desktop.store import Store
from sfa_desktop.sync.local_server import ServerProcess


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return rep_env(tmp_path / "home")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = acme_server(tmp_path / "server")
    try:
        yield process
    finally:
        process.stop()


def _open(db: Path) -> Store:
    return Store.open(db, key=store_key.unlock(db, PASSPHRASE).key)


def test_admin_fields_reach_the_desktop_are_checked_offline_and_exported(
    env: dict[str, str], server: ServerProcess, tmp_path: Path
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login(server.url, db, env)
    fields = [
        ("--name", "Segment", "--type", "picklist", "--choices", "Retail,Wholesale"),
        ("--name", "Customer since", "--type", "date"),
        ("--name", "Visits per year", "--type", "number", "--min", "0", "--max", "52"),
        ("--name", "Credit limit", "--type", "currency", "--read-only-for", "rep"),
    ]
    for spec in fields:
        server.run("admin", "add-field", "--entity", "contact", *spec, "--org", "acme")
    store = _open(db)
    assert store.field_definitions(EntityKind.CONTACT) == []  # not yet synced
    store.close()

    synced = run_client("sync", "--db", str(db), env=env)
    assert synced.returncode == 0, synced.stderr
    store = _open(db)
    labels = [d.label for d in store.field_definitions(EntityKind.CONTACT)]
    assert labels == ["Segment", "Customer since", "Visits per year", "Credit limit"]
    with pytest.raises(InvalidRecord) as refused:  # offline: the server's own words
        store.create(Contact, {"last_name": "Ng", "cf_visits_per_year": 60})
    assert refused.value.errors == {"cf_visits_per_year": "Visits per year must be at most 52"}
    with pytest.raises(InvalidRecord) as locked:
        store.create(Contact, {"last_name": "Ng", "cf_credit_limit": 100})
    assert locked.value.errors == {"cf_credit_limit": "Credit limit is read-only for reps"}
    store.create(
        Contact,
        {
            "last_name": "Ng",
            "cf_segment": "wholesale",
            "cf_customer_since": "2019-03-01",
            "cf_visits_per_year": 12,
        },
    )
    store.close()
    assert run_client("sync", "--db", str(db), env=env).returncode == 0

    out = tmp_path / "contacts.csv"
    exported = run_client("export", "contacts", str(out), "--db", str(db), env=env)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == f"1 contacts written to {out}"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Last name"] == "Ng"
    assert rows[0]["Segment"] == "Wholesale"
    assert rows[0]["Customer since"] == "2019-03-01"
    assert rows[0]["Visits per year"] == "12"
    assert rows[0]["Credit limit"] == ""
    again = run_client("export", "contacts", str(out), "--db", str(db), env=env)
    assert again.returncode == 2
    assert "exists; name a new file" in again.stderr

    store = _open(db)  # the file maps back by label
    offer_custom_fields(store)
    source = open_import(out)
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    wanted = {"cf_segment", "cf_customer_since", "cf_visits_per_year", "cf_credit_limit"}
    assert wanted <= set(mapping.targets)
    analysis = analyse_import(store, source, mapping, ValueFormat())
    assert analysis.counts.get(RowStatus.ERROR, 0) == 0
    assert analysis.counts.get(RowStatus.DUPLICATE, 0) == 1  # Ng is already here
    store.close()
