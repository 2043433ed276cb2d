"""The import wizard's "File format" page: how a CSV file is read, with its first rows."""

from __future__ import annotations

import codecs
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.interchange import COMMON_ENCODINGS, CsvSource, SourceRow
from sfa_desktop.interchange.csv_source import DELIMITER_NAMES
from sfa_desktop.interchange.source import Source
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import caption, table
from sfa_desktop.ui.imports.import_models import RowsModel
from sfa_desktop.ui.imports.import_pages import busy_bar, error_label, say
from sfa_desktop.ui.imports.import_state import COLUMNS, ImportState, reread

QUOTES = (('"', 'Double quote (")'), ("'", "Single quote (')"))


class FormatPage(QWizardPage):
    """Encoding, separator, quote character and header of a CSV file, with the rows read."""

    def __init__(self, ctx: AppContext, state: ImportState) -> None:
        super().__init__()
        self._ctx, self.state = ctx, state
        self._generation = 0
        self._filling = False
        self.failed = False
        self.setTitle("File format")
        self.setSubTitle("How the file was read. If the rows below look wrong, change the format.")
        self.encoding = QComboBox()
        self.encoding.setMinimumWidth(260)
        self.encoding_reason = caption("")
        self.delimiter = QComboBox()
        for char, name in DELIMITER_NAMES.items():
            self.delimiter.addItem(
                f"{name.capitalize()} ( {char if char != chr(9) else '⇥'} )", char
            )
        self.quote = QComboBox()
        for char, name in QUOTES:
            self.quote.addItem(name, char)
        self.header = QCheckBox("The first row names the columns")
        self.skip = QSpinBox()
        self.skip.setRange(0, 50)
        self.skip.setSuffix(" rows")
        self.skip.setMaximumWidth(110)
        self.skip.setToolTip("Notes above the header (LinkedIn writes some) are left out.")
        self.decimal_comma = QCheckBox("Numbers use a decimal comma (1.234,56)")
        self.day_first = QCheckBox("Dates are day first (31/12/2026)")
        for combo in (self.encoding, self.delimiter, self.quote):
            combo.currentIndexChanged.connect(self._format_changed)
        self.header.toggled.connect(self._format_changed)
        self.skip.valueChanged.connect(self._format_changed)
        self.decimal_comma.toggled.connect(self._values_changed)
        self.day_first.toggled.connect(self._values_changed)
        self.rows = RowsModel(self)
        self.preview = table(self.rows)
        self.preview.verticalHeader().show()
        self.preview.verticalHeader().setMinimumWidth(36)
        self.preview.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setSelectionMode(self.preview.SelectionMode.NoSelection)
        self.busy = busy_bar()
        self.error = error_label()
        left = QFormLayout()
        left.addRow("Encoding", self.encoding)
        left.addRow("", self.encoding_reason)
        left.addRow("Separator", self.delimiter)
        left.addRow("Quotes", self.quote)
        right = QFormLayout()
        right.addRow(self.header)
        right.addRow("Skip at the top", self.skip)
        right.addRow(self.decimal_comma)
        right.addRow(self.day_first)
        for form in (left, right):
            form.setHorizontalSpacing(12)
            form.setVerticalSpacing(8)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(32)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(caption("The first rows as read:"))
        layout.addWidget(self.preview, 1)

    def initializePage(self) -> None:  # noqa: N802
        source = self.state.source
        assert isinstance(source, CsvSource)
        fmt = source.format
        self._filling = True
        self.encoding.clear()
        name = codecs.lookup(fmt.encoding).name
        for codec, text in COMMON_ENCODINGS:
            self.encoding.addItem(text, codec)
        found = next(
            (
                i
                for i, (codec, _) in enumerate(COMMON_ENCODINGS)
                if codecs.lookup(codec).name == name
            ),
            -1,
        )
        if found < 0:
            self.encoding.insertItem(0, name, fmt.encoding)
            found = 0
        self.encoding.setCurrentIndex(found)
        if fmt.encoding_reason not in ("", "chosen"):  # as sniffed, not as the user chose
            detected = self.encoding.currentText()
            self.encoding_reason.setText(f"Detected: {detected}, {fmt.encoding_reason}")
        self.delimiter.setCurrentIndex(max(self.delimiter.findData(fmt.delimiter), 0))
        self.quote.setCurrentIndex(max(self.quote.findData(fmt.quotechar), 0))
        self.header.setChecked(fmt.has_header)
        self.skip.setValue(fmt.header_row)
        self.decimal_comma.setChecked(self.state.decimal_comma)
        self.day_first.setChecked(self.state.day_first)
        self._filling = False
        self.failed = False
        say(self.error, "")
        self.rows.set_rows(source.headers, self.state.sample)
        self._fit()

    def chosen_format(self) -> dict[str, Any]:
        return {
            "encoding": str(self.encoding.currentData()),
            "delimiter": str(self.delimiter.currentData()),
            "quotechar": str(self.quote.currentData()),
            "has_header": self.header.isChecked(),
            "header_row": self.skip.value(),
        }

    def _format_changed(self) -> None:
        source = self.state.source
        if self._filling or not isinstance(source, CsvSource):
            return
        self._generation += 1
        generation, changes = self._generation, self.chosen_format()
        self.busy.show()
        self.failed = True  # until the file is read the new way
        self.completeChanged.emit()
        self._ctx.tasks.run_network(
            lambda: reread(source, changes),
            lambda found: self._reread(generation, *found),
            lambda error: self._failed(generation, error),
        )

    def _reread(self, generation: int, source: Source, rows: list[SourceRow]) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        self.failed = False
        say(self.error, "")
        self.state.set_source(source, rows, fresh=False)
        self.rows.set_rows(source.headers, rows)
        self._fit()
        self.completeChanged.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        say(self.error, f"The file cannot be read this way: {error_text(error)}")
        self.rows.set_rows((), [])
        self.completeChanged.emit()

    def _values_changed(self) -> None:
        self.state.decimal_comma = self.decimal_comma.isChecked()
        self.state.day_first = self.day_first.isChecked()
        self.state.forget_analysis()

    def _fit(self) -> None:
        self.preview.resizeColumnsToContents()
        for column in range(self.rows.columnCount()):
            self.preview.setColumnWidth(column, min(self.preview.columnWidth(column), 240))

    def isComplete(self) -> bool:  # noqa: N802
        return not self.failed and self.state.source is not None

    def nextId(self) -> int:  # noqa: N802
        return COLUMNS
