"""Accounts: create with validation in the form, the 360° view, delete and undo (Ctrl+Z)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from ui_helpers import settle, shortcut

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.main_window import MainWindow


def _form(window: MainWindow) -> RecordForm:
    forms = [f for f in window.findChildren(RecordForm) if f.isVisible()]
    assert len(forms) == 1
    return forms[0]


def test_create_account_shows_validation_then_saves(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    window.go("Accounts")
    window.accounts.new_account()
    form = _form(window)
    phone = form.widgets["phone"]
    assert isinstance(phone, QLineEdit)
    phone.setText("call me")
    qtbot.mouseClick(form.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.errors["name"].isVisible())
    assert form.errors["name"].text() == "Is required"
    assert "not a phone number" in form.errors["phone"].text()
    assert form.isVisible()

    name = form.widgets["name"]
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(name, "Zeppelin Testwerke GmbH")
    phone.setText("+49 40 1234")
    with qtbot.waitSignal(form.accepted):
        form.save()
    settle(qtbot, ctx)
    assert window.accounts.view.title.text() == "Zeppelin Testwerke GmbH"
    ids = ctx.store.account_ids("Zeppelin")
    assert len(ids) == 1
    assert window.accounts.model.row_of(ids[0]) >= 0


def test_undo_create_deletes_and_undo_delete_recreates(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, monkeypatch: object
) -> None:
    window.go("Accounts")
    before = ctx.store.count(Account)
    window.accounts.new_account()
    form = _form(window)
    name = form.widgets["name"]
    assert isinstance(name, QLineEdit)
    name.setText("Undo Me AG")
    with qtbot.waitSignal(form.accepted):
        form.save()
    settle(qtbot, ctx)
    assert ctx.store.count(Account) == before + 1
    assert window.undo_action.isEnabled()
    window.accounts.list.setFocus()
    shortcut(qtbot, window, "Ctrl+Z")
    settle(qtbot, ctx)
    assert ctx.store.count(Account) == before
    assert not window.undo_action.isEnabled()

    victim = ctx.store.get(Account, ctx.store.account_ids()[0])
    window.accounts.show_account(victim.id)
    settle(qtbot, ctx)
    setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)  # noqa: B010
    outbox = ctx.store.outbox_count()
    window.accounts.view.delete()
    settle(qtbot, ctx)
    if ctx.store.count(Account) == before:  # in use: the store refused and said why
        assert "still used by" in window.statusBar().currentMessage()
        return
    window.undo()
    settle(qtbot, ctx)
    assert ctx.store.get(Account, victim.id).name == victim.name
    assert ctx.store.outbox_count() == outbox + 2


def test_deleting_an_account_in_use_says_why(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    used = next(
        account_id
        for account_id in ctx.store.account_ids()
        if ctx.store.contact_ids(account_id=account_id)
    )
    setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)  # noqa: B010
    window.open_account(used)
    settle(qtbot, ctx)
    window.accounts.view.delete()
    settle(qtbot, ctx)
    assert "still used by" in window.statusBar().currentMessage()
    assert ctx.store.get(Account, used).id == used


def test_filter_and_grade_filter_run_in_sql(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    page = window.accounts
    window.go("Accounts")
    page.grade.setCurrentIndex(page.grade.findData("A"))
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(ctx.store.account_ids(grade="A")))
    assert all(page.model.record_at(r).grade == "A" for r in range(page.model.rowCount()))  # type: ignore[union-attr]
    page.grade.setCurrentIndex(0)
    qtbot.keyClicks(page.filter, "zzzz-nothing")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.count.text() == "0 accounts"


def test_account_360_shows_plan_contacts_and_timeline(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    from sfa_desktop.core.entities import AccountPlan

    plan = ctx.store.get_many(AccountPlan, ctx.store.ids(AccountPlan, limit=50))
    account_id = next(p.account_id for p in plan if p.coverage)
    window.open_account(account_id)
    settle(qtbot, ctx)
    view = window.accounts.view
    assert view.data is not None
    assert view.data.account.id == account_id
    assert view.overview.coverage.rowCount() > 0
    assert view.contacts.rowCount() == len(ctx.store.contact_ids(account_id=account_id))
    assert view.tabs.tabText(1).startswith("Contacts (")
