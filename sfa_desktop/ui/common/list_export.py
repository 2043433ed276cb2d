"""The "Export list…" dialog of every table: columns, format and file, written in the background."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Record
from sfa_desktop.interchange import ExportFormat, InterchangeError
from sfa_desktop.operations.interchange import export_records
from sfa_desktop.operations.list_export import (
    ShownColumn,
    can_export_all_fields,
    export_shown,
    records_in_pages,
)
from sfa_desktop.paths import documents_dir
from sfa_desktop.store import Store
from sfa_desktop.ui.common.id_model import IdTableModel
from sfa_desktop.ui.common.labels import ERROR_STYLE, caption, heading, save_path
from sfa_desktop.ui.common.list_model import RecordListModel

FORMATS = ((ExportFormat.XLSX, "Excel workbook (.xlsx)"), (ExportFormat.CSV, "CSV, UTF-8 (.csv)"))


class ExportDialog(QDialog):
    """Which columns, which format, which file; the file is written in the background."""

    def __init__(self, model: object, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.ctx: AppContext | None = model.ctx if isinstance(model, IdTableModel) else None
        record_type = _record_type(model)
        self.title = title or (record_type.plural_name().capitalize() if record_type else "List")
        self.row_count = (
            model.rowCount() if isinstance(model, (IdTableModel, RecordListModel)) else 0
        )
        self.setWindowTitle("Export list")
        shown = len(_shown_columns(model))
        self.shown = QRadioButton(f"As shown in the list ({shown} column{'s' * (shown != 1)})")
        self.all_fields = QRadioButton("Every field (the file can be imported again)")
        self.shown.setChecked(True)
        self.all_fields.setEnabled(can_export_all_fields(record_type) and self.ctx is not None)
        group = QButtonGroup(self)
        group.addButton(self.shown)
        group.addButton(self.all_fields)
        self.format = QComboBox()
        for fmt, text in FORMATS:
            self.format.addItem(text, fmt)
        self.path = QLineEdit(str(documents_dir() / self._file_name(ExportFormat.XLSX)))
        self.path.setMinimumWidth(360)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.error = caption("")
        self.error.setStyleSheet(ERROR_STYLE)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Columns", self.shown)
        form.addRow("", self.all_fields)
        form.addRow("Format", self.format)
        form.addRow("File", file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Export {self.row_count:,} {self.title.lower()}", 13))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.written: int | None = None

    def chosen_format(self) -> ExportFormat:
        return ExportFormat(self.format.currentData())  # Qt hands the enum back as a str

    def _file_name(self, fmt: ExportFormat) -> str:
        stem = self.title.lower().replace(" ", "-")
        return f"{stem}-{date.today().isoformat()}.{fmt.value}"

    def _format_changed(self) -> None:
        fmt = self.chosen_format()
        path = Path(self.path.text())
        self.path.setText(str(path.with_suffix(f".{fmt.value}")))

    def _browse(self) -> None:
        fmt = self.chosen_format()
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export list", self.path.text(), dict(FORMATS)[fmt] + f" (*.{fmt.value})"
        )
        if chosen:
            self.path.setText(chosen)

    def export(self) -> None:
        """Check the file name, then write the file (in the background with a store)."""
        fmt = self.chosen_format()
        path, problem = save_path(self.path.text(), (f".{fmt.value}",))
        if problem:
            self.error.setText(problem)
            return
        job = self._job(path)
        self.buttons.setEnabled(False)
        self.error.setText("Exporting…")
        if self.ctx is None:
            try:
                self._done(path, job(None))
            except (InterchangeError, OSError) as exc:
                self._failed(exc)
            return
        store = self.ctx.store
        self.ctx.tasks.run_network(lambda: job(store), lambda n: self._done(path, n), self._failed)

    def _job(self, path: Path) -> Callable[[Store | None], int]:
        model, title = self._model, self.title
        columns = _shown_columns(model)
        all_fields = self.all_fields.isChecked()
        if isinstance(model, IdTableModel):
            ids, record_type = model.ids(), model.record_type

            def from_store(store: Store | None) -> int:
                assert store is not None
                if all_fields:
                    return export_records(store, record_type.entity, ids, path, title=title)
                return export_shown(path, title, columns, records_in_pages(store, record_type, ids))

            return from_store
        records = model.records() if isinstance(model, RecordListModel) else []
        return lambda _store: export_shown(path, title, columns, records)

    def _done(self, path: Path, written: int) -> None:
        self.written = written
        if self.ctx is not None:
            self.ctx.signals.message.emit(f"Exported {written:,} rows to {path}")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, (InterchangeError, OSError)):
            self.error.setText(f"Could not export: {error}")
            return
        self.error.setText(f"Could not export: {error!r}")


def _record_type(model: object) -> type[Record] | None:
    return model.record_type if isinstance(model, IdTableModel) else None


def _shown_columns(model: object) -> list[ShownColumn]:
    if isinstance(model, (IdTableModel, RecordListModel)):
        columns: list[Any] = model.columns
        return [(column.header, column.text) for column in columns]
    return []
