"""Pieces of the convergence harness (tests/sync/test_convergence.py): a store that
crashes mid-apply, a device clock running off, and the end-state comparisons."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sfa_desktop.core.entities import AuditEntry
from sfa_desktop.core.entities.base import utcnow as base_utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import ChangeOp
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount


class Crash(Exception):
    """The app died while applying a page (before the transaction committed)."""


class CrashingStore(Store):
    """A store whose next pull apply dies half way, as a killed process would."""

    crash_next = False

    def apply_page(
        self,
        session: Session,
        changes: Any,
        next_since: int,
        first_download: bool,
        began: int | None,
    ) -> Any:
        applied = super().apply_page(session, changes, next_since, first_download, began)
        if self.crash_next:  # the page is written, its transaction not yet committed
            self.crash_next = False
            raise Crash
        return applied


@contextlib.contextmanager
def device_clock(offset_seconds: int) -> Iterator[None]:
    """The device's clock runs `offset_seconds` off (the server's is right): every client
    module's `utcnow` is shifted while the device acts."""
    if not offset_seconds:
        yield
        return
    shift = timedelta(seconds=offset_seconds)

    def skewed() -> datetime:
        return base_utcnow() + shift

    patched = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith(("sfa_desktop.store", "sfa_desktop.sync"))
        and getattr(module, "utcnow", None) is base_utcnow
    ]
    for module in patched:
        module.utcnow = skewed  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in patched:
            module.utcnow = base_utcnow  # type: ignore[attr-defined]


def same(actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]], what: str) -> None:
    """Every expected record with every field the model knows, and nothing more."""
    assert set(actual) == set(expected), f"{what}: records differ"
    for record_id, fields in expected.items():
        held = {name: actual[record_id].get(name) for name in fields}
        assert held == fields, f"{what}: {record_id} differs"


def audit_entries(device: SyncAccount) -> dict[str, Any]:
    store = device.store
    return {
        r.id: r.model_dump(exclude={"created_at", "updated_at"})
        for r in store.get_many(AuditEntry, store.ids(AuditEntry))
    }


def server_audit_view(device: SyncAccount) -> dict[str, Any]:
    """The audit entries the server's pull gives this device's user."""
    client = device.engine().client
    state: dict[str, Any] = {}
    since, more = 0, True
    while more:
        page = client.pull(since, 500)
        for change in page.changes:
            if change.entity is not EntityKind.AUDIT_ENTRY:
                continue
            if change.op is ChangeOp.UPSERT and change.data is not None:
                record = AuditEntry.model_validate({**change.data, "version": change.version})
                state[change.entity_id] = record.model_dump(exclude={"created_at", "updated_at"})
            else:
                state.pop(change.entity_id, None)
        since, more = page.next_since, page.has_more
    return state
