"""File › Export contacts to vCard…: all contacts or the listed ones, vCard 3.0 or 4.0."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
from sfa_desktop.core.entities import Contact
from sfa_desktop.interchange import VCardVersion
from sfa_desktop.operations.interchange import export_contacts_vcard
from sfa_desktop.paths import documents_dir
from sfa_desktop.store import Store
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption, heading, save_path

VERSIONS = (
    (VCardVersion.V3, "vCard 3.0 (read by every address book)"),
    (VCardVersion.V4, "vCard 4.0"),
)
SUFFIXES = (".vcf", ".vcard")


class VCardExportDialog(QDialog):
    """Which contacts, which vCard version, which file; written in the background."""

    def __init__(
        self, ctx: AppContext, listed: list[str] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.listed = listed or []
        self.written: int | None = None
        self.setWindowTitle("Export contacts to vCard")
        self.all = QRadioButton("All contacts")
        count = len(self.listed)
        self.shown = QRadioButton(
            f"The {count:,} contact{'s' * (count != 1)} listed on the Contacts page"
        )
        self.shown.setEnabled(bool(self.listed))
        self.all.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.all)
        group.addButton(self.shown)
        self.version = QComboBox()
        for version, text in VERSIONS:
            self.version.addItem(text, version)
        name = f"contacts-{date.today().isoformat()}.vcf"
        self.path = QLineEdit(str(documents_dir() / name))
        self.path.setMinimumWidth(380)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.error = caption("")
        self.error.setStyleSheet(ERROR_STYLE)
        form = QFormLayout()
        form.addRow("Contacts", self.all)
        form.addRow("", self.shown)
        form.addRow("Format", self.version)
        form.addRow("File", file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Export contacts to vCard", 13))
        layout.addWidget(
            caption("One card per contact with its account's name, web address and address.")
        )
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        ctx.query(lambda store: store.count(Contact), self._counted, lambda _error: None)

    def _counted(self, count: int) -> None:
        self.all.setText(f"All contacts ({count:,})")

    def chosen_version(self) -> VCardVersion:
        return VCardVersion(self.version.currentData())

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export contacts to vCard", self.path.text(), "vCard file (*.vcf)"
        )
        if chosen:
            self.path.setText(chosen)

    def export(self) -> None:
        path, problem = save_path(self.path.text(), SUFFIXES)
        if problem:
            self.error.setText(problem)
            return
        ids = list(self.listed) if self.shown.isChecked() else None
        version, store = self.chosen_version(), self.ctx.store

        def job() -> int:
            return export_contacts_vcard(
                store, ids if ids is not None else _all(store), path, version
            )

        self.buttons.setEnabled(False)
        self.error.setText("Exporting…")
        self.ctx.tasks.run_network(job, lambda n: self._done(path, n), self._failed)

    def _done(self, path: Path, written: int) -> None:
        self.written = written
        self.ctx.signals.message.emit(f"Exported {written:,} contacts to {path}")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(f"Could not export: {error_text(error)}")


def _all(store: Store) -> list[str]:
    return store.contact_ids()
