"""A rep's forecast: pipeline by category, quota, the projection from history, the call."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import ForecastSubmission, utcnow
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.rules.currency import describe_left_out
from sfa_desktop.core.rules.forecast import QuotaSource
from sfa_desktop.core.rules.projection import MIN_CLOSED_DEALS, DealProjection, Projection
from sfa_desktop.operations.forecast import RepForecast, submit_forecast
from sfa_desktop.ui.common.column_fit import wrap_first_column
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import day, label, moment, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import (
    ERROR_STYLE,
    KeyValues,
    MoneyBox,
    Section,
    caption,
    fit_columns,
    table,
)

WARNING_STYLE = "background: #fef7e0; color: #7a4d00; padding: 4px 8px; border-radius: 4px;"

CategoryRow = tuple[str, int, str]  # label, amount, currency
ORDER = (
    ForecastCategory.CLOSED,
    ForecastCategory.COMMIT,
    ForecastCategory.BEST_CASE,
    ForecastCategory.PIPELINE,
    ForecastCategory.OMITTED,
)
CATEGORIES: list[Column[CategoryRow]] = [
    Column("Category", lambda r: r[0]),
    Column("Amount", lambda r: money(r[1], r[2]), numeric=True),
]


DEALS: list[Column[DealProjection]] = [
    Column("Open deal", lambda d: d.opportunity.name),
    Column("Stage", lambda d: d.opportunity.stage.label),
    Column("Close", lambda d: day(d.opportunity.close_date)),
    Column("Amount", lambda d: money(d.opportunity.amount, d.opportunity.currency), numeric=True),
    Column("Win rate", lambda d: f"{d.win_rate:.0%}", numeric=True),
    Column("On time", lambda d: f"{d.on_time:.0%}", numeric=True),
    Column(
        "Expected",
        lambda d: money(round(d.expected), d.opportunity.currency),
        numeric=True,
    ),
]


def _money_box() -> MoneyBox:
    box = MoneyBox(cents=True)
    box.setMinimumWidth(160)
    box.setMaximumWidth(220)
    return box


def _source(projection: Projection) -> str:
    history = projection.history
    simulated = "; range is the 10th–90th percentile of 2,000 simulated outcomes."
    if history.source == "defaults":
        return (
            f"Too little history to learn from ({history.closed_deals} closed deals here, "
            f"{MIN_CLOSED_DEALS} needed): each stage's default probability is used" + simulated
        )
    whose = "your" if history.source == "rep" else "the team's"
    return (
        f"Win rates and stage times from {whose} {history.closed_deals} closed deals"
        + (" (you closed too few for your own)" if history.source == "team" else "")
        + simulated
    )


class RepForecastView(QWidget):
    """Shows one RepForecast; the form writes a ForecastSubmission (it syncs)."""

    submitted = Signal(object)  # ForecastSubmission

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.forecast: RepForecast | None = None
        self.categories: RecordListModel[CategoryRow] = RecordListModel(CATEGORIES, self)
        self.deals: RecordListModel[DealProjection] = RecordListModel(DEALS, self)
        self.calls = KeyValues()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        category_view = table(self.categories)
        fit_columns(category_view, 0)
        category_view.setFixedHeight(26 * 5 + 30)
        pipeline = Section("Pipeline by category", category_view)
        self.currency_note = caption("")
        self.currency_note.setWordWrap(True)
        self.left_out = QLabel()
        self.left_out.setWordWrap(True)
        self.left_out.setStyleSheet(WARNING_STYLE)
        self.left_out.hide()
        pipeline.body.addWidget(self.left_out)
        pipeline.body.addWidget(self.currency_note)
        pipeline.body.addWidget(self.calls)
        pipeline.body.addWidget(self.progress)
        self.expected = QLabel()
        self.expected.setStyleSheet("font-size: 18pt; font-weight: 600; border: none;")
        self.range = caption("")
        self.source = caption("")
        deal_view = table(self.deals)
        wrap_first_column(deal_view, least=160)
        projection = Section("Projection from history", self.expected)
        for widget in (self.range, deal_view, self.source):
            projection.body.addWidget(widget)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        grid.addWidget(pipeline, 0, 0)
        self.call_section = self._submission_section()
        self.call_elsewhere = caption(
            "A manager's call is the team call: make it on My team › Team call."
        )
        self.call_elsewhere.hide()
        call_cell = QVBoxLayout()
        call_cell.addWidget(self.call_section)
        call_cell.addWidget(self.call_elsewhere)
        call_cell.addStretch(1)
        grid.addLayout(call_cell, 1, 0)
        grid.addWidget(projection, 0, 1, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(1, 1)

    def call_is_the_team_call(self) -> None:
        """For a manager: no call from their own deals here (it would replace the team call)."""
        self.call_section.hide()
        self.call_elsewhere.show()

    def _submission_section(self) -> Section:
        self.commit = _money_box()
        self.best_case = _money_box()
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What the call rests on, risks, deals to watch")
        self.comment.setMaximumHeight(70)
        self.errors = {name: QLabel() for name in ("commit", "best_case", "comment", "")}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, text, widget in (
            ("commit", "Commit", self.commit),
            ("best_case", "Best case", self.best_case),
            ("comment", "Comment", self.comment),
        ):
            cell = QVBoxLayout()  # the message sits under its field and takes no room when hidden
            cell.setSpacing(2)
            cell.addWidget(widget)
            cell.addWidget(self.errors[name])
            form.addRow(text, cell)
        for error in self.errors.values():
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
        self.submit_button = QPushButton("Submit forecast")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.last = caption("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.last, 1)
        buttons.addWidget(self.submit_button)
        section = Section("Your call")
        section.body.addWidget(caption("Prefilled with the computed commit and best case."))
        section.body.addLayout(form)
        section.body.addStretch(1)
        section.body.addWidget(self.errors[""])
        section.body.addLayout(buttons)
        return section

    def show_forecast(self, forecast: RepForecast) -> None:
        self.forecast = forecast
        totals, currency = forecast.totals, forecast.currency
        self.categories.set_records([(label(c), totals.of(c), currency) for c in ORDER])
        reached = forecast.attainment
        self.calls.set_rows(
            [
                ("Commit forecast", money(totals.commit_forecast, currency)),
                ("Best case forecast", money(totals.best_case_forecast, currency)),
                ("Quota", _quota(forecast)),
                ("Attainment", "—" if reached is None else f"{reached:.0%} closed of quota"),
            ]
        )
        self.progress.setVisible(reached is not None)
        self.progress.setValue(min(100, round((reached or 0) * 100)))
        projection = forecast.projection
        self.expected.setText(f"Expected {money(projection.expected, currency)}")
        self.range.setText(
            f"Likely between {money(projection.low, currency)} and "
            f"{money(projection.high, currency)} · {money(projection.closed, currency)} "
            f"already won · {len(projection.deals)} open deals"
        )
        self.source.setText(_source(projection))
        self.deals.set_records(sorted(projection.deals, key=lambda d: -d.expected))
        for box in (self.commit, self.best_case):  # amounts read as everywhere: "€994,700"
            box.set_currency(currency)
        self.commit.setValue(totals.commit_forecast / 100)
        self.best_case.setValue(totals.best_case_forecast / 100)
        self._show_currencies(forecast)
        self.comment.clear()
        self._show_last(forecast.submission, currency)
        self._clear_errors()

    def _show_currencies(self, forecast: RepForecast) -> None:
        """Say which amounts were converted, and what no rate could convert."""
        notes = [f"Amounts in {forecast.currency}"]
        if forecast.converted:
            notes.append(
                f"deals in {', '.join(forecast.converted)} converted at their close date's rate"
            )
        self.currency_note.setText("; ".join(notes) + ".")
        missing = [
            describe_left_out(forecast.left_out, "deal"),
            describe_left_out(forecast.quota_left_out, "quota"),
        ]
        text = "; ".join(part for part in missing if part)
        self.left_out.setText(
            f"Not counted: {text}. Ask your administrator for the rate." if text else ""
        )
        self.left_out.setVisible(bool(text))

    def _show_last(self, submission: ForecastSubmission | None, currency: str) -> None:
        if submission is None:
            self.last.setText("Not submitted for this period yet.")
            return
        self.last.setText(
            f"Last submitted {moment(submission.submitted_at)}: commit "
            f"{money(submission.commit, currency)}, best case "
            f"{money(submission.best_case, currency)}"
            + (" (waiting to sync)" if submission.version is None else "")
        )

    def submit(self, now: datetime | None = None) -> None:
        forecast = self.forecast
        if forecast is None:
            return
        self._clear_errors()
        fields = {
            "commit": round(self.commit.value() * 100),
            "best_case": round(self.best_case.value() * 100),
            "comment": self.comment.toPlainText().strip(),
            "currency": forecast.currency,
        }
        period, moment_ = forecast.period, now or utcnow()
        self._ctx.run_op(
            lambda store: submit_forecast(store, period, fields, moment_),
            self._submitted,
            self._failed,
        )

    def _submitted(self, submission: ForecastSubmission) -> None:
        if self.forecast is not None:
            self._show_last(submission, self.forecast.currency)
        self.submitted.emit(submission)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, InvalidRecord):
            self._error("", str(error))
            return
        for field, message in error.errors.items():
            self._error(field if field in self.errors else "", message)

    def _error(self, field: str, message: str) -> None:
        text = message[:1].upper() + message[1:]
        self.errors[field].setText(text if text.endswith(".") else text + ".")
        self.errors[field].show()

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.hide()


def _quota(forecast: RepForecast) -> str:
    """The quota, with where it comes from when not set for the period ('from months')."""
    if forecast.quota_detail.source is QuotaSource.NONE:
        return "No quota"
    text = money(forecast.quota, forecast.currency)
    return f"{text} ({forecast.quota_note})" if forecast.quota_note else text
