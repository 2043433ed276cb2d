"""The wizard's "Columns" page: which field each column of the file fills."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWizardPage,
)

from sfa_desktop.interchange import PRESETS, ColumnMapping, Preset, auto_map
from sfa_desktop.ui.common.choice_delegate import ChoiceDelegate
from sfa_desktop.ui.common.widgets import caption, table
from sfa_desktop.ui.imports.import_models import MappingModel
from sfa_desktop.ui.imports.import_pages import error_label, say
from sfa_desktop.ui.imports.import_state import ImportState, plural

NO_PRESET = "None: match the columns by their names"
CLICK_TO_EDIT = (
    QAbstractItemView.EditTrigger.CurrentChanged
    | QAbstractItemView.EditTrigger.SelectedClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
)


def looks_like(preset: Preset) -> str:
    if preset.key == "vcard":
        return "The cards' fields (names, email, phones, address) go to the contact fields."
    if preset.name.startswith("This app's"):
        return f"Looks like this app's own export of {plural(preset.kind)}."
    return f"Looks like a {preset.name}."


class ColumnsPage(QWizardPage):
    """The detected (or chosen) preset and, per column, the field it goes to."""

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self._filling = False
        self.setTitle("Columns")
        self.setSubTitle(
            "Which field each column of the file fills. Columns set to “Don't import” are left out."
        )
        self.detected = QLabel()
        self.detected.setStyleSheet("font-weight: 600;")
        self.detected.setWordWrap(True)
        self.preset = QComboBox()
        self.preset.setMinimumWidth(340)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.model = MappingModel(self)
        self.model.mapping_changed.connect(self._mapping_edited)
        self.view = table(self.model)
        self.view.setItemDelegateForColumn(2, ChoiceDelegate(self.view))
        self.view.setEditTriggers(CLICK_TO_EDIT)
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(0, 210)
        self.view.setColumnWidth(2, 330)
        self.problems = error_label()
        presets = QHBoxLayout()
        presets.addWidget(QLabel("Column names as in"))
        presets.addWidget(self.preset)
        presets.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.detected)
        layout.addLayout(presets)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addWidget(
            caption(
                "Several columns may fill one field: names, streets and notes are joined, "
                "other fields take the first value that is not empty."
            )
        )

    def initializePage(self) -> None:  # noqa: N802
        state = self.state
        assert state.source is not None
        if not state.mapping_is_current():
            state.set_mapping(auto_map(state.source.headers, state.kind, state.source.preset_hint))
        mapping = state.mapping
        assert mapping is not None
        found = PRESETS.get(mapping.preset or "")
        self.detected.setText(
            looks_like(found)
            if found
            else "No known export format: columns were matched by their names."
        )
        self._fill_presets(mapping.preset)
        self._show(mapping)

    def _fill_presets(self, chosen: str | None) -> None:
        self._filling = True
        self.preset.clear()
        self.preset.addItem(NO_PRESET, None)
        kind = self.state.kind
        ordered = sorted(PRESETS.values(), key=lambda p: p.kind is not kind)
        for preset in ordered:
            if preset.key == "vcard" and self.state.is_csv:
                continue
            self.preset.addItem(preset.name, preset.key)
        self.preset.setCurrentIndex(max(self.preset.findData(chosen), 0) if chosen else 0)
        self._filling = False

    def _preset_chosen(self) -> None:
        if self._filling or self.state.source is None:
            return
        key = self.preset.currentData()
        headers, kind = self.state.source.headers, self.state.kind
        mapping = auto_map(headers, kind, str(key) if key else None, detect=False)
        self.state.set_mapping(mapping)
        self._show(mapping)

    def _mapping_edited(self, mapping: ColumnMapping) -> None:
        self.state.set_mapping(mapping)
        self._show_problems(mapping)

    def _show(self, mapping: ColumnMapping) -> None:
        self.model.set_mapping(mapping, self.state.sample)
        self._show_problems(mapping)

    def _show_problems(self, mapping: ColumnMapping) -> None:
        problems = mapping.problems()
        if not mapping.mapped_keys():
            problems = ["No column is imported yet: choose a field for the columns to import."]
        say(self.problems, " ".join(problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        mapping = self.state.mapping
        return mapping is not None and not mapping.problems() and bool(mapping.mapped_keys())
