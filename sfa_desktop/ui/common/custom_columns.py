"""The admins' custom fields as optional list columns: shown or hidden from the header's
menu (or the list's "Fields" button), sorted by the store in SQL, and filtered by a pick
of values or a from/to range (CustomFilter, applied in SQL too)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QMenu, QTableView, QToolButton

from sfa_desktop.core.entities import Customisable, FieldDefinition, Record
from sfa_desktop.core.enums import EntityKind, FieldType
from sfa_desktop.core.rules.custom_values import display_text
from sfa_desktop.operations.custom_fields import (
    PICK_FILTERS,
    RANGE_FILTERS,
    CustomFields,
    custom_fields,
    remember_columns,
)
from sfa_desktop.store import Changes
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.custom_filter_dialog import CustomFilterDialog
from sfa_desktop.ui.common.id_model import IdTableModel

NUMERIC = frozenset({FieldType.NUMBER, FieldType.CURRENCY})


def custom_column(definition: FieldDefinition) -> Column[Any]:
    """A list column showing one custom value as a person reads it."""
    key = definition.key

    def text(record: Record) -> str:
        values = record.custom_values() if isinstance(record, Customisable) else {}
        return display_text(definition, values.get(key))

    sortable = definition.field_type is not FieldType.MULTI_PICKLIST
    numeric = definition.field_type in NUMERIC
    return Column(definition.label, text, sort=key if sortable else None, numeric=numeric)


class CustomColumns(QObject):
    """Adds a list's custom columns after `base`; `filters_changed` asks the page to
    query again with `filters()`."""

    filters_changed = Signal()

    def __init__(
        self,
        view: QTableView,
        model: IdTableModel[Any],
        kind: EntityKind,
        base: list[Column[Any]],
    ) -> None:
        super().__init__(view)
        self._view, self._model, self._kind, self._base = view, model, kind, list(base)
        self.fields = CustomFields((), rep=False)
        self.shown: list[str] = []
        self._filters: dict[str, CustomFilter] = {}
        self.dialog: CustomFilterDialog | None = None
        self.loaded = False
        self.button = QToolButton()
        self.button.setText("Fields")
        self.button.setToolTip("Show, hide and filter by the admins' custom fields")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(QMenu(self.button))
        menu = self.button.menu()
        menu.aboutToShow.connect(lambda: self.fill_menu(menu))
        self.button.hide()  # until the kind turns out to have custom fields
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        model.ctx.signals.changes_applied.connect(self._changes_applied)
        self.load()

    # -- definitions ---------------------------------------------------------------------------

    def load(self) -> None:
        kind = self._kind
        self._model.ctx.query(lambda store: custom_fields(store, kind), self._loaded)

    def _loaded(self, fields: CustomFields) -> None:
        self.fields, self.loaded = fields, True
        keys = [d.key for d in fields.definitions]
        self.shown = [key for key in fields.shown if key in keys] if not self.shown else self.shown
        columns = self._base + [custom_column(d) for d in fields.definitions]
        if [c.header for c in columns] != [c.header for c in self._model.columns]:
            self._model.set_columns(columns)
        self._show_columns()
        self.button.setVisible(bool(keys))
        stale = set(self._filters) - set(keys)
        for key in stale:
            del self._filters[key]
        self._label()
        if stale:
            self.filters_changed.emit()

    def _changes_applied(self, changes: Changes) -> None:
        if EntityKind.FIELD_DEFINITION in changes:
            self.load()

    # -- columns -------------------------------------------------------------------------------

    def column_of(self, key: str) -> int:
        keys = [d.key for d in self.fields.definitions]
        return len(self._base) + keys.index(key)

    def set_shown(self, key: str, shown: bool) -> None:
        """Show or hide the column of `key`, remembered on this device."""
        self.shown = [k for k in self.shown if k != key] + ([key] if shown else [])
        self._show_columns()
        kind, keys = self._kind, list(self.shown)
        self._model.ctx.query(lambda store: remember_columns(store, kind, keys), lambda _: None)

    def _show_columns(self) -> None:
        for definition in self.fields.definitions:
            column = self.column_of(definition.key)
            self._view.setColumnHidden(column, definition.key not in self.shown)

    # -- filters -------------------------------------------------------------------------------

    def filters(self) -> tuple[CustomFilter, ...]:
        return tuple(self._filters.values())

    def set_filter(self, key: str, spec: CustomFilter | None) -> None:
        """Filter by `key` (None: no longer), and ask the page to query again."""
        if spec is None:
            self._filters.pop(key, None)
        else:
            self._filters[key] = spec
            if key not in self.shown:
                self.set_shown(key, True)  # a list filtered by a field shows it
        self._label()
        self.filters_changed.emit()

    def clear_filters(self) -> None:
        self._filters.clear()
        self._label()
        self.filters_changed.emit()

    def edit_filter(self, key: str) -> CustomFilterDialog:
        """Open the filter of `key` (applied when the dialog is accepted)."""
        definition = next(d for d in self.fields.definitions if d.key == key)
        dialog = CustomFilterDialog(definition, self._filters.get(key), self._view.window())
        dialog.accepted.connect(lambda: self.set_filter(key, dialog.result_filter()))
        dialog.open()
        self.dialog = dialog
        return dialog

    def _label(self) -> None:
        count = len(self._filters)
        plural = "s" * (count > 1)
        self.button.setText(f"Fields · {count} filter{plural}" if count else "Fields")

    # -- menus -----------------------------------------------------------------------------------

    def fill_menu(self, menu: QMenu) -> None:
        """Show/hide per field, then a filter per filterable field, then clear."""
        menu.clear()
        definitions = self.fields.definitions
        if not definitions:
            menu.addAction("No custom fields").setEnabled(False)
            return
        menu.addSection("Columns")
        for definition in definitions:
            action = menu.addAction(definition.label)
            action.setCheckable(True)
            action.setChecked(definition.key in self.shown)
            action.toggled.connect(lambda on, key=definition.key: self.set_shown(key, on))
        filterable = [d for d in definitions if d.field_type in PICK_FILTERS | RANGE_FILTERS]
        if filterable:
            menu.addSection("Filter by")
            for definition in filterable:
                active = "  ✓" if definition.key in self._filters else ""
                action = menu.addAction(f"{definition.label}…{active}")
                action.triggered.connect(lambda _=False, key=definition.key: self.edit_filter(key))
        if self._filters:
            menu.addSeparator()
            menu.addAction("Clear filters", self.clear_filters)

    def _header_menu(self, position: QPoint) -> None:
        if not self.fields.definitions:
            return
        menu = QMenu(self._view)
        self.fill_menu(menu)
        header = self._view.horizontalHeader()
        menu.popup(header.mapToGlobal(position))
