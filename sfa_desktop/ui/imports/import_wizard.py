"""The import wizard: file → format (CSV) → columns → check → import → result.

Opened from File › Import… and the lists' "Import…" buttons; imported only then (it
pulls in the interchange package). Only the import step writes, in one transaction on
the DB thread (`commit_import` through `ctx.run_op`, so the views refresh and the new
records reach the outbox); Cancel before it leaves the store as it was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import ImportResult, RowStatus
from sfa_desktop.operations.interchange import commit_import
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import caption, fit_to_screen
from sfa_desktop.ui.imports.import_check import CheckPage, stat
from sfa_desktop.ui.imports.import_columns import ColumnsPage
from sfa_desktop.ui.imports.import_format import FormatPage
from sfa_desktop.ui.imports.import_models import STATUS_COLOUR
from sfa_desktop.ui.imports.import_pages import SourcePage, busy_bar, error_label, say
from sfa_desktop.ui.imports.import_state import (
    CHECK,
    COLUMNS,
    CONFIRM,
    FORMAT,
    RESULT,
    SOURCE,
    ImportState,
    plural,
)

GREEN, RED = STATUS_COLOUR[RowStatus.OK].name(), STATUS_COLOUR[RowStatus.ERROR].name()


class ConfirmPage(QWizardPage):
    """What the import will do; "Import" writes it in the background, all or nothing."""

    def __init__(self, ctx: AppContext, state: ImportState) -> None:
        super().__init__()
        self._ctx, self.state = ctx, state
        self.committing = False
        self.setTitle("Import")
        self.setSubTitle("Nothing has been written yet.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 11pt;")
        self.busy = busy_bar()
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(8)
        layout.addWidget(
            caption(
                "The import is one transaction: everything is written, or nothing. New and "
                "changed records are sent to the server with the next sync."
            )
        )
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addStretch()

    def initializePage(self) -> None:  # noqa: N802
        state = self.state
        assert state.analysis is not None
        assert state.source is not None
        outcome, kind = state.outcome(), state.kind
        lines = []
        if outcome.create:
            lines.append(f"{plural(kind, outcome.create)} created")
        if outcome.merge:
            lines.append(f"{plural(kind, outcome.merge)} updated by merging rows into them")
        if outcome.skip:
            lines.append(f"{outcome.skip:,} duplicate row{'s' * (outcome.skip != 1)} skipped")
        if outcome.errors:
            lines.append(
                f"{outcome.errors:,} row{'s' * (outcome.errors != 1)} with errors left out"
            )
        if outcome.new_accounts and outcome.create:
            lines.append(
                f"{plural(EntityKind.ACCOUNT, outcome.new_accounts)} created for the companies"
            )
        items = "".join(f"<li>{line}</li>" for line in lines)
        self.summary.setText(f"Importing from <b>{state.source.path.name}</b>:<ul>{items}</ul>")
        say(
            self.error,
            ""
            if outcome.writes
            else "Nothing would be written: every row is skipped or has errors.",
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return (
            self.state.analysis is not None
            and self.state.outcome().writes > 0
            and not self.committing
        )

    def validatePage(self) -> bool:  # noqa: N802
        if self.state.result is not None:
            return True
        if not self.committing:
            self.commit()
        return False

    def commit(self) -> None:
        state = self.state
        analysis, decisions, undecided = (
            state.analysis,
            dict(state.decisions),
            state.commit_undecided(),
        )
        assert analysis is not None
        self.committing = True
        self.busy.show()
        say(self.error, "")
        self._set_busy(True)
        self._ctx.run_op(
            lambda store: commit_import(store, analysis, decisions, undecided),
            self._committed,
            self._failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self.completeChanged.emit()  # first: the wizard enables its buttons on this signal
        wizard = self.wizard()
        if isinstance(wizard, ImportWizard):
            wizard.set_busy(busy)

    def _committed(self, result: ImportResult) -> None:
        self.committing = False
        self.busy.hide()
        self.state.result = result
        self._set_busy(False)
        self._ctx.signals.message.emit(f"Imported {plural(result.kind)}: {result.summary()}")
        wizard = self.wizard()
        if wizard is not None:
            wizard.next()

    def _failed(self, error: BaseException) -> None:
        self.committing = False
        self.busy.hide()
        self._set_busy(False)
        say(self.error, f"Nothing was imported: {error_text(error)}")


class ResultPage(QWizardPage):
    """The counts of what was written."""

    def __init__(self, ctx: AppContext, state: ImportState) -> None:
        super().__init__()
        self._ctx, self.state = ctx, state
        self.setTitle("Import finished")
        self.stats = QLabel()
        self.details = caption("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.stats)
        layout.addSpacing(8)
        layout.addWidget(self.details)
        layout.addStretch()

    def initializePage(self) -> None:  # noqa: N802
        result = self.state.result
        assert result is not None
        self.setSubTitle(f"{plural(result.kind).capitalize()} from {self.state.source_name()}.")
        cells = (
            stat(result.created, "created", GREEN),
            stat(result.updated, "updated"),
            stat(result.skipped, "skipped"),
            stat(result.failed, "failed (errors)", RED if result.failed else "#202124"),
        )
        row = "".join(f"<td style='padding-right: 40px;'>{cell}</td>" for cell in cells)
        self.stats.setText(f"<table><tr>{row}</tr></table>")
        details = []
        if result.accounts_created:
            details.append(
                f"{plural(EntityKind.ACCOUNT, result.accounts_created)} created for the companies."
            )
        details.append("The changes are sent to the server with the next sync.")
        if self._ctx.last_undo is not None and result.created and not result.updated:
            details.append("Edit › Undo removes the records this import created.")
        self.details.setText(" ".join(details))


class ImportWizard(QWizard):
    """Import contacts, accounts or leads from a CSV or vCard file."""

    def __init__(
        self, ctx: AppContext, kind: EntityKind | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = ImportState()
        self.busy = False
        self.setWindowTitle("Import")
        self.setMinimumSize(840, 560)
        if self.wizardStyle() is QWizard.WizardStyle.ClassicStyle:
            self.setWizardStyle(QWizard.WizardStyle.ModernStyle)  # a header band, as elsewhere
        fit_to_screen(self, 1040, 720)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.source_page = SourcePage(ctx, self.state, kind)
        self.format_page = FormatPage(ctx, self.state)
        self.columns_page = ColumnsPage(self.state)
        self.check_page = CheckPage(ctx, self.state)
        self.confirm_page = ConfirmPage(ctx, self.state)
        self.result_page = ResultPage(ctx, self.state)
        for page_id, page in zip(
            (SOURCE, FORMAT, COLUMNS, CHECK, CONFIRM, RESULT),
            (
                self.source_page,
                self.format_page,
                self.columns_page,
                self.check_page,
                self.confirm_page,
                self.result_page,
            ),
            strict=True,
        ):
            self.setPage(page_id, page)
        self.setStartId(SOURCE)

    def set_busy(self, busy: bool) -> None:
        """While the import writes, no button (Cancel included) can interrupt it."""
        self.busy = busy
        for button in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.CancelButton,
            QWizard.WizardButton.CommitButton,
        ):
            widget = self.button(button)
            if widget is not None:
                widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:
            super().reject()


def open_import_wizard(
    ctx: AppContext, parent: QWidget | None = None, kind: EntityKind | None = None
) -> ImportWizard:
    wizard = ImportWizard(ctx, kind, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard
