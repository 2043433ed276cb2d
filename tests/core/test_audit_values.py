"""Audit entry values: changed fields only, in the model's order, long values shortened."""

from __future__ import annotations

from sfa_desktop.core.entities import Account, AuditEntry, Opportunity
from sfa_desktop.core.entities.audit import LIST_LIMIT, TEXT_LIMIT, audit_value, field_changes
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import CLIENT_WRITABLE


def test_only_changed_fields_in_the_models_order() -> None:
    before = {"stage": "proposal", "amount": 100, "name": "Deal"}
    after = {"stage": "negotiation", "amount": 120, "name": "Deal"}
    changes = field_changes(Opportunity, before, after, ["amount", "name", "stage"])
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("stage", "proposal", "negotiation"),
        ("amount", 100, 120),
    ]


def test_long_text_and_long_lists_are_shortened() -> None:
    text = audit_value("é" * (TEXT_LIMIT + 50))
    assert len(text) == TEXT_LIMIT
    assert text.endswith("…")
    assert audit_value("short") == "short"
    items = audit_value([f"c{i}" for i in range(LIST_LIMIT + 3)])
    assert items[-1] == "… 3 more"
    assert len(items) == LIST_LIMIT + 1
    assert audit_value({"notes": "x" * 500})["notes"].endswith("…")
    (notes,) = field_changes(Account, {"notes": ""}, {"notes": "y" * 1000}, ["notes"])
    assert len(notes.new) == TEXT_LIMIT


def test_the_trail_is_server_owned() -> None:
    assert EntityKind.AUDIT_ENTRY not in CLIENT_WRITABLE
    assert AuditEntry.entity is EntityKind.AUDIT_ENTRY
