"""User flows driven by the keyboard: log an activity (Ctrl+L), search (Ctrl+K), leads."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from ui_helpers import settle, shortcut

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Activity, Contact, Lead, Opportunity
from sfa_desktop.core.enums import Channel, LeadStatus
from sfa_desktop.ui.common.activity_dialog import ActivityDialog
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.main_window import MainWindow


def test_log_activity_in_two_keystrokes(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    window.go("Accounts")
    settle(qtbot, ctx)
    account = window.accounts.view.data
    assert account is not None
    window.accounts.list.setFocus()
    shortcut(qtbot, window, "Ctrl+L")
    dialog = next(d for d in window.findChildren(ActivityDialog) if d.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.subject)
    assert dialog.account.record_id() == account.account.id
    settle(qtbot, ctx)
    shortcut(qtbot, dialog, "Ctrl+1")
    assert dialog.channel() is Channel.VISIT
    qtbot.keyClicks(dialog.subject, "Walked the new warehouse")
    dialog.contacts.item(0).setCheckState(Qt.CheckState.Checked)
    before = len(ctx.store.ids(Activity, where={"account_id": account.account.id}))
    with qtbot.waitSignal(dialog.accepted):
        shortcut(qtbot, dialog, "Ctrl+Return")
    settle(qtbot, ctx)
    ids = ctx.store.ids(Activity, where={"account_id": account.account.id})
    assert len(ids) == before + 1
    logged = ctx.store.get(Activity, ctx.store.ids(Activity, sort="created_at", descending=True)[0])
    assert (logged.subject, logged.channel) == ("Walked the new warehouse", Channel.VISIT)
    assert len(logged.contact_ids) == 1
    assert window.accounts.view.activities.rowCount() == min(len(ids), 100)


def test_activity_without_subject_shows_message_next_to_field(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    dialog = window.log_activity()
    settle(qtbot, ctx)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["subject"].isVisible())
    assert dialog.errors["subject"].text() == "Is required"
    assert dialog.isVisible()
    dialog.reject()


def test_do_not_contact_warning(plain_ctx: AppContext, qtbot: QtBot) -> None:
    store = plain_ctx.store
    account = store.create(Account, {"name": "Quiet GmbH"}).value
    contact = store.create(
        Contact, {"last_name": "Still", "account_id": account.id, "do_not_call": True}
    ).value
    from sfa_desktop.ui.common.activity_dialog import Focus

    dialog = ActivityDialog(plain_ctx, Focus(account.id, account.name, contact.id))
    qtbot.addWidget(dialog)
    settle(qtbot, plain_ctx)
    dialog.channels.button(2).click()  # call
    assert not dialog.warning.isHidden()
    dialog.channels.button(1).click()  # visit
    assert dialog.warning.isHidden()


def test_search_with_ctrl_k_and_open_result(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    accounts = ctx.store.get_many(Account, ctx.store.account_ids())
    target = next(a for a in accounts[5:] if len(a.name.split()[0]) >= 4)
    window.go("Today")
    shortcut(qtbot, window, "Ctrl+K")
    assert window.search.isVisible()
    word = target.name.split()[0][:4]
    with qtbot.waitSignal(window.search.results_shown, timeout=5000):
        qtbot.keyClicks(window.search.box, word)
    qtbot.waitUntil(lambda: window.search._wanted == word and not window.search._busy)
    hits = window.search.model.hits
    row = next(i for i, hit in enumerate(hits) if hit.id == target.id)
    for _ in range(row):
        qtbot.keyClick(window.search.box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    settle(qtbot, ctx)
    assert not window.search.isVisible()
    assert window.current_page() is window.accounts
    assert window.accounts.view.title.text() == target.name


def test_convert_lead_and_undo(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    store = ctx.store
    lead = store.create(Lead, {"first_name": "Ana", "last_name": "Lima", "company": "Lima Foods"})
    ctx.announce(lead.changes)
    window.go("Leads")
    settle(qtbot, ctx)
    window.leads.show_lead(lead.value.id)
    window.leads.set_status(LeadStatus.QUALIFIED)
    settle(qtbot, ctx)
    assert store.get(Lead, lead.value.id).status is LeadStatus.QUALIFIED
    window.leads.show_lead(lead.value.id)
    form = window.leads.convert()
    assert isinstance(form, RecordForm)
    amount = form.widgets["amount"]
    amount.setValue(12_500.00)  # type: ignore[attr-defined]
    with qtbot.waitSignal(form.accepted):
        form.save()
    settle(qtbot, ctx)
    converted = store.get(Lead, lead.value.id)
    assert converted.status is LeadStatus.CONVERTED
    opportunity = store.get(Opportunity, converted.converted_opportunity_id or "")
    assert opportunity.amount == 1_250_000
    assert opportunity.close_date > date.today()
    assert window.current_page() is window.accounts
    assert window.accounts.view.title.text() == "Lima Foods"
    window.undo()
    settle(qtbot, ctx)
    assert store.get(Lead, lead.value.id).status is LeadStatus.QUALIFIED
    assert store.account_ids("Lima Foods") == []


def test_disqualify_needs_a_reason(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    saved = ctx.store.create(Lead, {"company": "Nope Ltd"})
    lead = saved.value
    ctx.announce(saved.changes)
    window.go("Leads")
    settle(qtbot, ctx)
    window.leads.show_lead(lead.id)
    form = window.leads.disqualify()
    assert form is not None
    form.save()
    qtbot.waitUntil(form.form_error.isVisible)
    assert "why" in form.form_error.text()
    reason = form.widgets["disqualify_reason"]
    assert isinstance(reason, QLineEdit)
    reason.setText("No budget")
    with qtbot.waitSignal(form.accepted):
        form.save()
    assert ctx.store.get(Lead, lead.id).status is LeadStatus.DISQUALIFIED
