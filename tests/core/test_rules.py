"""Pipeline maths, forecast categories, grading and coverage against hand-computed figures."""

from datetime import UTC, date, datetime

import pytest

from sfa_desktop.core.entities import AccountPlan, Activity, CoverageLine, Opportunity
from sfa_desktop.core.enums import Channel, ForecastCategory
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.coverage import coverage_report, expense_to_revenue
from sfa_desktop.core.rules.forecast import (
    ForecastTotals,
    attainment,
    forecast_totals,
    weighted_pipeline,
)
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME, GradeScheme


def opp(stage: str, amount: int, close: date, **extra: object) -> Opportunity:
    return Opportunity.parse(
        {"account_id": "a", "name": "D", "stage": stage, "amount": amount, "close_date": close}
        | extra
    )


Q4 = Period.parse("2026-Q4")
PIPE = [
    opp("qualification", 10_000, date(2026, 10, 5)),  # pipeline, 20 %
    opp("proposal", 20_000, date(2026, 11, 5)),  # best case, 60 %
    opp("negotiation", 30_000, date(2026, 12, 5)),  # commit, 80 %
    opp("closed_won", 40_000, date(2026, 11, 1)),  # closed
    opp("closed_lost", 50_000, date(2026, 11, 2)),  # omitted
    opp("negotiation", 70_000, date(2027, 1, 10)),  # next quarter
]


def test_weighted_pipeline_counts_open_deals_only() -> None:
    assert weighted_pipeline(PIPE) == 2_000 + 12_000 + 24_000 + 56_000


def test_forecast_totals_by_category_for_the_period() -> None:
    totals = forecast_totals(PIPE, Q4)
    assert totals == ForecastTotals(
        closed=40_000, commit=30_000, best_case=20_000, pipeline=10_000, omitted=50_000
    )
    assert totals.commit_forecast == 70_000
    assert totals.best_case_forecast == 90_000
    assert totals.open_pipeline == 60_000
    assert totals.of(ForecastCategory.COMMIT) == 30_000
    assert (totals + totals).closed == 80_000


def test_override_moves_a_deal_between_categories() -> None:
    upgraded = opp(
        "proposal", 5_000, date(2026, 12, 1), forecast_category="commit", category_overridden=True
    )
    assert forecast_totals([upgraded], Q4).commit == 5_000


def test_mixed_currencies_are_refused() -> None:
    usd = opp("proposal", 1, date(2026, 12, 1), currency="USD")
    with pytest.raises(ValueError, match="EUR, USD"):
        forecast_totals([PIPE[1], usd], Q4)


def test_attainment() -> None:
    assert attainment(40_000, 100_000) == 0.4
    assert attainment(1, 0) is None


@pytest.mark.parametrize(
    ("historical", "potential", "grade"),
    [
        (60_000_000, 40_000_000, "A"),  # score 50M
        (30_000_000, 10_000_000, "B"),  # 20M
        (0, 10_000_000, "C"),  # 5M
        (1_000_000, 1_000_000, "D"),
        (0, 1_999_998, "E"),  # 999,999
        (0, 0, "E"),
    ],
)
def test_default_grading(historical: int, potential: int, grade: str) -> None:
    assert DEFAULT_SCHEME.grade_for(historical, potential) == grade


def test_configurable_seven_grade_scheme() -> None:
    scheme = GradeScheme(
        grades=tuple("ABCDEFG"), thresholds=(600, 500, 400, 300, 200, 100, 0), historical_weight=1
    )
    assert [scheme.grade_for(h, 0) for h in (650, 450, 99)] == ["A", "C", "G"]
    assert scheme.rank("G") == 6
    with pytest.raises(ValueError, match="fall from the best"):
        GradeScheme(thresholds=(0, 1, 2, 3, 0))
    with pytest.raises(ValueError, match="between 2 and 7"):
        GradeScheme(grades=("A",), thresholds=(0,))


def _activity(channel: str, when: datetime) -> Activity:
    return Activity(channel=channel, subject="x", occurred_at=when)


def test_coverage_plan_against_actual_with_costs() -> None:
    plan = AccountPlan(
        account_id="a",
        fiscal_year=2026,
        coverage=(
            CoverageLine(channel="visit", quarter=4, planned=4),
            CoverageLine(channel="call", quarter=4, planned=6),
            CoverageLine(channel="visit", quarter=1, planned=2),
        ),
    )
    activities = [
        _activity("visit", datetime(2026, 10, 10, tzinfo=UTC)),
        _activity("call", datetime(2026, 11, 3, tzinfo=UTC)),
        _activity("call", datetime(2026, 11, 4, tzinfo=UTC)),
        _activity("visit", datetime(2026, 2, 1, tzinfo=UTC)),
        _activity("note", datetime(2026, 11, 5, tzinfo=UTC)),  # not a contact
        _activity("visit", datetime(2025, 11, 5, tzinfo=UTC)),  # other year
    ]
    costs = {Channel.VISIT: 100, Channel.CALL: 10}
    report = coverage_report(plan, activities, today=date(2026, 11, 16), costs=costs)
    visit_q4 = report.cell(Channel.VISIT, 4)
    assert (visit_q4.planned, visit_q4.actual, visit_q4.gap) == (4, 1, 3)
    assert report.cell(Channel.CALL, 4).actual == 2
    assert (report.planned, report.actual) == (12, 4)
    assert report.planned_cost == 6 * 100 + 6 * 10
    assert report.actual_cost == 2 * 100 + 2 * 10
    # Q1 fully elapsed (2 planned) + Q4 46/92 elapsed of 10 planned = 7.0 expected by today
    assert report.expected_to_date == pytest.approx(7.0)
    assert report.is_behind  # 4 actual < 7 expected
    assert expense_to_revenue(220, 11_000) == pytest.approx(0.02)
    assert expense_to_revenue(5, 0) is None


def test_coverage_not_behind_early_in_the_year() -> None:
    plan = AccountPlan(
        account_id="a",
        fiscal_year=2026,
        coverage=(CoverageLine(channel="call", quarter=2, planned=3),),
    )
    assert not coverage_report(plan, [], today=date(2026, 3, 31)).is_behind
