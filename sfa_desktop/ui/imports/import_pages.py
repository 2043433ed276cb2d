"""The import wizard's first page (the file, what it holds, the phone region) and the
small widgets every page of the wizard uses."""

from __future__ import annotations

import codecs
from pathlib import Path

import phonenumbers
from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.matching import DEFAULT_REGION
from sfa_desktop.interchange import COMMON_ENCODINGS, CsvSource, SourceRow
from sfa_desktop.interchange.csv_source import DELIMITER_NAMES
from sfa_desktop.interchange.presets import detect_preset
from sfa_desktop.interchange.source import Source
from sfa_desktop.paths import documents_dir
from sfa_desktop.ui.common.format import phone_region
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption
from sfa_desktop.ui.imports.import_state import (
    COLUMNS,
    FORMAT,
    KINDS,
    ImportState,
    plural,
    read_start,
)

FILE_FILTER = (
    "Lists and address books (*.csv *.tsv *.txt *.vcf *.vcard);;"
    "CSV and text files (*.csv *.tsv *.txt);;vCard files (*.vcf *.vcard);;All files (*)"
)


def busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setMaximumHeight(6)
    bar.setTextVisible(False)
    bar.hide()
    return bar


def error_label() -> QLabel:
    label = caption("")
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def say(label: QLabel, text: str) -> None:
    """Show `text` in `label`; an empty label takes no room."""
    label.setText(text)
    label.setVisible(bool(text))


def stacked(*items: QWidget | QLayout) -> QVBoxLayout:
    """Widgets and layouts one below the other, close together (one form row)."""
    box = QVBoxLayout()
    box.setSpacing(4)
    for item in items:
        if isinstance(item, QWidget):
            box.addWidget(item)
        else:
            box.addLayout(item)
    return box


def region_names() -> list[tuple[str, str]]:
    """(label, region code) of every phone numbering region, by country name."""
    found = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory.value else code
        prefix = phonenumbers.country_code_for_region(code)
        found.append((f"{name} (+{prefix})", code))
    return sorted(found, key=lambda item: item[0].casefold())


def default_region(ctx: AppContext) -> str:
    """The `phone_region` setting, else the system's country, else the default."""
    code = phone_region(str(ctx.settings["phone_region"]))
    return code if code in phonenumbers.SUPPORTED_REGIONS else DEFAULT_REGION


def describe(source: Source) -> str:
    if isinstance(source, CsvSource):
        fmt = source.format
        name = codecs.lookup(fmt.encoding).name
        encoding = next(
            (label for codec, label in COMMON_ENCODINGS if codecs.lookup(codec).name == name), name
        )
        separator = DELIMITER_NAMES.get(fmt.delimiter, repr(fmt.delimiter))
        header = "a header row" if fmt.has_header else "no header row"
        return (
            f"CSV file with {len(source.headers)} columns, separated by {separator}s, "
            f"{header}; {encoding}."
        )
    return "vCard file (address book cards)."


class SourcePage(QWizardPage):
    """The file, what it holds (contacts, accounts or leads) and the phone region."""

    def __init__(self, ctx: AppContext, state: ImportState, kind: EntityKind | None) -> None:
        super().__init__()
        self._ctx, self.state = ctx, state
        self._generation = 0
        self._loaded_path: str | None = None
        self._kind_chosen = kind is not None
        self.setTitle("Choose a file")
        self.setSubTitle(
            "A CSV or tab-separated file (exported from a spreadsheet, a CRM or an address "
            "book) or a vCard file (.vcf)."
        )
        self.path = QLineEdit()
        self.path.setPlaceholderText("Path of a .csv, .tsv, .txt or .vcf file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(lambda: self.open_file(self.path.text()))
        self.path.textChanged.connect(self._path_edited)
        self.busy = busy_bar()
        self.info = caption("")
        self.info.hide()
        self.error = error_label()
        self.kinds: dict[EntityKind, QRadioButton] = {}
        group = QButtonGroup(self)
        kind_row = QHBoxLayout()
        for each in KINDS:
            button = QRadioButton(plural(each).capitalize())
            button.toggled.connect(lambda on, k=each: self._kind_toggled(k, on))
            group.addButton(button)
            kind_row.addWidget(button)
            self.kinds[each] = button
        kind_row.addStretch()
        self.kind_note = caption("")
        self.kind_note.hide()
        state.kind = kind or EntityKind.CONTACT
        self.kinds[state.kind].setChecked(True)
        self._kind_chosen = kind is not None
        self.region = QComboBox()
        for text, code in region_names():
            self.region.addItem(text, code)
        state.region = default_region(ctx)
        self.region.setCurrentIndex(max(self.region.findData(state.region), 0))
        self.region.currentIndexChanged.connect(self._region_changed)
        self.region.setMinimumWidth(320)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        region_row = QHBoxLayout()
        region_row.addWidget(self.region)
        region_row.addStretch()
        form = QFormLayout()
        form.setVerticalSpacing(18)
        form.addRow("File", stacked(file_row, self.busy, self.info, self.error))
        form.addRow("Import as", stacked(kind_row, self.kind_note))
        form.addRow(
            "Phone numbers",
            stacked(
                region_row,
                caption(
                    "Numbers written without a country code (+49 …) are read as numbers of "
                    "this country."
                ),
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch()

    def _path_edited(self) -> None:
        self.state.source = None
        self._loaded_path = None
        say(self.error, "")
        say(self.info, "")
        self._debounce.start()
        self.completeChanged.emit()

    def browse(self) -> None:
        start = self.path.text() or str(documents_dir())
        chosen, _ = QFileDialog.getOpenFileName(self, "Import from", start, FILE_FILTER)
        if chosen:
            self.path.setText(chosen)
            self._debounce.stop()
            self.open_file(chosen)

    def open_file(self, text: str) -> None:
        """Read the file's format and first rows in the background."""
        self._debounce.stop()
        self._generation += 1
        generation, text = self._generation, text.strip()
        if not text:
            return
        path = Path(text).expanduser()
        if not path.is_file():
            say(self.error, f"There is no file {path}.")
            return
        say(self.error, "")
        self.busy.show()
        self._ctx.tasks.run_network(
            lambda: read_start(str(path)),
            lambda found: self._opened(generation, text, *found),
            lambda error: self._failed(generation, error),
        )

    def _opened(self, generation: int, text: str, source: Source, rows: list[SourceRow]) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        self.state.set_source(source, rows, fresh=True)
        self._loaded_path = text
        say(self.info, describe(source))
        if not self.state.is_csv:
            self.kinds[EntityKind.CONTACT].setChecked(True)
        elif not self._kind_chosen:
            preset = detect_preset(source.headers)
            if preset is not None and preset.kind in self.kinds:
                self.kinds[preset.kind].setChecked(True)
                self._kind_chosen = False
        self._update_kinds()
        self.completeChanged.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        self.state.source = None
        name = Path(self.path.text().strip()).name
        say(self.error, f"Cannot import {name}: {error_text(error)} Choose another file.")
        self.completeChanged.emit()

    def _update_kinds(self) -> None:
        vcard = self.state.source is not None and not self.state.is_csv
        for each, button in self.kinds.items():
            button.setEnabled(not vcard or each is EntityKind.CONTACT)
        say(
            self.kind_note,
            "A vCard file holds people: they are imported as contacts." if vcard else "",
        )

    def _kind_toggled(self, kind: EntityKind, on: bool) -> None:
        if not on:
            return
        self.state.kind = kind
        self._kind_chosen = True

    def _region_changed(self) -> None:
        self.state.region = str(self.region.currentData())

    def isComplete(self) -> bool:  # noqa: N802
        return self.state.source is not None and self._loaded_path == self.path.text().strip()

    def nextId(self) -> int:  # noqa: N802
        return FORMAT if self.state.is_csv else COLUMNS
