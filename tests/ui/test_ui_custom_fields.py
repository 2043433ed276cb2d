"""Custom fields in the app (issue 21): the forms' "More fields" section checked by the
shared rule as the user types, optional list columns sorted and filtered in SQL, and the
duplicate merge's picks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Contact, FieldDefinition, Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Change
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.common.custom_widgets import CustomSection
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.contacts.contacts_page import ContactsPage
from sfa_desktop.ui.duplicates.duplicates_dialog import DuplicatesDialog
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.pipeline.pipeline_page import PipelinePage


def definition(key: str, field_type: str, position: int, **rules: Any) -> FieldDefinition:
    return FieldDefinition.parse(
        {
            "id": f"def-{key}",
            "owner_id": "org",
            "for_entity": rules.pop("for_entity", "contact"),
            "key": key,
            "label": rules.pop("label", key.removeprefix("cf_").title()),
            "field_type": field_type,
            "position": position,
            **rules,
        }
    )


SEGMENT = definition(
    "cf_segment", "picklist", 1, choices=("Retail", "Wholesale", "Public"), retired_choices=()
)
SINCE = definition("cf_since", "date", 2, label="Customer since")
SCORE = definition("cf_score", "number", 3, minimum=0, maximum=100)
BUDGET = definition("cf_budget", "currency", 4)
CODE = definition("cf_code", "text", 5, read_only_for_rep=True, label="Territory code")
TAGS = definition("cf_tags", "multi-picklist", 6, choices=("A", "B", "C"))
VIP = definition("cf_vip", "checkbox", 7, label="VIP")
CONTACT_FIELDS = (SEGMENT, SINCE, SCORE, BUDGET, CODE, TAGS, VIP)


def seed_definitions(store: Store, *definitions: FieldDefinition, first: int = 10) -> None:
    """Pull `definitions` as the server would send them."""
    changes = [
        Change(
            entity=EntityKind.FIELD_DEFINITION,
            entity_id=d.id,
            op="upsert",
            version=first + n,
            data={**d.model_dump(mode="json"), "version": first + n},
        )
        for n, d in enumerate(definitions)
    ]
    store.apply_pull(changes, next_since=first + len(definitions))


def opened(qtbot: QtBot, ctx: AppContext, form: RecordForm) -> CustomSection:
    settle(qtbot, ctx)
    assert form.custom_loaded
    assert form.custom is not None
    return form.custom


def test_form_checks_custom_values_as_typed_and_saves_changed_ones(
    qtbot: QtBot, plain_ctx: AppContext
) -> None:
    store = plain_ctx.store
    seed_definitions(store, *CONTACT_FIELDS)
    contact = store.create(Contact, {"last_name": "Ng", "cf_segment": "Public"}).value
    form = open_form(plain_ctx, Contact, contact)
    section = opened(qtbot, plain_ctx, form)
    labels = [
        section.layout().itemAt(row, section.layout().ItemRole.LabelRole).widget().text()
        for row in range(section.layout().rowCount())
    ]
    assert labels == [
        "Segment",
        "Customer since",
        "Score",
        "Budget",
        "Territory code",
        "Tags",
        "VIP",
    ]
    score = section.editors["cf_score"].widget
    score.setFocus()
    qtbot.keyClicks(score, "120")
    score.editingFinished.emit()  # the user leaves the field
    assert section.editors["cf_score"].error.isVisible()
    assert section.editors["cf_score"].error.text() == "Score must be at most 100"
    qtbot.keyClick(score, "\b")  # "12": the message goes as the user fixes it
    assert not section.editors["cf_score"].error.isVisible()
    budget = section.editors["cf_budget"].widget
    qtbot.keyClicks(budget, "1 234,5")
    budget.editingFinished.emit()
    assert budget.text() == "1234.50"
    qtbot.keyClicks(score, "x")
    form.save()  # refused before the store is asked
    assert section.editors["cf_score"].error.text() == "Score must be a number"
    assert form.isVisible()
    score.setText("42")
    section.editors["cf_tags"].widget.item(2).setCheckState(Qt.CheckState.Checked)
    form.save()
    settle(qtbot, plain_ctx)
    assert not form.isVisible()
    saved = store.get(Contact, contact.id)
    assert saved.custom_values() == {
        "cf_segment": "Public",
        "cf_score": 42,
        "cf_budget": 123450,
        "cf_tags": ["C"],
    }


def test_read_only_for_rep_field_is_disabled_and_unchanged_values_are_not_sent(
    qtbot: QtBot, plain_ctx: AppContext
) -> None:
    store = plain_ctx.store
    seed_definitions(store, *CONTACT_FIELDS)
    contact = store.create(Contact, {"last_name": "Ng"}).value
    form = open_form(plain_ctx, Contact, contact)
    section = opened(qtbot, plain_ctx, form)
    assert not section.editors["cf_code"].widget.isEnabled()  # the signed-in user is a rep
    assert section.editors["cf_segment"].widget.isEnabled()
    assert section.changed() == {}  # an untouched form sends no custom value (VIP stays empty)
    assert {k: v for k, v in form.values().items() if k.startswith("cf_")} == {}


def test_server_message_shows_under_the_custom_field(qtbot: QtBot, plain_ctx: AppContext) -> None:
    store = plain_ctx.store
    required = definition("cf_region", "text", 1, required=True, label="Region")
    seed_definitions(store, required)
    contact = store.create(Contact, {"last_name": "Ng", "cf_region": "North"}).value
    form = open_form(plain_ctx, Contact, contact)
    section = opened(qtbot, plain_ctx, form)
    section.editors["cf_region"].widget.setText("")
    form.save()
    settle(qtbot, plain_ctx)
    assert form.isVisible()
    assert section.editors["cf_region"].error.text() == "Region is required"  # the store's words
    assert store.get(Contact, contact.id).custom_values() == {"cf_region": "North"}


def test_kind_without_definitions_has_no_section(qtbot: QtBot, plain_ctx: AppContext) -> None:
    form = open_form(plain_ctx, Contact)
    settle(qtbot, plain_ctx)
    assert form.custom_loaded
    assert form.custom is None
    form.reject()


def _contacts(store: Store) -> dict[str, str]:
    """Four contacts; the orders below are worked out by hand from these values."""
    made = {}
    for name, segment, since in (
        ("Ames", "Retail", "2024-05-01"),
        ("Baker", "Wholesale", "2023-01-01"),
        ("Cole", "Retail", None),
        ("Dunn", "Public", "2025-12-31"),
    ):
        fields = {"last_name": name, "cf_segment": segment, "cf_since": since}
        made[name] = store.create(Contact, fields).value.id
    return made


def test_list_shows_sorts_and_filters_by_custom_columns(
    qtbot: QtBot, plain_ctx: AppContext
) -> None:
    store = plain_ctx.store
    seed_definitions(store, SEGMENT, SINCE)
    ids = _contacts(store)
    page = ContactsPage(plain_ctx)
    page.resize(1280, 800)
    page.show()
    page.activate()
    settle(qtbot, plain_ctx)
    custom = page.custom
    assert custom.loaded
    assert page.custom.button.isVisible()
    since = custom.column_of("cf_since")
    assert page.model.headerData(since, Qt.Orientation.Horizontal) == "Customer since"
    assert page.list.isColumnHidden(since)  # optional: hidden until chosen
    custom.set_shown("cf_since", True)
    assert not page.list.isColumnHidden(since)
    page.list.sortByColumn(since, Qt.SortOrder.AscendingOrder)  # a header click
    settle(qtbot, plain_ctx)
    assert page.model.ids() == [ids["Cole"], ids["Baker"], ids["Ames"], ids["Dunn"]]  # empty first
    row = page.model.row_of(ids["Ames"])
    assert page.model.index(row, since).data() == "2024-05-01"
    dialog = custom.edit_filter("cf_segment")
    assert dialog.choices is not None
    assert [dialog.choices.item(r).text() for r in range(3)] == ["Retail", "Wholesale", "Public"]
    dialog.choices.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.apply()
    settle(qtbot, plain_ctx)
    assert page.model.ids() == [ids["Cole"], ids["Ames"]]
    assert custom.button.text() == "Fields · 1 filter"
    assert not page.list.isColumnHidden(custom.column_of("cf_segment"))  # shown once filtered
    dates = custom.edit_filter("cf_since")
    assert dates.low is not None
    dates.low.setText("2024-01-01")
    dates.apply()
    settle(qtbot, plain_ctx)
    assert page.model.ids() == [ids["Ames"]]
    custom.clear_filters()
    settle(qtbot, plain_ctx)
    assert len(page.model.ids()) == 4
    page.close()
    again = ContactsPage(plain_ctx)  # the shown columns are remembered on this device
    settle(qtbot, plain_ctx)
    assert not again.list.isColumnHidden(again.custom.column_of("cf_since"))
    assert not again.list.isColumnHidden(again.custom.column_of("cf_segment"))
    again.close()


def test_pipeline_table_filters_by_a_custom_number(qtbot: QtBot, plain_ctx: AppContext) -> None:
    store = plain_ctx.store
    seed_definitions(store, definition("cf_seats", "number", 1, for_entity="opportunity"))
    account = store.create(Account, {"name": "Acme"}).value
    deals = {}
    for name, seats in (("Small", 5), ("Mid", 50), ("Big", 500), ("Unknown", None)):
        fields = {
            "name": name,
            "account_id": account.id,
            "amount": 100,
            "close_date": "2030-01-31",
            "cf_seats": seats,
        }
        deals[name] = store.create(Opportunity, fields).value.id
    page = PipelinePage(plain_ctx)
    page.show()
    page.activate()
    page.owner.setCurrentIndex(0)  # everyone
    settle(qtbot, plain_ctx)
    assert sorted(page.model.ids()) == sorted(deals.values())
    dialog = page.custom.edit_filter("cf_seats")
    assert dialog.low is not None
    assert dialog.high is not None
    dialog.low.setText("10")
    dialog.high.setText("1 000")
    dialog.apply()
    settle(qtbot, plain_ctx)
    seats = page.custom.column_of("cf_seats")
    page.table.sortByColumn(seats, Qt.SortOrder.DescendingOrder)
    settle(qtbot, plain_ctx)
    assert page.model.ids() == [deals["Big"], deals["Mid"]]
    bad = page.custom.edit_filter("cf_seats")
    assert bad.low is not None
    bad.low.setText("ten")
    bad.apply()
    assert bad.isVisible()
    assert bad.error.text() == "Seats must be a number"
    bad.reject()
    page.close()


def test_merge_keeps_the_picked_custom_value(
    qtbot: QtBot, plain_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = plain_ctx.store
    seed_definitions(store, SEGMENT, TAGS, SCORE)
    jane = store.create(
        Contact,
        {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}
        | {"cf_segment": "Retail", "cf_tags": ["A"]},
    ).value
    twin = store.create(
        Contact,
        {"first_name": "Jane", "last_name": "Doe", "email": "JANE@example.com"}
        | {"cf_segment": "Public", "cf_tags": ["B", "C"], "cf_score": 7},
    ).value
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)
    dialog = DuplicatesDialog(plain_ctx, kind=EntityKind.CONTACT)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, plain_ctx)
    model = dialog.comparison
    assert model.record_ids() == [jane.id, twin.id]
    labels = model.row_labels()
    segment, tags, score = (labels.index(n) for n in ("Segment", "Tags", "Score"))
    assert model.data(model.index(tags, 2)) == "B; C"
    assert model.picked_from(segment) == jane.id  # the survivor's by default
    assert model.picked_from(score) == twin.id  # the survivor has none
    model.pick(segment, twin.id)  # the user's choice; tags stay the survivor's
    assert model.picked() == {"cf_segment": twin.id, "cf_score": twin.id}
    dialog.merge_button.click()
    settle(qtbot, plain_ctx)
    (left,) = store.records(Contact)
    assert left.id == jane.id
    assert left.custom_values() == {"cf_segment": "Public", "cf_tags": ["A"], "cf_score": 7}


ACCOUNT_FIELDS = (
    definition("cf_territory", "text", 1, for_entity="account", label="Territory code"),
    definition("cf_tier", "picklist", 2, for_entity="account", choices=("Gold", "Silver")),
    definition("cf_renewal", "date", 3, for_entity="account", label="Contract renewal"),
    definition("cf_fee", "currency", 4, for_entity="account", label="Annual fee"),
)


# Enough fields that an account's form no longer fits 768 pixels without scrolling.
MORE_ACCOUNT = tuple(
    definition(f"cf_extra{n}", "text", 10 + n, for_entity="account", label=f"Extra {n}")
    for n in range(8)
)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_screenshots(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The changed pages and dialogs at both sizes (look at them: $SFA_UI_SHOTS)."""
    store = ctx.store
    seats = definition("cf_seats", "number", 1, for_entity="opportunity", label="Seats")
    seed_definitions(store, *CONTACT_FIELDS, *ACCOUNT_FIELDS, *MORE_ACCOUNT, seats, first=900)
    for n, contact_id in enumerate(store.contact_ids()[:40]):
        segment = ("Retail", "Wholesale", "Public")[n % 3]
        since = f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}"
        store.update(Contact, contact_id, {"cf_segment": segment, "cf_since": since})
    ctx.announce(Changes.of(EntityKind.FIELD_DEFINITION, EntityKind.CONTACT))
    width, height = size
    window.resize(width, height)
    window.go("Contacts")
    settle(qtbot, ctx)
    page = window.contacts
    page.custom.set_shown("cf_segment", True)
    page.custom.set_shown("cf_since", True)
    page.list.sortByColumn(page.custom.column_of("cf_since"), Qt.SortOrder.DescendingOrder)
    screenshot(qtbot, ctx, window, tmp_path / f"custom-contacts-{width}.png")
    menu = QMenu(window)
    page.custom.fill_menu(menu)
    menu.popup(page.custom.button.mapToGlobal(page.custom.button.rect().bottomLeft()))
    screenshot(qtbot, ctx, menu, tmp_path / f"custom-contacts-menu-{width}.png")
    menu.close()
    dialog = page.custom.edit_filter("cf_segment")
    screenshot(qtbot, ctx, dialog, tmp_path / f"custom-filter-{width}.png")
    dialog.reject()
    dates = page.custom.edit_filter("cf_since")
    screenshot(qtbot, ctx, dates, tmp_path / f"custom-filter-dates-{width}.png")
    dates.reject()
    page.view.edit()
    settle(qtbot, ctx)
    form = next(w for w in window.findChildren(RecordForm) if w.isVisible())
    assert form.custom is not None
    assert form.height() <= height
    screenshot(qtbot, ctx, form, tmp_path / f"custom-contact-form-{width}.png")
    form.reject()
    window.go("Accounts")
    settle(qtbot, ctx)
    window.accounts.view.edit()
    settle(qtbot, ctx)
    form = next(w for w in window.findChildren(RecordForm) if w.isVisible())
    assert form.custom is not None
    screenshot(qtbot, ctx, form, tmp_path / f"custom-account-form-{width}.png")
    assert form.height() <= height
    form.reject()
    window.go("Pipeline")
    window.pipeline.show_view(1)
    settle(qtbot, ctx)
    window.pipeline.custom.set_shown("cf_seats", True)
    screenshot(qtbot, ctx, window, tmp_path / f"custom-pipeline-{width}.png")


def test_contact_details_show_the_live_custom_values(qtbot: QtBot, plain_ctx: AppContext) -> None:
    store = plain_ctx.store
    seed_definitions(store, SEGMENT, SINCE, SCORE)
    ids = _contacts(store)
    seed_definitions(store, SCORE.model_copy(update={"retired": True}), first=20)
    page = ContactsPage(plain_ctx)
    page.resize(1280, 800)
    page.show()
    page.activate()
    settle(qtbot, plain_ctx)
    page.view.show_contact(ids["Baker"])  # a second contact shown in the same view
    settle(qtbot, plain_ctx)
    page.view.show_contact(ids["Ames"])
    settle(qtbot, plain_ctx)
    form = page.view.details.form
    shown = {
        form.itemAt(row, form.ItemRole.LabelRole).widget().text(): form.itemAt(
            row, form.ItemRole.FieldRole
        )
        .widget()
        .text()
        for row in range(form.rowCount())
    }
    assert shown["Segment"] == "Retail"
    assert shown["Customer since"] == "2024-05-01"
    assert "Score" not in shown  # retired: hidden, value kept
    page.close()


def test_activity_dialog_has_the_activities_custom_fields(
    qtbot: QtBot, plain_ctx: AppContext
) -> None:
    from PySide6.QtWidgets import QLineEdit

    from sfa_desktop.core.entities import Activity
    from sfa_desktop.ui.common.activity_dialog import ActivityDialog, Focus

    store = plain_ctx.store
    mood = definition("cf_mood", "text", 1, for_entity="activity", label="Mood")
    spend = definition("cf_spend", "number", 2, for_entity="activity", label="Spend", maximum=500)
    seed_definitions(store, mood, spend)
    account = store.create(Account, {"name": "Quiet GmbH"}).value
    dialog = ActivityDialog(plain_ctx, Focus(account.id, account.name))
    qtbot.addWidget(dialog)
    settle(qtbot, plain_ctx)
    assert dialog.custom is not None
    assert list(dialog.custom.editors) == ["cf_mood", "cf_spend"]
    dialog.subject.setText("Visit")
    spend_box = dialog.custom.editors["cf_spend"].widget
    assert isinstance(spend_box, QLineEdit)
    spend_box.setText("900")
    dialog.save()
    assert dialog.custom.editors["cf_spend"].error.text() == "Spend must be at most 500"
    assert store.ids(Activity) == []  # nothing saved while a value is wrong
    spend_box.setText("120")
    mood_box = dialog.custom.editors["cf_mood"].widget
    assert isinstance(mood_box, QLineEdit)
    mood_box.setText("Upbeat")
    dialog.save()
    settle(qtbot, plain_ctx)
    (saved,) = store.get_many(Activity, store.ids(Activity))
    assert saved.custom_values() == {"cf_mood": "Upbeat", "cf_spend": 120}


def test_event_dialog_has_the_events_custom_fields(qtbot: QtBot, plain_ctx: AppContext) -> None:
    from datetime import UTC, datetime

    from PySide6.QtWidgets import QComboBox

    from sfa_desktop.core.entities import CalendarEvent
    from sfa_desktop.ui.calendar.event_dialog import EventDialog

    store = plain_ctx.store
    room = definition(
        "cf_room", "picklist", 1, for_entity="event", label="Room", choices=("A1", "B2")
    )
    seed_definitions(store, room)
    dialog = EventDialog(plain_ctx, start=datetime(2026, 12, 7, 9, tzinfo=UTC))
    qtbot.addWidget(dialog)
    settle(qtbot, plain_ctx)
    assert dialog.custom is not None
    dialog.title.setText("Workshop")
    combo = dialog.custom.editors["cf_room"].widget
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("B2"))
    dialog.save()
    settle(qtbot, plain_ctx)
    (saved,) = store.get_many(CalendarEvent, store.ids(CalendarEvent))
    assert saved.custom_values() == {"cf_room": "B2"}
