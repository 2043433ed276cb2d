"""The history panel: readable changes, pending writes on top, refresh on sync; on records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import (
    Account,
    AuditEntry,
    CalendarEvent,
    Contact,
    FieldChange,
    Opportunity,
    Task,
)
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.protocol import Change
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.records import update_record
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.calendar.event_dialog import EventDialog
from sfa_desktop.ui.common.activity_dialog import ActivityDialog, Focus
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.history_panel import PENDING, HistoryPanel
from sfa_desktop.ui.main_window import MainWindow

T0 = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
_version = [10_000]


def _change(record: AuditEntry | Account | Opportunity) -> Change:
    _version[0] += 1
    data = record.model_dump(mode="json")
    return Change(
        entity=record.entity,
        entity_id=record.id,
        op="upsert",
        version=_version[0],
        data=data,
    )


def _entry(
    entity: EntityKind, record_id: str, hours: float, action: AuditAction, **values: Any
) -> AuditEntry:
    values.setdefault("actor_name", "Olga Berg")
    values.setdefault("device_name", "Olga's desktop")
    return AuditEntry(
        owner_id="user-rep",
        record_entity=entity,
        record_id=record_id,
        action=action,
        at=T0 + timedelta(hours=hours),
        **values,
    )


def _pull(ctx: AppContext, *records: AuditEntry | Account | Opportunity) -> None:
    """What a sync does: apply a page and announce what it touched."""
    ctx.announce(ctx.store.apply_pull([_change(r) for r in records], next_since=_version[0]))


def _deal_trail(deal: Opportunity) -> list[AuditEntry]:
    kind = EntityKind.OPPORTUNITY
    return [
        _entry(kind, deal.id, 0, AuditAction.CREATED, actor_name="Rita", device_name="laptop"),
        _entry(
            kind,
            deal.id,
            26,
            AuditAction.UPDATED,
            changes=(
                FieldChange(field="stage", old="proposal", new="negotiation"),
                FieldChange(field="probability", old=60, new=80),
                FieldChange(field="amount", old=1_000_000, new=1_200_000),
                FieldChange(field="close_date", old="2026-12-15", new="2027-01-20"),
            ),
        ),
    ]


def test_panel_reads_well_and_follows_local_edits_and_syncs(
    plain_ctx: AppContext, qtbot: QtBot
) -> None:
    ctx = plain_ctx
    account = ctx.store.create(Account, {"name": "Acme"}).value
    deal = Opportunity(
        account_id=account.id,
        name="Fleet telematics",
        amount=1_200_000,
        stage="negotiation",
        close_date=date(2027, 1, 20),
        owner_id="user-rep",
        version=5,
    )
    _pull(ctx, deal, *_deal_trail(deal))
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.loaded):
        panel.show_record(EntityKind.OPPORTUNITY, deal.id)
    rows = panel.rows()
    assert [r.what.splitlines()[0] for r in rows] == ["Stage: Proposal → Negotiation", "Created"]
    newest = rows[0]
    assert newest.who == "Olga Berg\nOlga's desktop"
    assert "Probability: 60 % → 80 %" in newest.what
    assert "Amount: €10,000 → €12,000" in newest.what
    assert "Close date: 15/12/2026 → 20/01/2027" in newest.what
    local = (T0 + timedelta(hours=26)).astimezone()
    assert newest.when.endswith(local.strftime("%H:%M"))  # local time, not UTC
    assert rows[1].who == "Rita\nlaptop"

    with qtbot.waitSignal(panel.loaded):  # a local edit: the record's kind changed
        ctx.run_op(lambda s: update_record(s, Opportunity, deal.id, {"next_step": "Call CFO"}))
    pending = panel.rows()[0]
    assert (pending.who, pending.what, pending.pending) == (
        f"You — {PENDING}",
        "Next step → Call CFO",
        True,
    )

    with qtbot.waitSignal(panel.loaded):  # a sync brings a new entry
        _pull(ctx, _entry(EntityKind.OPPORTUNITY, deal.id, 30, AuditAction.DELETED))
    assert len(panel.rows()) == 4
    assert panel.rows()[1].what == "Deleted"

    with qtbot.assertNotEmitted(panel.loaded, wait=200):  # unrelated kinds: no reload
        ctx.announce(Changes.of(EntityKind.TASK))


def test_reassignment_and_references_show_names(plain_ctx: AppContext, qtbot: QtBot) -> None:
    ctx = plain_ctx
    account = ctx.store.create(Account, {"name": "Acme"}).value
    other = ctx.store.create(Account, {"name": "Acme Holding"}).value
    _pull(
        ctx,
        _entry(
            EntityKind.ACCOUNT,
            account.id,
            1,
            AuditAction.REASSIGNED,
            actor_name="Administrator",
            device_name="",
            changes=(FieldChange(field="owner_id", old="user-mgr", new="user-rep"),),
        ),
        _entry(
            EntityKind.ACCOUNT,
            account.id,
            2,
            AuditAction.UPDATED,
            changes=(
                FieldChange(field="parent_id", old=None, new=other.id),
                FieldChange(field="notes", old="", new="A long note " * 20),
                FieldChange(field="grade", old="C", new="B"),
            ),
        ),
    )
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded):
        panel.show_record(EntityKind.ACCOUNT, account.id)
    created, edited, reassigned = panel.rows()  # this device's pending write on top
    # In the entry's order (the server writes the model's).
    assert edited.what.splitlines() == [
        "Parent account: — → Acme Holding",
        "Notes: — → " + ("A long note " * 20)[:59] + "…",
        "Grade: C → B",
    ]
    assert reassigned.what.splitlines() == ["Reassigned", "Owner: Max Manager → Rita Rep"]
    assert reassigned.who == "Administrator"
    assert (created.what, created.pending) == ("Created", True)


def test_records_show_their_history_only_once_they_exist(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    window.resize(1280, 800)
    window.go("Accounts")
    settle(qtbot, ctx)
    view = window.accounts.view
    assert view.data is not None
    account = view.data.account
    _pull(ctx, *_account_trail(ctx.store, account))
    view.tabs.setCurrentIndex(view.tabs.count() - 1)
    settle(qtbot, ctx)
    assert view.tabs.tabText(view.tabs.currentIndex()) == "History"
    rows = view.history.rows()
    assert [r.what.splitlines()[0] for r in rows[:2]] == ["Reassigned", "City: Bremen → Hamburg"]
    screenshot(qtbot, ctx, window, tmp_path / "account-history.png")

    new_form = open_form(ctx, Task, parent=window)
    assert new_form.history is None
    new_form.reject()
    deal = ctx.store.records(Opportunity)[0]  # any deal (the first account may have none)
    assert deal.account_id is not None
    deal_account = ctx.store.get(Account, deal.account_id)
    _pull(ctx, *_deal_trail(deal))
    titles = {"account_id": deal_account.name}
    form = open_form(ctx, Opportunity, deal, parent=window, titles=titles)
    assert form.history is not None
    form.history.set_expanded(True)
    settle(qtbot, ctx)
    assert form.history.toggle.text() == "▾  History (2)"
    assert form.history.panel.rows()[0].what.startswith("Stage: Proposal → Negotiation")
    screenshot(qtbot, ctx, form, tmp_path / "dialog-opportunity-history.png")
    form.reject()

    activity = view.data.activities[0]
    dialog = ActivityDialog(ctx, Focus(account.id, account.name), window, activity)
    dialog.show()
    settle(qtbot, ctx)
    assert dialog.windowTitle() == "Edit activity"
    assert dialog.history is not None
    assert dialog.fields()["occurred_at"] == activity.occurred_at  # untouched: kept exactly
    assert dialog.fields()["subject"] == activity.subject
    dialog.history.set_expanded(True)
    screenshot(qtbot, ctx, dialog, tmp_path / "dialog-activity-history.png")
    dialog.reject()

    event = ctx.store.get_many(CalendarEvent, ctx.store.ids(CalendarEvent, limit=1))[0]
    _pull(ctx, _entry(EntityKind.EVENT, event.id, 3, AuditAction.UPDATED, changes=_moved(event)))
    occurrence = Occurrence(event, event.starts_at, event.ends_at)
    assert EventDialog(ctx, None, event.starts_at, parent=window).history is None
    event_dialog = EventDialog(ctx, occurrence, parent=window)
    event_dialog.show()
    assert event_dialog.history is not None
    event_dialog.history.set_expanded(True)
    settle(qtbot, ctx)
    assert event_dialog.history.panel.rows()[0].what.startswith("Starts: ")
    screenshot(qtbot, ctx, event_dialog, tmp_path / "dialog-event-history.png")
    event_dialog.reject()


def _moved(event: CalendarEvent) -> tuple[FieldChange, ...]:
    earlier = timedelta(days=1)
    changes = [
        FieldChange(field=name, old=(when - earlier).isoformat(), new=when.isoformat())
        for name, when in (("starts_at", event.starts_at), ("ends_at", event.ends_at))
    ]
    return (*changes, FieldChange(field="location", old="", new="Head office, room 4"))


def _account_trail(store: Store, account: Account) -> list[AuditEntry]:
    users = {user.name: user.id for user in store.users()}
    me = store.current_user_id()
    before = next(uid for name, uid in users.items() if uid != me)
    kind = EntityKind.ACCOUNT
    return [
        _entry(
            kind, account.id, -300, AuditAction.CREATED, actor_name="Rita", device_name="laptop"
        ),
        _entry(
            kind,
            account.id,
            -200,
            AuditAction.UPDATED,
            actor_name="Rita",
            device_name="laptop",
            changes=(
                FieldChange(field="industry", old="", new="Logistics"),
                FieldChange(field="potential_revenue", old=0, new=250_000_000),
                FieldChange(field="notes", old="", new="Prefers visits on Tuesdays. " * 8),
            ),
        ),
        _entry(
            kind,
            account.id,
            -20,
            AuditAction.UPDATED,
            changes=(FieldChange(field="city", old="Bremen", new="Hamburg"),),
        ),
        _entry(
            kind,
            account.id,
            -2,
            AuditAction.REASSIGNED,
            actor_name="Administrator",
            device_name="",
            changes=(FieldChange(field="owner_id", old=before, new=me),),
        ),
    ]


def test_a_merge_reads_as_its_note(plain_ctx: AppContext, qtbot: QtBot) -> None:
    ctx = plain_ctx
    account = ctx.store.create(Account, {"name": "Acme"}).value
    merged = _entry(
        EntityKind.ACCOUNT,
        account.id,
        1,
        AuditAction.MERGED,
        note="merged Acme Ltd into this record",
        changes=(FieldChange(field="domain", old="", new="acme.example"),),
    )
    _pull(ctx, merged)
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded):
        panel.show_record(EntityKind.ACCOUNT, account.id)
    assert panel.rows()[1].what.splitlines() == [
        "Merged Acme Ltd into this record",
        "Website: — → acme.example",
    ]


def test_the_contact_view_has_a_history_tab(
    ctx: AppContext, window: MainWindow, qtbot: QtBot
) -> None:
    window.go("Contacts")
    page = window.contacts
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    contact_id = page.model.id_at(0)
    assert contact_id is not None
    view = page.view
    view.tabs.setCurrentWidget(view.history)
    with qtbot.waitSignal(view.history.loaded):
        page.show_contact(contact_id)
    settle(qtbot, ctx)
    with qtbot.waitSignal(view.history.loaded):
        ctx.run_op(lambda s: update_record(s, Contact, contact_id, {"title": "CFO"}))
    assert view.history.rows()[0].what == "Job title → CFO"
    settle(qtbot, ctx)
