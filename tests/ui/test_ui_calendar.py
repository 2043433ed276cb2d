"""Calendar flows: views, create by double-click, drag to move, resize, recurring scope, visits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from store_seeding import seed_records
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Activity, CalendarEvent, Contact
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.operations.calendar import Scope
from sfa_desktop.ui.calendar.calendar_layout import Mode
from sfa_desktop.ui.calendar.calendar_page import CalendarPage
from sfa_desktop.ui.calendar.complete_dialog import CompleteVisitDialog
from sfa_desktop.ui.calendar.event_dialog import EventDialog
from sfa_desktop.ui.main_window import MainWindow

TODAY = date.today()


def _at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return datetime.combine(TODAY + timedelta(days=days), time(hour, minute)).astimezone()


def _event(ctx: AppContext, hour: int = 10, **extra: object) -> CalendarEvent:
    fields = {"title": "Visit Acme", "starts_at": _at(hour), "ends_at": _at(hour + 1), **extra}
    return ctx.store.create(CalendarEvent, fields).value


def _page(ctx: AppContext, qtbot: QtBot) -> CalendarPage:
    page = CalendarPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.activate()
    settle(qtbot, ctx)
    return page


def _drag(qtbot: QtBot, widget: object, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(widget, middle)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_drag_moves_an_event_to_another_time(plain_ctx: AppContext, qtbot: QtBot) -> None:
    event = _event(plain_ctx)
    page = _page(plain_ctx, qtbot)
    view = page.view
    rect = view.rect_of(view.occurrences[0])
    assert rect is not None
    grab = rect.center().toPoint()
    target = grab + QPoint(0, int(view.y_of(90) - view.y_of(0)))  # 90 minutes later
    _drag(qtbot, view, grab, target)
    settle(qtbot, plain_ctx)
    moved = plain_ctx.store.get(CalendarEvent, event.id)
    assert moved.starts_at == _at(11, 30)
    assert moved.ends_at == _at(12, 30)
    assert view.occurrences[0].starts_at == _at(11, 30)


def test_drag_bottom_edge_resizes(plain_ctx: AppContext, qtbot: QtBot) -> None:
    event = _event(plain_ctx)
    page = _page(plain_ctx, qtbot)
    view = page.view
    rect = view.rect_of(view.occurrences[0])
    assert rect is not None
    edge = QPoint(int(rect.center().x()), int(rect.bottom()) - 2)
    _drag(qtbot, view, edge, edge + QPoint(0, int(view.y_of(60) - view.y_of(0))))
    settle(qtbot, plain_ctx)
    resized = plain_ctx.store.get(CalendarEvent, event.id)
    assert (resized.starts_at, resized.ends_at) == (_at(10), _at(12))


def test_drag_one_occurrence_of_a_series(plain_ctx: AppContext, qtbot: QtBot) -> None:
    series = _event(plain_ctx, recurrence="FREQ=DAILY;COUNT=3", timezone="UTC")
    page = _page(plain_ctx, qtbot)
    page.show_range(Mode.DAY, TODAY)
    settle(qtbot, plain_ctx)
    asked: list[str] = []
    page.choose_scope = lambda o: asked.append(o.event.title) or Scope.OCCURRENCE  # type: ignore[func-returns-value]
    view = page.view
    rect = view.rect_of(view.occurrences[0])
    assert rect is not None
    grab = rect.center().toPoint()
    _drag(qtbot, view, grab, grab + QPoint(0, int(view.y_of(120) - view.y_of(0))))
    settle(qtbot, plain_ctx)
    assert asked == ["Visit Acme"]
    assert plain_ctx.store.get(CalendarEvent, series.id).exceptions == (_at(10),)
    assert [o.starts_at for o in view.occurrences] == [_at(12)]
    assert not view.occurrences[0].is_recurring


def test_double_click_empty_slot_creates_event(plain_ctx: AppContext, qtbot: QtBot) -> None:
    page = _page(plain_ctx, qtbot)
    view = page.view
    slot = view.point_of(_at(14)) + QPoint(0, 5)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=slot)
    dialog = next(d for d in page.findChildren(EventDialog) if d.isVisible())
    assert dialog.fields()["starts_at"] == _at(14)
    qtbot.keyClicks(dialog.title, "Pitch new line")
    dialog.repeat.setCurrentIndex(2)  # weekly
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()
    settle(qtbot, plain_ctx)
    [made] = plain_ctx.store.get_many(CalendarEvent, plain_ctx.store.ids(CalendarEvent))
    assert (made.title, made.starts_at, made.ends_at) == ("Pitch new line", _at(14), _at(15))
    assert made.recurrence == "FREQ=WEEKLY"
    assert any(o.event.id == made.id for o in view.occurrences)


def test_dialog_edits_attendees_and_shows_errors(plain_ctx: AppContext, qtbot: QtBot) -> None:
    store = plain_ctx.store
    account = store.create(Account, {"name": "Acme"}).value
    ann = store.create(Contact, {"last_name": "Ann", "account_id": account.id}).value
    store.create(Contact, {"last_name": "Bob", "account_id": account.id})
    event = _event(plain_ctx, account_id=account.id, attendee_ids=(ann.id,))
    page = _page(plain_ctx, qtbot)
    dialog = page.open_occurrence(page.view.occurrences[0])
    settle(qtbot, plain_ctx)
    assert dialog.account.text() == "Acme"
    assert dialog.attendees.count() == 2
    assert dialog.attendee_ids() == [ann.id]
    dialog.attendees.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.title.clear()
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["title"].isVisible())
    qtbot.keyClicks(dialog.title, "Acme review")
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()
    settle(qtbot, plain_ctx)
    saved = store.get(CalendarEvent, event.id)
    assert saved.title == "Acme review"
    assert len(saved.attendee_ids) == 2


def test_complete_visit_logs_activity(plain_ctx: AppContext, qtbot: QtBot) -> None:
    store = plain_ctx.store
    account = store.create(Account, {"name": "Acme"}).value
    ann = store.create(Contact, {"last_name": "Ann", "account_id": account.id}).value
    # A visit the planner wrote, with its estimate of the drive to it.
    event = _event(
        plain_ctx,
        account_id=account.id,
        attendee_ids=(ann.id,),
        channel="visit",
        planned=True,
        travel_km=39.0,
    )
    page = _page(plain_ctx, qtbot)
    rect = page.view.rect_of(page.view.occurrences[0])
    assert rect is not None
    qtbot.mouseClick(page.view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert page.complete.isEnabled()
    page.complete.click()
    dialog = page.findChild(CompleteVisitDialog)
    assert dialog is not None
    assert dialog.km.value() == 39.0  # the planner's estimate to start from
    dialog.km.setValue(12.5)  # the rep drove less
    dialog.outcome.setText("Order promised")
    dialog.log()
    settle(qtbot, plain_ctx)
    [activity] = store.get_many(Activity, store.ids(Activity))
    assert (activity.channel, activity.account_id, activity.contact_ids) == (
        Channel.VISIT,
        account.id,
        (ann.id,),
    )
    assert activity.event_id == event.id
    assert (activity.travel_km, activity.outcome) == (12.5, "Order promised")
    assert store.get(CalendarEvent, event.id).status is EventStatus.COMPLETED
    assert not page.complete.isEnabled()
    assert "Logged" in page.notice.text()


def test_ics_export_import_and_bad_file(
    plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    event = _event(plain_ctx, recurrence="FREQ=WEEKLY;COUNT=3")
    page = _page(plain_ctx, qtbot)
    target = tmp_path / "week.ics"
    page.export_to(target)
    settle(qtbot, plain_ctx)
    assert b"RRULE:FREQ=WEEKLY;COUNT=3" in target.read_bytes()
    plain_ctx.store.delete(CalendarEvent, event.id)
    page.import_from(target)
    settle(qtbot, plain_ctx)
    assert page.notice.text() == "Imported 1 event."
    assert plain_ctx.store.count(CalendarEvent) == 1
    bad = tmp_path / "bad.ics"
    bad.write_text("hello")
    page.import_from(bad)
    settle(qtbot, plain_ctx)
    assert "not an iCalendar" in page.notice.text()


def test_views_render(window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    window.resize(1280, 800)
    window.go("Calendar")
    settle(qtbot, ctx)
    page = window.calendar
    for mode in Mode:
        page.show_range(mode, TODAY)
        settle(qtbot, ctx)
        screenshot(qtbot, ctx, window, tmp_path / f"calendar-{mode.value}.png")
    assert page.view.occurrences
    page.show_range(Mode.WEEK, TODAY)
    settle(qtbot, ctx)
    dialog = page.open_occurrence(page.view.occurrences[0])
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, dialog, tmp_path / "dialog-event.png")
    dialog.reject()


def test_reminders_fire_for_events_synced_in(plain_ctx: AppContext, qtbot: QtBot) -> None:
    from datetime import UTC

    from sfa_desktop.app.event_reminders import EventReminders
    from sfa_desktop.store import Changes

    reminders = EventReminders(plain_ctx)
    reminders.start()
    settle(qtbot, plain_ctx)
    assert reminders.scheduled == {}
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    later = soon + timedelta(days=2)
    synced = [
        CalendarEvent(
            title="Synced visit",
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            reminder_minutes=15,
            version=3,
        ),
        CalendarEvent(
            title="Later",
            starts_at=later,
            ends_at=later + timedelta(hours=1),
            reminder_minutes=30,
            version=4,
        ),
        CalendarEvent(
            title="Cancelled",
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            status="cancelled",
            version=5,
        ),
    ]
    seed_records(plain_ctx.store, synced)
    with qtbot.waitSignal(reminders.due, timeout=5000) as due:
        plain_ctx.announce(Changes.of(synced[0].entity))
    assert due.args[0].event.title == "Synced visit"
    assert list(reminders.scheduled.values()) == [later - timedelta(minutes=30)]
    reminders.stop()


def test_month_view_drag_moves_to_another_day(plain_ctx: AppContext, qtbot: QtBot) -> None:
    event = _event(plain_ctx)
    page = _page(plain_ctx, qtbot)
    page.show_range(Mode.MONTH, TODAY)
    settle(qtbot, plain_ctx)
    view = page.view
    rect = view.rect_of(view.occurrences[0])
    assert rect is not None
    index = view.days().index(TODAY)
    target_index = index + 1 if index % 7 < 6 else index - 1
    target = view.month_cell(target_index).center().toPoint()
    _drag(qtbot, view, rect.center().toPoint(), target)
    settle(qtbot, plain_ctx)
    moved = plain_ctx.store.get(CalendarEvent, event.id)
    shift = target_index - index
    assert moved.starts_at == _at(10, days=shift)
    assert moved.ends_at == _at(11, days=shift)
