"""The duplicate finder: groups found in the background, compared side by side, merged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Activity, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.merge import UNPICKABLE
from sfa_desktop.operations.records import create_record
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.duplicates.comparison_rows import ROWS
from sfa_desktop.ui.duplicates.duplicates_dialog import DuplicatesDialog
from sfa_desktop.ui.duplicates.duplicates_model import ComparisonModel
from sfa_desktop.ui.main_window import MainWindow

WHEN = datetime(2026, 11, 23, 10, tzinfo=UTC)


def _contact(store: Store, **fields: Any) -> Contact:
    return store.create(Contact, {"first_name": "Jane", "last_name": "Doe", **fields}).value


def _activity(store: Store, subject: str, contact: Contact) -> Activity:
    fields = {"channel": "call", "subject": subject, "contact_ids": [contact.id]}
    return store.log_activity({**fields, "occurred_at": WHEN}).value


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Confirm every merge; the confirmation texts asked."""
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _open(qtbot: QtBot, ctx: AppContext, kind: EntityKind = EntityKind.CONTACT) -> DuplicatesDialog:
    dialog = DuplicatesDialog(ctx, kind=kind)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, ctx)
    return dialog


def _click(qtbot: QtBot, dialog: DuplicatesDialog, row: int, column: int) -> None:
    view = dialog.table
    rect = view.visualRect(dialog.comparison.index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _row(model: ComparisonModel, label: str) -> int:
    return model.row_labels().index(label)


def _column(model: ComparisonModel, record_id: str) -> int:
    return model.record_ids().index(record_id) + 1


def test_contacts_merge_with_a_picked_value_keeps_both_histories(
    plain_ctx: AppContext, qtbot: QtBot, answers: list[str]
) -> None:
    store = plain_ctx.store
    jane = _contact(store, email="Jane.Doe@Example.com", phone="+1 555 0100", notes="Met at fair")
    made: list[Contact] = []
    plain_ctx.run_op(
        lambda s: create_record(
            s,
            Contact,
            {
                "first_name": "Jane",
                "last_name": "Doe",
                "email": " jane.doe@EXAMPLE.com",
                "phone": "+1 555 0199",
                "mobile": "+1 555 0111",
                "notes": "Prefers mornings",
            },
        ),
        made.append,
    )
    settle(qtbot, plain_ctx)
    (twin,) = made
    first, second = _activity(store, "Intro", jane), _activity(store, "Follow-up", twin)
    assert plain_ctx.last_undo is not None
    outbox = store.outbox_count()
    assert outbox == 4  # two contacts and two activities

    dialog = _open(qtbot, plain_ctx)
    assert dialog.groups.rowCount() == 1
    text = dialog.groups.data(dialog.groups.index(0))
    assert text.startswith("Jane Doe · Jane Doe — same email")
    assert text.endswith(" %")
    model = dialog.comparison
    assert model.record_ids() == [jane.id, twin.id]
    assert model.survivor_id == jane.id  # the oldest
    phone, mobile = _row(model, "Phone"), _row(model, "Mobile")
    assert model.row_labels()[model.notes_row] == "Notes (all kept)"
    assert model.differs(phone)
    assert model.picked_from(phone) == jane.id
    assert model.picked_from(mobile) == twin.id  # the survivor has none
    assert not model.differs(_row(model, "Email"))  # stored in one spelling
    assert model.keeps_all_notes()
    assert dialog.keep_notes.isChecked()
    checked = model.data(model.index(phone, 1), Qt.ItemDataRole.CheckStateRole)
    assert checked == Qt.CheckState.Checked
    assert model.data(model.index(_row(model, "Activities"), 2)) == "1"

    _click(qtbot, dialog, phone, _column(model, twin.id))
    assert model.picked_from(phone) == twin.id
    plain_ctx.announce(Changes.of(EntityKind.CONTACT))  # a sync, say: the list is refreshed
    settle(qtbot, plain_ctx)
    assert model.picked_from(phone) == twin.id  # and the choices stay
    assert model.picked() == {"phone": twin.id, "mobile": twin.id, "notes": "both"}
    with qtbot.waitSignal(plain_ctx.signals.changes_applied) as applied:
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    settle(qtbot, plain_ctx)

    assert answers == [
        "1 contact will be merged into Jane Doe; its activities, opportunities, events and "
        "tasks move to Jane Doe.\n\nMerging cannot be undone here."
    ]
    assert EntityKind.CONTACT in applied.args[0]
    (left,) = store.records(Contact)
    assert left.id == jane.id
    assert (left.phone, left.mobile, left.email) == ("+1 555 0199", "+1 555 0111", jane.email)
    assert left.notes == "Met at fair\n\nPrefers mornings"
    for activity in (first, second):
        assert store.get(Activity, activity.id).contact_ids == (jane.id,)
    assert store.outbox_count() == outbox + 1
    merge = store.pending_mutations()[-1]
    assert (merge.op, merge.entity_id, merge.merged_ids) == ("merge", jane.id, [twin.id])
    assert plain_ctx.last_undo is None  # undoing the earlier create would delete history
    assert dialog.groups.rowCount() == 0
    assert dialog.placeholder.text() == "No duplicate contacts found."
    assert not dialog.merge_button.isEnabled()


def test_accounts_with_one_domain_merge_into_the_chosen_survivor(
    plain_ctx: AppContext, qtbot: QtBot, answers: list[str]
) -> None:
    store = plain_ctx.store
    acme = store.create(Account, {"name": "Acme Corp", "domain": "acme.com"}).value
    big = store.create(
        Account,
        {"name": "ACME Corporation", "domain": "https://www.acme.com/", "city": "Boston"},
    ).value
    store.create(Account, {"name": "Globex", "domain": "globex.com"})
    person = _contact(store, account_id=acme.id)

    dialog = _open(qtbot, plain_ctx, EntityKind.ACCOUNT)
    assert dialog.groups.rowCount() == 1
    assert "same web domain" in dialog.groups.data(dialog.groups.index(0))
    model = dialog.comparison
    assert model.survivor_id == acme.id
    address = ("street", "postal_code", "city", "country")
    assert model.picked() == dict.fromkeys(address, big.id)  # the survivor has no address
    _click(qtbot, dialog, ComparisonModel.SURVIVOR_ROW, _column(model, big.id))
    assert model.survivor_id == big.id
    assert model.merged_ids() == [acme.id]
    assert model.picked() == {}  # the new survivor's values throughout
    assert model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    _click(qtbot, dialog, _row(model, "Name"), _column(model, acme.id))
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    settle(qtbot, plain_ctx)

    assert answers[0].startswith(
        "1 account will be merged into ACME Corporation; its contacts, opportunities,"
    )
    assert {a.name for a in store.records(Account)} == {"Acme Corp", "Globex"}
    survivor = store.get(Account, big.id)
    assert (survivor.name, survivor.domain, survivor.city) == (
        "Acme Corp",
        "https://www.acme.com/",
        "Boston",
    )
    assert store.get(Contact, person.id).account_id == big.id
    assert dialog.groups.rowCount() == 0


def test_not_duplicates_hides_a_group_for_the_session(plain_ctx: AppContext, qtbot: QtBot) -> None:
    store = plain_ctx.store
    _contact(store, email="jane@example.com")
    _contact(store, email="jane@example.com")
    _contact(store, first_name="Bob", last_name="Roe", phone="+1 555 0123")
    _contact(store, first_name="Bob", last_name="Roe", phone="+1 555 0123")
    dialog = _open(qtbot, plain_ctx)
    assert dialog.groups.rowCount() == 2
    hidden = dialog.selected_group()
    assert hidden is not None
    qtbot.mouseClick(dialog.dismiss_button, Qt.MouseButton.LeftButton)
    settle(qtbot, plain_ctx)
    assert dialog.dismissed == {frozenset(hidden.record_ids)}
    assert dialog.groups.rowCount() == 1
    assert dialog.selected_group() is not None
    assert dialog.comparison.record_ids() != list(hidden.record_ids)
    assert dialog.status.text() == "1 group of look-alike contacts"

    dialog.refresh_button.click()
    settle(qtbot, plain_ctx)
    assert dialog.groups.rowCount() == 1
    dialog.accounts_button.click()
    settle(qtbot, plain_ctx)
    assert dialog.groups.rowCount() == 0
    assert dialog.placeholder.text() == "No duplicate accounts found."


def test_a_record_deleted_underneath_is_reported_and_nothing_is_merged(
    plain_ctx: AppContext, qtbot: QtBot, answers: list[str], tmp_path: Path
) -> None:
    store = plain_ctx.store
    jane = _contact(store, email="jane@example.com", title="CTO")
    twin = _contact(store, email="jane@example.com", last_name="Doe", title="CIO")
    activity = _activity(store, "Intro", jane)
    dialog = _open(qtbot, plain_ctx)
    assert dialog.groups.rowCount() == 1
    _click(qtbot, dialog, _row(dialog.comparison, "Title"), 2)
    store.delete(Contact, twin.id)  # a sync removed it meanwhile; no view knows yet
    outbox = store.outbox_count()

    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    settle(qtbot, plain_ctx)

    assert answers
    assert dialog.error.isVisible()
    assert dialog.error.text().startswith("Nothing was merged: Jane Doe no longer exists")
    assert store.get(Contact, jane.id).title == "CTO"
    assert store.get(Activity, activity.id).contact_ids == (jane.id,)
    assert store.outbox_count() == outbox
    assert dialog.groups.rowCount() == 0  # the group is gone now
    assert not dialog.merge_button.isEnabled()
    screenshot(qtbot, plain_ctx, dialog, tmp_path / "dup_error.png")


def test_picks_that_do_not_fit_together_are_refused(
    plain_ctx: AppContext, qtbot: QtBot, answers: list[str]
) -> None:
    store = plain_ctx.store
    jane = _contact(store, email="jane@example.com", preferred_channel="email")
    twin = _contact(store, email="jane@example.com", do_not_email=True)
    dialog = _open(qtbot, plain_ctx)
    model = dialog.comparison
    blocked = _row(model, "Do not contact by")
    assert model.picked_from(blocked) == jane.id
    _click(qtbot, dialog, blocked, _column(model, twin.id))
    outbox = store.outbox_count()
    dialog.merge_button.click()
    settle(qtbot, plain_ctx)

    assert answers
    assert dialog.error.text().startswith("Nothing was merged: Invalid contact")
    assert store.count(Contact) == 2
    assert store.outbox_count() == outbox
    assert dialog.groups.rowCount() == 1
    assert dialog.merge_button.isEnabled()
    assert model.picked_from(blocked) == twin.id  # kept for another try


def test_edit_menu_opens_one_finder_for_the_session(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    (find,) = [a for a in window.findChildren(QAction) if a.text() == "Find &duplicates…"]
    find.trigger()
    settle(qtbot, ctx)
    dialog = window.findChild(DuplicatesDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.placeholder.text() == "No duplicate accounts found."
    dialog.contacts_button.click()
    settle(qtbot, ctx)
    assert dialog.groups.rowCount() == 0  # the demo data has none
    _contact(ctx.store, email="jane@example.com")
    _contact(ctx.store, email="jane@example.com")
    dialog.refresh_button.click()
    settle(qtbot, ctx)
    assert dialog.groups.rowCount() == 1
    dialog.dismiss_button.click()
    dialog.close()

    assert window.find_duplicates() is dialog  # searched again, the group still hidden
    settle(qtbot, ctx)
    assert dialog.isVisible()
    assert dialog.groups.rowCount() == 0
    assert dialog.placeholder.text() == "No duplicate contacts found."
    dialog.close()


def test_models_pass_the_model_tester(
    plain_ctx: AppContext, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    store = plain_ctx.store
    for index in range(3):
        _contact(store, email="jane@example.com", notes=f"Note {index}", title=f"T{index}")
    _contact(store, first_name="Bob", last_name="Roe", phone="+1 555 0123")
    _contact(store, first_name="Bob", last_name="Roe", phone="+1 555 0123")
    dialog = _open(qtbot, plain_ctx)
    assert dialog.comparison.columnCount() == 4
    qtmodeltester.check(dialog.groups)
    qtmodeltester.check(dialog.comparison)
    model = dialog.comparison
    survivor = model.record_ids()[2]
    model.set_survivor(survivor)
    assert model.picked() == {"notes": "both"}
    dialog.keep_notes.click()  # off: the survivor's own notes
    assert not model.keeps_all_notes()
    assert model.picked() == {}
    assert model.picked_from(model.notes_row) == survivor
    qtmodeltester.check(dialog.comparison)


def test_every_pickable_field_has_a_row() -> None:
    for kind, model in ((EntityKind.ACCOUNT, Account), (EntityKind.CONTACT, Contact)):
        shown = {name for row in ROWS[kind] for name in row.fields}
        assert shown == set(model.model_fields) - UNPICKABLE - {"revenue_history"}


def test_screenshots(plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    store = plain_ctx.store
    acme = store.create(
        Account, {"name": "Acme Industrial Holdings International", "domain": "acme.com"}
    ).value
    store.create(
        Account,
        {
            "name": "ACME",
            "domain": "www.acme.com",
            "street": "1200 Very Long Industrial Park Boulevard, Building 7",
            "city": "Springfield",
            "postal_code": "62701",
            "country": "US",
            "notes": "Key account in the midwest region.",
        },
    )
    for first, email, phone in (
        ("Jane", "jane.doe@acme.com", "+1 555 0100"),
        ("Jane", "jane.doe@acme.com", ""),
        ("Janet", "jane.doe@acme.com", "+1 555 0199"),
    ):
        _contact(
            store,
            first_name=first,
            account_id=acme.id,
            email=email,
            phone=phone or None,
            title="Head of Procurement and Strategic Sourcing, EMEA and Americas",
            notes=f"{first} notes",
        )
    dialog = _open(qtbot, plain_ctx)
    assert dialog.comparison.columnCount() == 4
    screenshot(qtbot, plain_ctx, dialog, tmp_path / "dup_contacts.png")
    dialog.accounts_button.click()
    settle(qtbot, plain_ctx)
    assert dialog.comparison.columnCount() == 3
    screenshot(qtbot, plain_ctx, dialog, tmp_path / "dup_accounts.png")
