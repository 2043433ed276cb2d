"""The wizard's "Check" page: every row checked in the background, a report per row,
and the user's decision for each possible duplicate. Nothing is written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.interchange import (
    Analysis,
    CellType,
    ExportColumn,
    ExportFormat,
    InterchangeError,
    RowStatus,
    export_rows,
)
from sfa_desktop.operations.interchange import analyse_import
from sfa_desktop.paths import documents_dir
from sfa_desktop.ui.common.choice_delegate import ChoiceDelegate
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import caption, table
from sfa_desktop.ui.imports.import_columns import CLICK_TO_EDIT
from sfa_desktop.ui.imports.import_models import STATUS_COLOUR, ProblemsFilter, ReportModel
from sfa_desktop.ui.imports.import_pages import busy_bar, error_label, say
from sfa_desktop.ui.imports.import_state import ImportState

REPORT_COLUMNS = (
    ExportColumn("Row", CellType.INTEGER),
    ExportColumn("Line", CellType.INTEGER),
    ExportColumn("Status"),
    ExportColumn("Record", width=40),
    ExportColumn("Messages", width=80),
    ExportColumn("Action", width=30),
)


def stat(number: int, title: str, colour: str = "#202124") -> str:
    """A big number over its caption (grey when it is zero)."""
    colour = colour if number else "#9aa0a6"
    return (
        f"<span style='font-size: 17pt; font-weight: 600; color: {colour};'>{number:,}</span>"
        f"<br><span style='color: #5f6368;'>{title}</span>"
    )


class CheckPage(QWizardPage):
    """Counts, a report per row, and what to do with each possible duplicate."""

    def __init__(self, ctx: AppContext, state: ImportState) -> None:
        super().__init__()
        self._ctx, self.state = ctx, state
        self._generation = 0
        self._checked_for: tuple[Any, ...] | None = None
        self.busy_now = False
        self.setTitle("Check")
        self.setSubTitle(
            "Every row is checked against the fields' rules and the records you already "
            "have. Nothing is written yet."
        )
        self.busy = busy_bar()
        self.busy.setMaximumHeight(10)
        self.status = caption("")
        self.error = error_label()
        self.stats = [QLabel() for _ in range(5)]
        stats = QHBoxLayout()
        for label in self.stats:
            stats.addWidget(label)
            stats.addSpacing(24)
        stats.addStretch()
        self.notes = caption("")
        self.waiting = error_label()
        self.only_problems = QCheckBox("Only rows with problems")
        self.skip_all = QPushButton("Skip all duplicates")
        self.skip_all.clicked.connect(lambda: self.decide_all(merge=False))
        self.merge_all = QPushButton("Merge all")
        self.merge_all.setToolTip("Merge every duplicate into the record it looks like")
        self.merge_all.clicked.connect(lambda: self.decide_all(merge=True))
        self.save = QPushButton("Save report…")
        self.save.clicked.connect(self.save_report)
        self.report = ReportModel(state, self)
        self.report.decisions_changed.connect(self._decisions_changed)
        self.filter = ProblemsFilter(self)
        self.filter.setSourceModel(self.report)
        self.only_problems.toggled.connect(self.filter.set_only_problems)
        self.view = table(self.filter)
        self.view.setItemDelegateForColumn(4, ChoiceDelegate(self.view))
        self.view.setEditTriggers(CLICK_TO_EDIT)
        self.view.verticalHeader().setDefaultSectionSize(28)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((60, 210, 90, 0, 230)):
            if width:
                self.view.setColumnWidth(column, width)
        tools = QHBoxLayout()
        tools.addWidget(self.only_problems)
        tools.addStretch()
        for button in (self.skip_all, self.merge_all, self.save):
            tools.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addLayout(stats)
        layout.addSpacing(4)
        layout.addWidget(self.notes)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.waiting)
        layout.addStretch(0)  # takes the room while the table is hidden

    def _inputs(self) -> tuple[Any, ...]:
        state = self.state
        return (id(state.source), state.mapping, state.value_format())

    def initializePage(self) -> None:  # noqa: N802
        if self.state.analysis is not None and self._checked_for == self._inputs():
            return
        self.run()

    def run(self) -> None:
        """Check the whole file in the background (the store is read on that thread)."""
        state = self.state
        assert state.mapping is not None
        state.forget_analysis()
        self._generation += 1
        generation, inputs = self._generation, self._inputs()
        source, mapping, fmt = state.analysis_source(), state.mapping, state.value_format()
        store = self._ctx.store
        self._show(None)
        self.busy_now = True
        self.busy.show()
        say(self.status, f"Checking the rows of {source.path.name}…")
        self.completeChanged.emit()
        self._ctx.tasks.run_network(
            lambda: analyse_import(store, source, mapping, fmt),
            lambda analysis: self._checked(generation, inputs, analysis),
            lambda error: self._failed(generation, error),
        )

    def _checked(self, generation: int, inputs: tuple[Any, ...], analysis: Analysis) -> None:
        if generation != self._generation:
            return
        self.busy_now = False
        self.busy.hide()
        self.state.analysis = analysis
        self._checked_for = inputs
        self._show(analysis)
        self.completeChanged.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.busy_now = False
        self.busy.hide()
        say(self.status, "")
        say(
            self.error,
            f"The file cannot be imported: {error_text(error)} Go back to change the format "
            "or the columns, or choose another file.",
        )
        self.completeChanged.emit()

    def _show(self, analysis: Analysis | None) -> None:
        say(self.error, "")
        self.report.load(analysis)
        has = analysis is not None
        for widget in (*self.stats, self.notes, self.only_problems, self.save, self.view):
            widget.setVisible(has)
        duplicates = bool(analysis and (analysis.strong_duplicates or analysis.weak_duplicates))
        self.skip_all.setVisible(duplicates)
        self.merge_all.setVisible(duplicates)
        if analysis is None:
            say(self.waiting, "")
            return
        counts = analysis.counts
        ready = counts.get(RowStatus.OK, 0) + counts.get(RowStatus.WARNING, 0)
        errors = counts.get(RowStatus.ERROR, 0)
        values = (
            (analysis.total, "rows in the file", "#202124"),
            (ready, "ready to import", STATUS_COLOUR[RowStatus.OK].name()),
            (
                counts.get(RowStatus.WARNING, 0),
                "of them with warnings",
                STATUS_COLOUR[RowStatus.WARNING].name(),
            ),
            (errors, "with errors", STATUS_COLOUR[RowStatus.ERROR].name()),
            (
                counts.get(RowStatus.DUPLICATE, 0),
                "possible duplicates",
                STATUS_COLOUR[RowStatus.DUPLICATE].name(),
            ),
        )
        for label, (number, title, colour) in zip(self.stats, values, strict=True):
            label.setText(stat(number, title, colour))
        say(self.status, "")
        say(self.notes, "\n".join(self._notes(analysis, errors)))
        problems = any(e.status is not RowStatus.OK for e in self.report.entries)
        every_row = analysis.converted is not None
        self.only_problems.setEnabled(every_row)
        self.only_problems.setChecked(problems or not every_row)
        self.filter.set_only_problems(self.only_problems.isChecked())
        self._decisions_changed()

    def _notes(self, analysis: Analysis, errors: int) -> list[str]:
        notes = []
        if errors:
            notes.append(
                f"{'A row' if errors == 1 else f'{errors:,} rows'} with errors "
                f"{'is' if errors == 1 else 'are'} not imported: fix the file and import it "
                "again (the rows imported now are then skipped as duplicates)."
            )
        if analysis.strong_duplicates or analysis.weak_duplicates:
            notes.append(
                "Clear duplicates are skipped unless you choose otherwise. Merging fills the "
                "empty fields of the existing record and overwrites nothing."
            )
        if analysis.new_accounts:
            count = len(analysis.new_accounts)
            notes.append(
                f"{count:,} new account{'s' * (count != 1)} will be created for the companies."
            )
        if analysis.truncated:
            notes.append(
                f"Only the first {len(analysis.reports):,} rows that need attention are listed."
            )
        hidden = self.state.hidden_duplicates()
        if hidden:
            notes.append(
                f"{hidden:,} more possible duplicates are not listed: they are skipped, "
                "or merged with “Merge all”."
            )
        return notes

    def _decisions_changed(self) -> None:
        waiting = self.state.waiting()
        say(
            self.waiting,
            f"{len(waiting):,} possible duplicates need a decision: choose an action for each "
            "(or Skip all duplicates / Merge all)."
            if waiting
            else "",
        )
        self.completeChanged.emit()

    def decide_all(self, merge: bool) -> None:
        if self.state.analysis is None:
            return
        self.state.decide_all(merge)
        self.report.refresh_actions()
        self._decisions_changed()

    def save_report(self) -> None:
        analysis = self.state.analysis
        if analysis is None:
            return
        name = f"{analysis.source.path.stem}-import-report.csv"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save report", str(documents_dir() / name), "CSV file (*.csv)"
        )
        if chosen:
            self.write_report(Path(chosen))

    def write_report(self, path: Path) -> None:
        """The report (every listed row, whatever the filter shows) as a CSV file."""
        try:
            export_rows(path, REPORT_COLUMNS, self.report.export_rows(), ExportFormat.CSV)
        except (InterchangeError, OSError) as error:
            say(self.error, f"Could not save the report: {error_text(error)}")
            return
        say(self.status, f"Report saved to {path}.")

    def isComplete(self) -> bool:  # noqa: N802
        return self.state.analysis is not None and not self.busy_now and not self.state.waiting()
