"""Convergence harness: devices, a real server app, faults, crashes, clock jumps and
reassignments, checked against an independent model (tests/sync_model.py).

After any run of random offline edits, deletes, merges of accounts and contacts, faulty
syncs, crashes mid-apply, device clocks hours or days off (and jumping back) and account
reassignments, and then a quiet round of syncs: every device and the server hold exactly
what the model predicts field by field, every losing value and refused write is in its
device's inbox once, outboxes are empty, and every mutation a device made was processed
by the server exactly once. `test_the_harness_catches_a_broken_server` breaks the server
on purpose (an edit dropped, a conflict not filed, a delete skipped) and needs it to fail.

CI runs a fixed set of examples; `SFA_SOAK=1` runs many more (and `SFA_SOAK=N` N).
"""

from __future__ import annotations

import collections
import os
import random
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
import pytest
from convergence_kit import (
    Crash,
    CrashingStore,
    audit_entries,
    device_clock,
    same,
    server_audit_view,
)
from fastapi.testclient import TestClient
from fault_transport import FaultyTransport
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from index_check import index_problems
from pg_schema import fresh_schema, require_pg
from sqlalchemy import select
from sqlalchemy.orm import Session
from store_keys import TEST_KEY
from sync_fixtures import PASSWORD, seed_acme
from sync_model import Notice, SyncModel

from sfa_desktop.core.entities import MODELS, Account, Contact, Record
from sfa_desktop.core.enums import EntityKind, FieldType
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import MutationStatus
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import SyncError
from sync_server.app import create_app
from sync_server.config import ServerSettings
from sync_server.errors import ServiceError
from sync_server.models import Counter, User
from sync_server.models import Record as ServerRecord
from sync_server.services import admin, field_admin, merge_push, writes
from sync_server.services import sync as server_sync
from sync_server.services.field_admin import FieldSpec

SOAK = os.environ.get("SFA_SOAK", "")
EXAMPLES = (int(SOAK) if SOAK.isdigit() and int(SOAK) > 1 else 300) if SOAK else 12
DEVICES = (("rob", "laptop"), ("rob", "desktop"), ("ria", "laptop"), ("mia", "laptop"))
WRITERS = st.integers(0, 2)  # the reps' devices; the manager's only reads
# Built-in fields and two admins' custom fields (a text and a picklist), edited alike.
FIELDS = ("city", "industry", "segment", "cf_tier", "cf_region")
WORD_LIST = ["North", "South", "East", "West", "Alpha", "Beta", "Gamma"]
WORDS = st.sampled_from(WORD_LIST)
# Clock offsets a device may run at: hours and days off either way.
SKEWS = st.sampled_from([0, 3 * 3600, -5 * 3600, 2 * 86400, -3 * 86400])
# Faults injected over a whole test run (each kind must have happened at least once).
INJECTED: collections.Counter[str] = collections.Counter()


class SyncMachine(RuleBasedStateMachine):
    database = "sqlite"
    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        self.folder = TemporaryDirectory()
        self.cleanup = ExitStack()
        url = self._database_url()
        server_settings = ServerSettings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            secret_key="harness",
        )
        self.http = TestClient(create_app(server_settings))
        self.http.__enter__()
        seed_acme(self.http)
        self._add_custom_fields()
        self.rng = random.Random(0)
        self.devices: list[SyncAccount] = []
        self.transports: list[FaultyTransport] = []
        self.clocks = [0] * len(DEVICES)
        self.planned = 0  # planned faults so far (their kinds are taken in turn)
        self.issued: set[str] = set()  # mutation ids the devices made
        self.deleted: set[str] = set()
        self.created: set[str] = set()
        for username, name in DEVICES:
            transport = FaultyTransport(self.http._transport, self.rng, self._observe)
            store = CrashingStore.open(
                Path(self.folder.name) / f"{username}-{name}.db", key=TEST_KEY
            )
            device = SyncAccount(store, Credentials(persistent=False), transport=transport)
            device.sign_in("http://testserver", username, PASSWORD, name)
            device.engine().run_once()  # a signed-in device syncs: it gets the fields
            self.devices.append(device)
            self.transports.append(transport)
        with self._sessions() as session:
            users = {u.username: u.id for u in session.scalars(select(User))}
        self.user_ids = users
        self.model = SyncModel(
            {
                d.store.state("device_id") or "": users[u]
                for d, (u, _) in zip(self.devices, DEVICES, strict=True)
            },
            {users["mia"]: {users["rob"], users["ria"]}},
        )

    def _add_custom_fields(self) -> None:
        """The admin's fields every device pulls at its first sync (and checks offline)."""
        with self._sessions() as session:
            org = admin.org_by_name(session, "acme")
            now = datetime.now(UTC)
            text = FieldSpec(label="Tier", field_type=FieldType.TEXT)
            field_admin.add_field(session, org, EntityKind.ACCOUNT, text, now)
            picks = FieldSpec(
                label="Region", field_type=FieldType.PICKLIST, choices=tuple(WORD_LIST)
            )
            field_admin.add_field(session, org, EntityKind.ACCOUNT, picks, now)

    def _database_url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{Path(self.folder.name) / 'server.db'}"
        return self.cleanup.enter_context(fresh_schema("sfa_h"))

    def _sessions(self) -> Session:
        return self.http.app.state.sessions()  # type: ignore[attr-defined,no-any-return]

    def _head(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(Counter.value)) or 0)

    def _observe(self, request: httpx.Request, response: httpx.Response) -> None:
        """Every push the server answered goes to the model, with the server's answer."""
        if request.url.path.endswith("/sync/push") and response.status_code == 200:
            encoding = request.headers.get("content-encoding")
            self.model.observe(request.content, encoding, response.content, self._head())

    def _issued(self, device: int) -> None:
        """Note the mutations the device's last local write put in its outbox."""
        self.issued |= {m.mutation_id for m in self.devices[device].store.pending_mutations(10_000)}

    # -- what reps and admins do ------------------------------------------------------------

    @initialize(target=accounts)
    def first_account(self) -> str:
        return self.create_account(0, "Seed")

    @rule(target=accounts, device=WRITERS, name=WORDS)
    def create_account(self, device: int, name: str) -> str:
        with device_clock(self.clocks[device]):
            record = self.devices[device].store.create(Account, {"name": f"{name} Co"}).value
        self._issued(device)
        self.created.add(record.id)
        return record.id

    @rule(device=WRITERS, account=accounts, field=st.sampled_from(FIELDS), value=WORDS)
    def edit_account(self, device: int, account: str, field: str, value: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            with device_clock(self.clocks[device]):
                store.update(Account, account, {field: value})
            self._issued(device)

    @rule(account=accounts, field=st.sampled_from(FIELDS), values=st.lists(WORDS, min_size=3))
    def edit_everywhere(self, account: str, field: str, values: list[str]) -> None:
        """The same field edited on every rep's device that holds the account (offline)."""
        for device, value in enumerate(values[:3]):
            self.edit_account(device, account, field, value)

    @rule(device=WRITERS, account=accounts, name=WORDS)
    def add_contact(self, device: int, account: str, name: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            with device_clock(self.clocks[device]):
                store.create(Contact, {"last_name": name, "account_id": account})
            self._issued(device)

    @rule(device=WRITERS, account=accounts)
    def delete_account(self, device: int, account: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            try:
                store.delete(Account, account)
            except DomainError:
                return  # still has contacts: refused locally, nothing written
            self._issued(device)
            self.deleted.add(account)

    @rule(device=WRITERS, data=st.data())
    def delete_contact(self, device: int, data: st.DataObject) -> None:
        store = self.devices[device].store
        held = store.ids(Contact)
        if held:
            store.delete(Contact, data.draw(st.sampled_from(held)))
            self._issued(device)

    def _able_to_merge(self, model: type[Record]) -> list[int]:
        """Devices of reps holding two records of `model` or more."""
        return [i for i, d in enumerate(self.devices[:3]) if len(d.store.ids(model)) >= 2]

    @precondition(lambda self: bool(self._able_to_merge(Account)))
    @rule(data=st.data())
    def merge_accounts(self, data: st.DataObject) -> None:
        """One mutation that re-points the merged account's contacts on the server."""
        device = data.draw(st.sampled_from(self._able_to_merge(Account)))
        store = self.devices[device].store
        survivor, merged = data.draw(st.permutations(store.ids(Account)))[:2]
        store.merge(EntityKind.ACCOUNT, survivor, [merged], {"city": merged})
        self._issued(device)
        self.deleted.add(merged)

    @precondition(lambda self: bool(self._able_to_merge(Contact)))
    @rule(data=st.data())
    def merge_contacts(self, data: st.DataObject) -> None:
        device = data.draw(st.sampled_from(self._able_to_merge(Contact)))
        store = self.devices[device].store
        survivor, merged = data.draw(st.permutations(store.ids(Contact)))[:2]
        store.merge(EntityKind.CONTACT, survivor, [merged], {"last_name": merged})
        self._issued(device)

    @rule(
        device=st.integers(0, len(DEVICES) - 1),
        fault=st.sampled_from(["none", "planned", "random"]),
        after=st.integers(0, 6),
    )
    def sync(self, device: int, fault: str, after: int) -> None:
        """A sync; "planned": one fault on its request after `after` others, the kinds
        taken in turn (so every kind is met); "random": each request may meet one."""
        transport = self.transports[device]
        if fault == "random":
            transport.rate = 0.3
        elif fault == "planned":
            kinds = FaultyTransport.FAULTS
            transport.arm(kinds[self.planned % len(kinds)], after)
            self.planned += 1
        try:
            with device_clock(self.clocks[device]):
                self.devices[device].engine().run_once()
        except SyncError:
            assert fault != "none", "a sync without faults must succeed"
        except Crash:
            self._restart(device)
        finally:
            transport.rate, transport.armed = 0.0, None

    @rule(device=st.integers(0, len(DEVICES) - 1), offset=SKEWS)
    def set_clock(self, device: int, offset: int) -> None:
        """The device's clock is set hours or days off, or back again (a jump back)."""
        self.clocks[device] = offset

    @rule(device=st.integers(0, len(DEVICES) - 1))
    def crash_during_next_apply(self, device: int) -> None:
        store = self.devices[device].store
        assert isinstance(store, CrashingStore)
        store.crash_next = True

    @rule()
    def retire_tier(self) -> None:
        """The admin retires a custom field mid-run: its values stay, devices that have
        not pulled the change keep editing it, and nothing may be lost."""
        with self._sessions() as session:
            org = admin.org_by_name(session, "acme")
            try:
                field_admin.set_retired(
                    session, org, EntityKind.ACCOUNT, "Tier", True, datetime.now(UTC)
                )
            except ServiceError:
                return  # retired already

    @precondition(lambda self: bool(self.created - self.deleted))
    @rule(data=st.data(), to=st.sampled_from(["rob", "ria"]))
    def reassign(self, data: st.DataObject, to: str) -> None:
        account = data.draw(st.sampled_from(sorted(self.created - self.deleted)))
        with self._sessions() as session:
            try:
                admin.reassign_account(session, account, to, datetime.now(UTC))
            except (DomainError, ServiceError):
                return  # not on the server yet
        self.model.reassign(account, self.user_ids[to], self._head())

    def _restart(self, device: int) -> None:
        old = self.devices[device]
        old.store.close()
        store = CrashingStore.open(old.store.path, key=TEST_KEY)
        self.devices[device] = SyncAccount(
            store, old.credentials, transport=self.transports[device]
        )

    # -- the end state ----------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self._check_against_the_model()
        finally:
            for transport in self.transports:
                INJECTED.update(transport.injected)
            INJECTED["conflicts filed"] += self.model.conflicts_filed
            for device in self.devices:
                device.store.close()
            self.http.__exit__(None, None, None)
            self.cleanup.close()
            self.folder.cleanup()

    def _check_against_the_model(self) -> None:
        for store in (d.store for d in self.devices):
            assert isinstance(store, CrashingStore)
            store.crash_next = False
        for index in range(len(self.devices)):
            self.sync(index, "none", 0)
        # Every run meets at least one conflict: both of rob's devices edit one field.
        held = set(self.devices[0].store.ids(Account)) & set(self.devices[1].store.ids(Account))
        if held:
            self.edit_everywhere(min(held), "segment", ["Alpha", "Beta", "Gamma"])
        # ... and one sure delete of a record the server holds.
        doomed = self.create_account(0, "Doomed")
        self.sync(0, "none", 0)
        self.delete_account(0, doomed)
        for index in range(len(self.devices)):  # one more fault each, kinds in turn
            self.sync(index, "planned", 0)
        for _round in range(2):
            for index, device in enumerate(self.devices):
                with device_clock(self.clocks[index]):
                    device.engine().run_once()
        model = self.model
        assert model.mismatches == []
        processed = set(model.processed)
        assert self.issued - processed == set(), "mutations lost"
        assert processed - self.issued == set(), "mutations the devices never made"
        assert max(model.processed.values(), default=1) == 1, "a mutation processed twice"
        with self._sessions() as session:
            for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
                rows = session.scalars(
                    select(ServerRecord).where(
                        ServerRecord.entity == kind.value, ServerRecord.deleted.is_(False)
                    )
                )
                stored = {row.id: row.data for row in rows}
                same(stored, model.live(kind.value), f"server {kind.value}s")
        for index, device in enumerate(self.devices):
            name = DEVICES[index]
            user = self.user_ids[name[0]]
            assert device.store.outbox_count() == 0, name
            assert not device.store.download_unfinished(), name
            assert index_problems(device.store.path) == [], name
            for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
                model_class = MODELS[kind]
                local = {
                    r.id: r.model_dump(mode="json")
                    for r in device.store.get_many(model_class, device.store.ids(model_class))
                }
                same(local, model.projection(user, kind.value), f"{name} {kind.value}s")
            inbox = collections.Counter(
                Notice(c.entity_id, c.field, c.kept_value, c.lost_value)
                if c.field
                else Notice(c.entity_id, "", None, c.lost_value["op"])
                for c in device.store.conflicts(include_resolved=True)
            )
            expected = collections.Counter(model.inbox[device.store.state("device_id") or ""])
            assert inbox == expected, f"inbox of {name}"
            # The audit trail is the server's alone: each device holds the server's projection.
            assert audit_entries(device) == server_audit_view(device), name


HARNESS_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    derandomize=not SOAK,
    database=None,
)


class SqliteSync(SyncMachine):
    database = "sqlite"


class PostgresSync(SyncMachine):
    database = "postgres"


def test_convergence_on_sqlite() -> None:
    INJECTED.clear()
    run_state_machine_as_test(SqliteSync, settings=HARNESS_SETTINGS)
    assert set(INJECTED) == {*FaultyTransport.FAULTS, "conflicts filed"}
    assert min(INJECTED.values()) > 0, INJECTED
    print(f"harness on SQLite: {dict(INJECTED)}")


@pytest.mark.postgres
def test_convergence_on_postgresql() -> None:
    require_pg()
    INJECTED.clear()
    run_state_machine_as_test(PostgresSync, settings=HARNESS_SETTINGS)
    assert set(INJECTED) == {*FaultyTransport.FAULTS, "conflicts filed"}
    assert min(INJECTED.values()) > 0, INJECTED
    print(f"harness on PostgreSQL: {dict(INJECTED)}")


def _drop_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits of existing records are answered `applied` and not written."""

    def nothing_changes(row: Any, record: Any, fields: Any, base: Any, device: Any) -> Any:
        return dict(row.data), set(), []

    for module in (server_sync, merge_push):
        monkeypatch.setattr(module, "edit_fields", nothing_changes)


def _skip_conflicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Losing values are not filed (the later write still wins)."""
    monkeypatch.setattr(writes, "file_conflict", lambda *args, **kwargs: None)


def _skip_deletes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deletes are answered `applied` and not made."""

    def no_delete(session: Any, scope: Any, device: Any, m: Any, row: Any, now: Any) -> Any:
        return server_sync.answer(m, MutationStatus.APPLIED, version=row.version if row else None)

    monkeypatch.setattr(server_sync, "_delete", no_delete)


@pytest.mark.parametrize("break_server", [_drop_edits, _skip_conflicts, _skip_deletes])
def test_the_harness_catches_a_broken_server(
    monkeypatch: pytest.MonkeyPatch, break_server: Any
) -> None:
    """The oracle can fail: each deliberate server bug must make the harness fail."""
    break_server(monkeypatch)
    quick = settings(HARNESS_SETTINGS, phases=[Phase.explicit, Phase.generate])
    with pytest.raises(AssertionError):
        run_state_machine_as_test(SqliteSync, settings=quick)
