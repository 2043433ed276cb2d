"""Read operations that gather what one view shows, as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    Contact,
    Opportunity,
    Task,
)
from sfa_desktop.core.enums import DEFAULT_CHANNEL_COST, Channel, EntityKind
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.coverage import CoverageReport, coverage_report
from sfa_desktop.core.rules.recurrence import Occurrence, expand_all
from sfa_desktop.operations.custom_fields import shown_values
from sfa_desktop.operations.plans import TravelRate, nights_at, travel_costs
from sfa_desktop.store import Store
from sfa_desktop.store.queries import CoverageGap

TIMELINE_LIMIT = 100


@dataclass(frozen=True)
class Account360:
    """Everything the account view shows about one account."""

    account: Account
    parent: Account | None
    children: list[Account]
    contacts: list[Contact]
    activities: list[Activity]
    opportunities: list[Opportunity]
    tasks: list[Task]
    plan: AccountPlan | None
    coverage: CoverageReport | None
    travel_planned: int = 0  # travel in cost to serve, as the plans page counts it
    travel_actual: int = 0
    custom: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown


@dataclass(frozen=True)
class ContactDetail:
    contact: Contact
    account: Account | None
    activities: list[Activity]
    custom: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown


@dataclass(frozen=True)
class TodayOverview:
    day: date
    events: list[Occurrence]
    tasks: list[Task]
    closing: list[Opportunity]
    behind: list[CoverageGap]
    account_names: dict[str, str]


def account_360(
    store: Store,
    account_id: str,
    today: date,
    costs: Mapping[Channel, int] = DEFAULT_CHANNEL_COST,
    travel: TravelRate | None = None,
) -> Account360:
    """The account with its people, timeline, deals, tasks, this year's plan and coverage
    (contacts at `costs` per channel, travel at `travel`'s rate)."""
    account = store.get(Account, account_id)
    parent = store.get_many(Account, [account.parent_id]) if account.parent_id else []
    children = store.get_many(
        Account, store.ids(Account, where={"parent_id": account_id}, sort="name")
    )
    contacts = store.get_many(Contact, store.contact_ids(account_id=account_id))
    activity_ids = store.ids(
        Activity, where={"account_id": account_id}, sort="occurred_at", descending=True
    )
    activities = store.get_many(Activity, activity_ids)
    opportunities = [
        o
        for o in store.get_many(
            Opportunity, store.ids(Opportunity, where={"account_id": account_id}, sort="close_date")
        )
        if o.is_open
    ]
    task_ids = store.ids(Task, where={"account_id": account_id, "done": False}, sort="due_date")
    plans = store.get_many(
        AccountPlan,
        store.ids(AccountPlan, where={"account_id": account_id, "fiscal_year": today.year}),
    )
    plan = plans[0] if plans else None
    coverage = coverage_report(plan, activities, today, costs) if plan else None
    travel_planned = travel_actual = 0
    if coverage is not None:
        this_year = [a for a in activities if a.occurred_at.year == today.year]
        nights = nights_at(store, account_id, datetime(today.year, 1, 1, tzinfo=UTC), today)
        travel_planned, travel_actual = travel_costs(account, this_year, coverage, travel, nights)
    return Account360(
        account=account,
        parent=parent[0] if parent else None,
        children=children,
        contacts=contacts,
        activities=activities[:TIMELINE_LIMIT],
        opportunities=opportunities,
        tasks=store.get_many(Task, task_ids),
        plan=plan,
        coverage=coverage,
        travel_planned=travel_planned,
        travel_actual=travel_actual,
        custom=shown_values(store.field_definitions(EntityKind.ACCOUNT), account),
    )


def contact_detail(store: Store, contact_id: str) -> ContactDetail:
    contact = store.get(Contact, contact_id)
    account = store.get_many(Account, [contact.account_id]) if contact.account_id else []
    activities = store.activities_for_contact(contact_id, limit=TIMELINE_LIMIT)
    custom = shown_values(store.field_definitions(EntityKind.CONTACT), contact)
    return ContactDetail(contact, account[0] if account else None, activities, custom)


def today_overview(store: Store, today: date) -> TodayOverview:
    """Today's events, open tasks due by today, deals closing this month, accounts behind plan."""
    start = datetime.combine(today, time()).astimezone()
    end = start + timedelta(days=1)
    events = expand_all(store.events_between(start, end), start, end)
    month = Period.containing(today, PeriodKind.MONTH)
    closing = store.opportunities_closing(month.start, month.end)
    names = {a.id: a.name for a in store.get_many(Account, list({o.account_id for o in closing}))}
    return TodayOverview(
        day=today,
        events=events,
        tasks=store.open_tasks_due(today),
        closing=closing,
        behind=store.accounts_behind_coverage(today),
        account_names=names,
    )
