"""Every custom field type end to end, on a SQLite and a PostgreSQL server: defined by the
admin, pulled by two devices, written offline on one, pushed, pulled by the other, listed
(sorted in SQL), exported to CSV (imported into a third device's store by label) and XLSX
(read by openpyxl); each step must hand back exactly the value that was typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from interchange_kit import run_import
from openpyxl import load_workbook
from pg_schema import fresh_schema
from sqlalchemy import select
from store_keys import TEST_KEY
from sync_fixtures import PASSWORD, SERVER_URL, seed_acme

from sfa_desktop.core.entities import Contact
from sfa_desktop.core.enums import EntityKind, FieldType
from sfa_desktop.operations.interchange import export_records, offer_custom_fields
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sync_server.app import create_app
from sync_server.config import ServerSettings
from sync_server.models import Record as ServerRecord
from sync_server.services import admin, field_admin
from sync_server.services.field_admin import FieldSpec

# label, type, rules, the value typed, the value stored
TYPES: list[tuple[str, FieldType, dict[str, Any], Any]] = [
    ("Nickname", FieldType.TEXT, {}, "Bee"),
    ("Background", FieldType.LONG_TEXT, {}, 'Met at the fair.\nLikes cycling; "quotes".'),
    ("Headcount", FieldType.NUMBER, {"minimum": 0}, 1250.5),
    ("Budget", FieldType.CURRENCY, {}, 1234567),
    ("Customer since", FieldType.DATE, {}, "2019-03-01"),
    ("Newsletter", FieldType.CHECKBOX, {}, True),
    ("Tier", FieldType.PICKLIST, {"choices": ("Gold", "Silver")}, "Silver"),
    ("Languages", FieldType.MULTI_PICKLIST, {"choices": ("de", "en", "fr")}, ["de", "fr"]),
    ("Profile", FieldType.URL, {}, "https://example.com/p?id=7&x=1"),
    ("Assistant mail", FieldType.EMAIL, {}, "assist@example.com"),
    ("Direct line", FieldType.PHONE, {}, "+49 30 1234 567"),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'server.db'}"
        else:
            url = stack.enter_context(fresh_schema("sfa_cf"))
        settings = ServerSettings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            secret_key="custom-fields",
        )
        client = stack.enter_context(TestClient(create_app(settings)))
        seed_acme(client)
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            org = admin.org_by_name(session, "acme")
            for label, kind, rules, _value in TYPES:
                spec = FieldSpec(label=label, field_type=kind, **rules)
                field_admin.add_field(session, org, EntityKind.CONTACT, spec, datetime.now(UTC))
        yield client


def _device(server: TestClient, tmp_path: Path, username: str, name: str) -> SyncAccount:
    store = Store.open(tmp_path / f"{username}-{name}.db", key=TEST_KEY)
    account = SyncAccount(store, Credentials(persistent=False), transport=server._transport)
    account.sign_in(SERVER_URL, username, PASSWORD, name)
    account.engine().run_once()
    return account


def test_every_type_survives_server_sync_store_list_export_and_import(
    server: TestClient, tmp_path: Path
) -> None:
    laptop = _device(server, tmp_path, "rob", "laptop")
    desktop = _device(server, tmp_path, "rob", "desktop")
    keys = {d.label: d.key for d in laptop.store.field_definitions(EntityKind.CONTACT)}
    typed = {keys[label]: value for label, _kind, _rules, value in TYPES}
    made = laptop.store.create(Contact, {"last_name": "Roundtrip", **typed}).value
    laptop.engine().run_once()  # pushed
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = session.scalar(select(ServerRecord).where(ServerRecord.id == made.id))
        assert row is not None
        assert {k: row.data[k] for k in typed} == typed
    desktop.engine().run_once()  # pulled by rob's other device
    copy = desktop.store.get(Contact, made.id)
    assert copy.custom_values() == typed
    for key in ("cf_tier", "cf_customer_since", "cf_headcount", "cf_budget", "cf_newsletter"):
        assert desktop.store.contact_ids(sort=key) == [made.id]  # sortable in SQL

    other = _device(server, tmp_path, "ria", "laptop")  # does not see rob's contact
    offer_custom_fields(other.store)
    path = tmp_path / "contacts.csv"
    assert export_records(desktop.store, EntityKind.CONTACT, [made.id], path) == 1
    _analysis, result = run_import(other.store, path, EntityKind.CONTACT, region="DE")
    assert (result.created, result.failed) == (1, 0)
    (imported,) = other.store.records(Contact)
    values = imported.custom_values()
    values[keys["Background"]] = values[keys["Background"]].replace("\r\n", "\n")
    assert values == typed

    workbook = tmp_path / "contacts.xlsx"  # read back by openpyxl, typed cells
    assert export_records(desktop.store, EntityKind.CONTACT, [made.id], workbook) == 1
    sheet = load_workbook(workbook, read_only=True).active
    assert sheet is not None
    header, row = [tuple(r) for r in sheet.iter_rows(values_only=True)][:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Customer since"] in (date(2019, 3, 1), datetime(2019, 3, 1))
    assert cells["Budget"] == pytest.approx(12345.67)
    assert cells["Headcount"] == pytest.approx(1250.5)
    assert cells["Newsletter"] is True
    assert cells["Languages"] == "de; fr"
    assert cells["Tier"] == "Silver"
    for device in (laptop, desktop, other):
        device.store.close()
