"""Convergence harness: devices, a real server app, faults, crashes and reassignments.

After any run of random offline edits, merges of accounts and contacts, faulty syncs,
crashes mid-apply and account reassignments, and then a quiet round of syncs: every device
equals the server's view of its scope, outboxes are empty, no mutation is lost and none is
applied twice.

CI runs a fixed set of examples; `SFA_SOAK=1` runs many more (and `SFA_SOAK=N` N).
"""

from __future__ import annotations

import contextlib
import os
import random
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fault_transport import FaultyTransport
from hypothesis import HealthCheck, settings
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

from sfa_desktop.core.entities import MODELS, Account, Contact, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import ChangeOp
from sfa_desktop.store import Store, remote
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import SyncError
from sync_server.app import create_app
from sync_server.config import ServerSettings
from sync_server.models import Device
from sync_server.services import admin

SOAK = os.environ.get("SFA_SOAK", "")
EXAMPLES = (int(SOAK) if SOAK.isdigit() and int(SOAK) > 1 else 300) if SOAK else 12
DEVICES = (("rob", "laptop"), ("rob", "desktop"), ("ria", "laptop"))
FIELDS = ("city", "industry", "segment")
# What each device must hold exactly as the server projects it (the audit trail is written by
# the server alone, scoped like its records, re-keyed on reassignment).
COMPARED = (EntityKind.ACCOUNT, EntityKind.CONTACT, EntityKind.AUDIT_ENTRY)
WORDS = st.sampled_from(["North", "South", "East", "West", "Alpha", "Beta", "Gamma"])


class Crash(Exception):
    """The app died while applying a page (before the transaction committed)."""


class CrashingStore(Store):
    """A store whose next pull apply dies half way, as a killed process would."""

    crash_next = False

    def apply_pull(self, changes: Any, next_since: int, *, first_download: bool = False) -> Any:
        if not self.crash_next:
            return super().apply_pull(changes, next_since, first_download=first_download)
        self.crash_next = False
        with Session(self._writer_engine) as session, session.begin():
            remote.apply_page(session, changes, next_since, first_download)
            raise Crash


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
        self.rng = random.Random(0)
        self.devices: list[SyncAccount] = []
        self.transports: list[FaultyTransport] = []
        self.issued_seq: dict[str, int] = {}
        self.deleted: set[str] = set()
        self.created: set[str] = set()
        for username, name in DEVICES:
            transport = FaultyTransport(self.http._transport, self.rng)
            store = CrashingStore.open(
                Path(self.folder.name) / f"{username}-{name}.db", key=TEST_KEY
            )
            device = SyncAccount(store, Credentials(persistent=False), transport=transport)
            device.sign_in("http://testserver", username, PASSWORD, name)
            self.devices.append(device)
            self.transports.append(transport)

    def _database_url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{Path(self.folder.name) / 'server.db'}"
        return self.cleanup.enter_context(fresh_schema("sfa_h"))

    # -- what reps and admins do ------------------------------------------------------------

    @initialize(target=accounts)
    def first_account(self) -> str:
        return self.create_account(0, "Seed")

    @rule(target=accounts, device=st.integers(0, 2), name=WORDS)
    def create_account(self, device: int, name: str) -> str:
        record = self.devices[device].store.create(Account, {"name": f"{name} Co"}).value
        self.created.add(record.id)
        return record.id

    @rule(device=st.integers(0, 2), account=accounts, field=st.sampled_from(FIELDS), value=WORDS)
    def edit_account(self, device: int, account: str, field: str, value: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            store.update(Account, account, {field: value})

    @rule(device=st.integers(0, 2), account=accounts, name=WORDS)
    def add_contact(self, device: int, account: str, name: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            store.create(Contact, {"last_name": name, "account_id": account})

    @rule(device=st.integers(0, 2), account=accounts)
    def delete_account(self, device: int, account: str) -> None:
        store = self.devices[device].store
        if store.get_many(Account, [account]):
            try:
                store.delete(Account, account)
            except DomainError:
                return  # still has contacts: refused locally, nothing written
            self.deleted.add(account)

    def _able_to_merge(self, model: type[Record]) -> list[int]:
        """Devices holding two records of `model` or more."""
        return [i for i, d in enumerate(self.devices) if len(d.store.ids(model)) >= 2]

    @precondition(lambda self: bool(self._able_to_merge(Account)))
    @rule(data=st.data())
    def merge_accounts(self, data: st.DataObject) -> None:
        """One mutation that re-points the merged account's contacts on the server."""
        device = data.draw(st.sampled_from(self._able_to_merge(Account)))
        store = self.devices[device].store
        survivor, merged = data.draw(st.permutations(store.ids(Account)))[:2]
        store.merge(EntityKind.ACCOUNT, survivor, [merged], {"city": merged})
        self.deleted.add(merged)

    @precondition(lambda self: bool(self._able_to_merge(Contact)))
    @rule(data=st.data())
    def merge_contacts(self, data: st.DataObject) -> None:
        device = data.draw(st.sampled_from(self._able_to_merge(Contact)))
        store = self.devices[device].store
        survivor, merged = data.draw(st.permutations(store.ids(Contact)))[:2]
        store.merge(EntityKind.CONTACT, survivor, [merged], {"last_name": merged})

    @rule(device=st.integers(0, 2), faulty=st.booleans())
    def sync(self, device: int, faulty: bool) -> None:
        self.transports[device].rate = 0.3 if faulty else 0.0
        try:
            self.devices[device].engine().run_once()
        except SyncError:
            assert faulty, "a sync without faults must succeed"
        except Crash:
            self._restart(device)
        finally:
            self.transports[device].rate = 0.0

    @rule(device=st.integers(0, 2))
    def crash_during_next_apply(self, device: int) -> None:
        store = self.devices[device].store
        assert isinstance(store, CrashingStore)
        store.crash_next = True

    @precondition(lambda self: bool(self.created - self.deleted))
    @rule(data=st.data(), to=st.sampled_from(["rob", "ria"]))
    def reassign(self, data: st.DataObject, to: str) -> None:
        account = data.draw(st.sampled_from(sorted(self.created - self.deleted)))
        with (
            self.http.app.state.sessions() as session,  # type: ignore[attr-defined]
            contextlib.suppress(DomainError),  # not on the server yet, or deleted there
        ):
            admin.reassign_account(session, account, to, datetime.now(UTC))

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
            self._check_convergence()
        finally:
            for device in self.devices:
                device.store.close()
            self.http.__exit__(None, None, None)
            self.cleanup.close()
            self.folder.cleanup()

    def _check_convergence(self) -> None:
        for store in (d.store for d in self.devices):
            assert isinstance(store, CrashingStore)
            store.crash_next = False
        issued = {i: self._highest_seq(d.store) for i, d in enumerate(self.devices)}
        for _round in range(2):
            for device in self.devices:
                device.engine().run_once()
        for index, device in enumerate(self.devices):
            assert device.store.outbox_count() == 0
            expected = self._server_view(device)
            for kind in COMPARED:
                model = MODELS[kind]
                local = {
                    r.id: r.model_dump(exclude={"created_at", "updated_at"})
                    for r in device.store.get_many(model, device.store.ids(model))
                }
                assert local == expected[kind], f"device {DEVICES[index]} differs on {kind}"
            assert self._server_last_seq(device) >= issued[index]
            assert not device.store.download_unfinished()
            assert index_problems(device.store.path) == [], DEVICES[index]
        # Nothing created was lost: every account not deleted by a device is on the server.
        alive = set().union(*(self._server_view(d)[EntityKind.ACCOUNT] for d in self.devices))
        mia = self._manager_view()
        assert (self.created - self.deleted) <= alive | mia

    @staticmethod
    def _highest_seq(store: Store) -> int:
        pending = store.pending_mutations(10_000)
        return pending[-1].seq if pending else 0

    def _server_last_seq(self, device: SyncAccount) -> int:
        with self.http.app.state.sessions() as session:  # type: ignore[attr-defined]
            found = session.scalar(
                select(Device.last_seq).where(Device.id == device.store.state("device_id"))
            )
            return int(found or 0)

    def _server_view(self, device: SyncAccount) -> dict[EntityKind, dict[str, Any]]:
        """What the server says this device's user should hold, read through the protocol."""
        client = device.engine().client
        state: dict[EntityKind, dict[str, Any]] = {kind: {} for kind in COMPARED}
        since, more = 0, True
        while more:
            page = client.pull(since, 500)
            for change in page.changes:
                if change.entity not in state:
                    continue
                if change.op is ChangeOp.UPSERT and change.data is not None:
                    record = MODELS[change.entity].model_validate(
                        {**change.data, "version": change.version}
                    )
                    state[change.entity][change.entity_id] = record.model_dump(
                        exclude={"created_at", "updated_at"}
                    )
                else:
                    state[change.entity].pop(change.entity_id, None)
            since, more = page.next_since, page.has_more
        return state

    def _manager_view(self) -> set[str]:
        with self.http.app.state.sessions() as session:  # type: ignore[attr-defined]
            return {u.id for u in admin.list_users(session, "acme")}


HARNESS_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    derandomize=not SOAK,
    suppress_health_check=list(HealthCheck),
    database=None,
)


class SqliteSync(SyncMachine):
    database = "sqlite"


class PostgresSync(SyncMachine):
    database = "postgres"


def test_convergence_on_sqlite() -> None:
    run_state_machine_as_test(SqliteSync, settings=HARNESS_SETTINGS)


@pytest.mark.postgres
def test_convergence_on_postgresql() -> None:
    require_pg()
    run_state_machine_as_test(PostgresSync, settings=HARNESS_SETTINGS)
