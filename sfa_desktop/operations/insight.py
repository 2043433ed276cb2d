"""The insight views as tables, without Qt: what each tab lists, what the exports write, and
where the views come from (the server, or the last snapshot kept on this device)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfa_desktop.core.forecast_wire import DealList
from sfa_desktop.core.insight_wire import (
    FIGURE_LABELS,
    FIGURES,
    AccountCost,
    AccuracyRow,
)
from sfa_desktop.store import Store
from sfa_desktop.sync.insight_client import (
    InsightRemote,
    InsightSnapshot,
    InsightView,
    cached_insight,
)

__all__ = ["InsightRemote", "InsightSnapshot", "InsightView", "Table", "remote_for"]

# How a column's values read: money (minor units), share (fraction), number, days, text.
MONEY, SHARE, NUMBER, DAYS, TEXT = "money", "share", "number", "days", "text"


@dataclass(frozen=True)
class Table:
    """One table of a view: a title, typed columns and rows; `keys` per row say what a
    row stands for (a person's id, an account's, a deal's) for drilling down."""

    title: str
    columns: tuple[tuple[str, str], ...]  # (header, kind)
    rows: list[tuple[Any, ...]]
    keys: list[str]
    key_kind: str = ""  # "person", "account", "deal", "period" or ""

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]


def remote_for(forecast_remote: Any) -> InsightRemote | None:
    """The insight source of the signed-in account behind the forecast's remote."""
    account = getattr(forecast_remote, "account", None)
    return InsightRemote(account) if account is not None else None


def offline_view(store: Store, user_id: str | None, reason: str) -> InsightView:
    return InsightView(cached_insight(store, user_id), True, reason)


# -- 1. accuracy ------------------------------------------------------------------------------


def _error(row: AccuracyRow, figure: str) -> float | None:
    bias = row.bias(figure)
    return bias.mean_absolute_error if bias else None


def accuracy_people(snapshot: InsightSnapshot) -> Table:
    report = snapshot.accuracy
    rows, keys = [], []
    for row in report.rows:
        call = row.bias("call_commit")
        lean = (
            "" if call is None or call.thin else call.lean + (" always" if call.consistent else "")
        )
        rows.append(
            (
                row.name + (" (team)" if row.is_subject and len(report.rows) > 1 else ""),
                row.rank,
                *(_error(row, figure) for figure in FIGURES),
                lean,
                row.note,
            )
        )
        keys.append(row.user_id)
    columns = (
        ("Person", TEXT),
        ("Trust rank", NUMBER),
        *((f"{FIGURE_LABELS[f]} error", SHARE) for f in FIGURES),
        ("Commit calls lean", TEXT),
        ("Note", TEXT),
    )
    return Table(
        f"Forecast accuracy, {report.rank_offset} days before the end ({report.currency})",
        columns,
        rows,
        keys,
        "person",
    )


def accuracy_periods(snapshot: InsightSnapshot, user_id: str) -> Table:
    """A person's figures per closed quarter and reading day, against what closed."""
    report = snapshot.accuracy
    row = next((r for r in report.rows if r.user_id == user_id), report.rows[0])
    rows, keys = [], []
    for period in row.periods:
        for point in period.points:
            rows.append(
                (
                    period.period,
                    point.offset_days,
                    period.actual,
                    *(getattr(point, figure) for figure in FIGURES),
                    *(point.errors.get(figure) for figure in FIGURES),
                )
            )
            keys.append(period.period)
    columns = (
        ("Quarter", TEXT),
        ("Days before end", NUMBER),
        ("Closed", MONEY),
        *((FIGURE_LABELS[f], MONEY) for f in FIGURES),
        *((f"{FIGURE_LABELS[f]} error", SHARE) for f in FIGURES),
    )
    return Table(f"{row.name}: calls and forecasts by quarter", columns, rows, keys, "period")


# -- 2. back-test -----------------------------------------------------------------------------


def backtest_points(snapshot: InsightSnapshot) -> Table:
    report = snapshot.backtest
    rows, keys = [], []
    for period in report.periods:
        for point in period.points:
            rows.append(
                (
                    period.period,
                    point.taken_at.date().isoformat(),
                    point.days_before_end,
                    period.actual,
                    point.projected,
                    point.projected_error,
                    point.call_commit,
                    point.call_error,
                    point.projection_source or "",
                )
            )
            keys.append(period.period)
    columns = (
        ("Quarter", TEXT),
        ("Snapshot", TEXT),
        ("Days before end", NUMBER),
        ("Closed", MONEY),
        ("Projection", MONEY),
        ("Projection error", SHARE),
        ("Commit call", MONEY),
        ("Call error", SHARE),
        ("History from", TEXT),
    )
    return Table("Projection back-test: every weekly snapshot", columns, rows, keys, "period")


def backtest_people(snapshot: InsightSnapshot) -> Table:
    report = snapshot.backtest
    rows = [(r.name, r.points, r.projection_error, r.call_error) for r in report.rows]
    columns = (
        ("Person", TEXT),
        ("Snapshots", NUMBER),
        ("Projection mean error", SHARE),
        ("Commit call mean error", SHARE),
    )
    keys = [r.user_id for r in report.rows]
    return Table("The projection against the calls", columns, rows, keys, "person")


# -- 3. coverage and cost to serve ------------------------------------------------------------


def coverage_grades(snapshot: InsightSnapshot) -> Table:
    report = snapshot.coverage
    rows = [
        (
            g.grade,
            g.accounts,
            sum(g.planned.values()),
            sum(g.logged.values()),
            g.visits,
            g.visit_share,
            g.revenue_share,
            g.potential_share,
            g.cost,
            g.revenue,
            g.expense_to_revenue,
            g.share_of_wallet,
        )
        for g in report.grades
    ]
    columns = (
        ("Grade", TEXT),
        ("Accounts", NUMBER),
        ("Planned touches", NUMBER),
        ("Logged touches", NUMBER),
        ("Visits", NUMBER),
        ("Share of visits", SHARE),
        ("Share of revenue", SHARE),
        ("Share of potential", SHARE),
        ("Cost to serve", MONEY),
        ("Revenue", MONEY),
        ("Expense to revenue", SHARE),
        ("Share of wallet", SHARE),
    )
    keys = [g.grade for g in report.grades]
    return Table(
        f"Coverage and cost to serve by grade, {report.period}", columns, rows, keys, "grade"
    )


def coverage_people(snapshot: InsightSnapshot) -> Table:
    report = snapshot.coverage
    top = "/".join(report.top_grades)
    rows = [
        (
            r.name + (" (team)" if r.is_subject and len(report.rows) > 1 else ""),
            r.planned,
            r.logged,
            r.cost,
            r.revenue,
            r.expense_to_revenue,
            r.top_visit_share,
            r.top_revenue_share,
            r.out_of_line,
        )
        for r in report.rows
    ]
    columns = (
        ("Person", TEXT),
        ("Planned", NUMBER),
        ("Logged", NUMBER),
        ("Cost to serve", MONEY),
        ("Revenue", MONEY),
        ("Expense to revenue", SHARE),
        (f"Visits to {top}", SHARE),
        (f"Revenue from {top}", SHARE),
        ("Out of line", NUMBER),
    )
    keys = [r.user_id for r in report.rows]
    return Table("People", columns, rows, keys, "person")


def out_of_line(snapshot: InsightSnapshot) -> Table:
    found = snapshot.coverage.out_of_line
    rows = [(o.name, o.grade, o.owner_name, o.touches, o.cost, o.kind, o.reason) for o in found]
    columns = (
        ("Account", TEXT),
        ("Grade", TEXT),
        ("Owner", TEXT),
        ("Touches", NUMBER),
        ("Cost to serve", MONEY),
        ("Verdict", TEXT),
        ("Why", TEXT),
    )
    total = snapshot.coverage.out_of_line_total
    title = "Out of line with their grade"
    if total > len(found):
        title += f" (the {len(found):,} most out of line of {total:,})"
    return Table(title, columns, rows, [o.account_id for o in found], "account")


def grade_accounts(snapshot: InsightSnapshot, grade: str | None) -> Table:
    chosen: list[AccountCost] = [
        a for a in snapshot.accounts.accounts if grade is None or a.grade == grade
    ]
    rows = [
        (a.name, a.grade, a.owner_name, a.touches, a.visits, a.cost, a.revenue, a.potential)
        for a in chosen
    ]
    columns = (
        ("Account", TEXT),
        ("Grade", TEXT),
        ("Owner", TEXT),
        ("Touches", NUMBER),
        ("Visits", NUMBER),
        ("Cost to serve", MONEY),
        ("Revenue", MONEY),
        ("Potential", MONEY),
    )
    title = f"Accounts of grade {grade}" if grade else "Accounts"
    return Table(title, columns, rows, [a.account_id for a in chosen], "account")


# -- 4. pipeline health -----------------------------------------------------------------------


def pipeline_stages(snapshot: InsightSnapshot) -> Table:
    report = snapshot.pipeline
    rows = [
        (s.stage, s.reached, s.advanced, s.conversion, s.won, s.win_rate, s.median_days)
        for s in report.stages
    ]
    columns = (
        ("Stage", TEXT),
        ("Deals in it", NUMBER),
        ("Went on", NUMBER),
        ("Conversion", SHARE),
        ("Won", NUMBER),
        ("Win rate", SHARE),
        ("Median days", DAYS),
    )
    window = f"{report.window[0]} to {report.window[-1]}" if report.window else ""
    return Table(
        f"Deals closed {window}, by stage", columns, rows, [s.stage for s in report.stages]
    )


def pipeline_people(snapshot: InsightSnapshot) -> Table:
    report = snapshot.pipeline
    rows = [
        (
            r.name + (" (team)" if r.is_subject and len(report.rows) > 1 else ""),
            r.open_pipeline,
            r.quota,
            r.closed,
            r.remaining_quota,
            r.coverage,
            r.win_rate,
            r.slipping,
        )
        for r in report.rows
    ]
    columns = (
        ("Person", TEXT),
        ("Open pipeline", MONEY),
        ("Quota", MONEY),
        ("Closed", MONEY),
        ("Quota left", MONEY),
        ("Pipeline coverage", NUMBER),
        ("Win rate", SHARE),
        ("Slipping deals", NUMBER),
    )
    return Table(
        f"Pipeline coverage, {report.period}",
        columns,
        rows,
        [r.user_id for r in report.rows],
        "person",
    )


def slipping(snapshot: InsightSnapshot) -> Table:
    deals = snapshot.pipeline.slipping
    rows = [
        (
            d.name,
            d.account_name,
            d.owner_name,
            d.stage,
            d.close_date.isoformat(),
            d.pushes,
            d.amount,
        )
        for d in deals
    ]
    columns = (
        ("Deal", TEXT),
        ("Account", TEXT),
        ("Owner", TEXT),
        ("Stage", TEXT),
        ("Close date", TEXT),
        ("Pushed", NUMBER),
        ("Amount", MONEY),
    )
    total = snapshot.pipeline.slipping_total
    title = "Slipping: close date pushed more than once"
    if total > len(deals):
        title += f" (the {len(deals):,} pushed most of {total:,})"
    return Table(title, columns, rows, [d.id for d in deals], "deal")


def cost_trend(snapshot: InsightSnapshot) -> Table:
    trend = snapshot.coverage.trend
    rows = [(q.period, q.cost, q.revenue, q.expense_to_revenue) for q in trend]
    columns = (
        ("Quarter", TEXT),
        ("Cost to serve", MONEY),
        ("Revenue", MONEY),
        ("Expense to revenue", SHARE),
    )
    return Table("Expense to revenue by quarter", columns, rows, [q.period for q in trend])


def win_rate_trend(snapshot: InsightSnapshot) -> Table:
    trend = snapshot.pipeline.trend
    rows = [(p.period, p.won, p.lost, p.win_rate) for p in trend]
    columns = (("Quarter", TEXT), ("Won", NUMBER), ("Lost", NUMBER), ("Win rate", SHARE))
    return Table("Win rate by quarter", columns, rows, [p.period for p in trend])


def closed_deals(deals: DealList) -> Table:
    rows = [
        (d.name, d.account_name, d.owner_name, d.close_date.isoformat(), d.amount)
        for d in deals.deals
    ]
    columns = (
        ("Deal", TEXT),
        ("Account", TEXT),
        ("Owner", TEXT),
        ("Closed", TEXT),
        ("Amount", MONEY),
    )
    return Table(f"Won in {deals.period}", columns, rows, [d.id for d in deals.deals], "deal")


def every_table(snapshot: InsightSnapshot) -> list[Table]:
    """What an export holds: every table of the four views, the person's first."""
    makers: list[Callable[[InsightSnapshot], Table]] = [
        accuracy_people,
        backtest_people,
        backtest_points,
        coverage_grades,
        coverage_people,
        out_of_line,
        pipeline_stages,
        pipeline_people,
        slipping,
        cost_trend,
        win_rate_trend,
    ]
    subject = snapshot.accuracy.rows[0].user_id
    return [
        makers[0](snapshot),
        accuracy_periods(snapshot, subject),
        *(make(snapshot) for make in makers[1:]),
        grade_accounts(snapshot, None),
    ]
