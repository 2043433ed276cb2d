"""Account plans as the plans page shows them, the grade suggestion, and saving a plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sfa_desktop.core.entities import Account, AccountPlan, Activity, Contact, User
from sfa_desktop.core.enums import Channel
from sfa_desktop.core.rules.coverage import CoverageReport, coverage_report, travel_cost
from sfa_desktop.core.rules.geo import DriveModel, Point, parse_point
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME, GradeScheme
from sfa_desktop.operations.mileage import nights_away
from sfa_desktop.operations.records import create_record, update_record
from sfa_desktop.operations.result import OpResult
from sfa_desktop.store import Store


@dataclass(frozen=True)
class GradeSuggestion:
    """The grade the scheme suggests, and the numbers behind it (minor units)."""

    grade: str
    score: int
    historical: int
    potential: int
    threshold: int
    historical_weight: float


def suggest_grade(account: Account, scheme: GradeScheme = DEFAULT_SCHEME) -> GradeSuggestion:
    historical = account.historical_revenue()
    grade = scheme.grade_for(historical, account.potential_revenue)
    threshold = scheme.thresholds[scheme.grades.index(grade)]
    score = scheme.score(historical, account.potential_revenue)
    return GradeSuggestion(
        grade, score, historical, account.potential_revenue, threshold, scheme.historical_weight
    )


@dataclass(frozen=True)
class TravelRate:
    """How travel counts in cost to serve: the mileage rate, the home base, the drive model,
    and a night away's hotel (nights accepted from the visit planner)."""

    cents_per_km: int
    base: Point | None = None
    drive: DriveModel = field(default_factory=DriveModel)
    hotel_cents: int = 0


def travel_rate(settings: Any) -> TravelRate:
    """The travel part of cost to serve from the settings (anything indexed by name)."""
    return TravelRate(
        int(settings["cost_per_km"]),
        parse_point(str(settings["planner_base"])),
        DriveModel(int(settings["planner_road_factor"]) / 100, int(settings["planner_speed"])),
        int(settings["planner_hotel_cost"]) * 100,
    )


@dataclass(frozen=True)
class PlanSummary:
    """A row of the plans list: an account of the rep and its plan for the year, if any."""

    account: Account
    plan: AccountPlan | None


@dataclass(frozen=True)
class PlanDetail:
    account: Account
    plan: AccountPlan | None
    fiscal_year: int
    contacts: list[Contact]
    users: list[User]
    coverage: CoverageReport
    suggestion: GradeSuggestion
    travel_planned: int = 0  # the plan's visits as round trips from the home base
    travel_actual: int = 0  # the drives recorded with this year's visits, and hotels

    @property
    def planned_cost(self) -> int:
        """Cost to serve planned: contacts by channel plus travel."""
        return self.coverage.planned_cost + self.travel_planned

    @property
    def actual_cost(self) -> int:
        return self.coverage.actual_cost + self.travel_actual

    @property
    def last_year_revenue(self) -> int:
        last = [r.amount for r in self.account.revenue_history if r.year == self.fiscal_year - 1]
        return last[0] if last else self.account.historical_revenue()


def plan_summaries(store: Store, fiscal_year: int) -> list[PlanSummary]:
    """The signed-in rep's accounts (all accounts without a user), best grade first."""
    me = store.current_user_id()
    where = {"owner_id": me} if me else None
    accounts = store.get_many(Account, store.ids(Account, where=where, sort="name"))
    plans = store.get_many(AccountPlan, store.ids(AccountPlan, where={"fiscal_year": fiscal_year}))
    by_account = {plan.account_id: plan for plan in plans}
    rows = [PlanSummary(a, by_account.get(a.id)) for a in accounts]
    return sorted(rows, key=lambda r: (DEFAULT_SCHEME.rank(_grade(r)), r.account.name))


def _grade(row: PlanSummary) -> str:
    return (row.plan.grade if row.plan else None) or row.account.grade or "Z"


def plan_detail(
    store: Store,
    account_id: str,
    fiscal_year: int,
    today: date,
    costs: Mapping[Channel, int],
    travel: TravelRate | None = None,
) -> PlanDetail:
    account = store.get(Account, account_id)
    found = store.get_many(
        AccountPlan,
        store.ids(AccountPlan, where={"account_id": account_id, "fiscal_year": fiscal_year}),
    )
    plan = found[0] if found else None
    start = datetime(fiscal_year, 1, 1, tzinfo=UTC)
    activity_ids = store.ids(Activity, where={"account_id": account_id}, sort="occurred_at")
    activities = [a for a in store.get_many(Activity, activity_ids) if a.occurred_at >= start]
    basis = plan or AccountPlan(account_id=account_id, fiscal_year=fiscal_year)
    coverage = coverage_report(basis, activities, today, costs)
    nights = nights_at(store, account_id, start, today)
    travel_planned, travel_actual = travel_costs(account, activities, coverage, travel, nights)
    return PlanDetail(
        account=account,
        plan=plan,
        fiscal_year=fiscal_year,
        contacts=store.get_many(Contact, store.contact_ids(account_id=account_id)),
        users=store.users(),
        coverage=coverage,
        suggestion=suggest_grade(account),
        travel_planned=travel_planned,
        travel_actual=travel_actual,
    )


def nights_at(store: Store, account_id: str, since: datetime, today: date) -> int:
    """Nights away near the account (their note is linked to it) from `since` to `today`."""
    until = datetime.combine(today + timedelta(days=1), time(), UTC)
    return sum(1 for night in nights_away(store, since, until) if night.account_id == account_id)


def travel_costs(
    account: Account,
    activities: list[Activity],
    coverage: CoverageReport,
    travel: TravelRate | None,
    nights: int = 0,
) -> tuple[int, int]:
    """Travel in cost to serve (minor units), planned and actual: the plan's visits as round
    trips from the home base; the drives recorded with `activities` (the year's) and the
    hotels of the `nights` away near the account."""
    if travel is None:
        return 0, 0
    actual = sum(travel_cost(a.travel_km or 0, travel.cents_per_km) for a in activities)
    actual += nights * travel.hotel_cents
    planned = 0
    if travel.base is not None and account.latitude is not None:
        where = Point(account.latitude, account.longitude or 0.0)
        round_trip = 2 * travel.drive.road_km(travel.base, where)
        visits = sum(c.planned for c in coverage.cells if c.channel is Channel.VISIT)
        planned = travel_cost(visits * round_trip, travel.cents_per_km)
    return planned, actual


def save_plan(
    store: Store, account_id: str, fiscal_year: int, plan_id: str | None, fields: dict[str, Any]
) -> OpResult[AccountPlan]:
    """Create the year's plan for an account, or change it; undo either way."""
    if plan_id is None:
        data = {"account_id": account_id, "fiscal_year": fiscal_year, **fields}
        return create_record(store, AccountPlan, data)
    return update_record(store, AccountPlan, plan_id, fields)
