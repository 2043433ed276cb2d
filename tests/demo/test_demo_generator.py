"""The demo data generator: deterministic, valid, consistent, streamed and well spread."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    CalendarEvent,
    Contact,
    ForecastSubmission,
    Lead,
    Opportunity,
    Quota,
    Record,
    StageChange,
    Task,
    User,
)
from sfa_desktop.core.enums import Channel, LeadStatus, Role, Stage
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME
from sfa_desktop.demo import DemoSize, demo_users, generate

TODAY = date(2026, 5, 14)
NOW = datetime.combine(TODAY, time(6), tzinfo=UTC)
TINY = DemoSize(
    reps=3,
    accounts=40,
    contacts=150,
    opportunities=60,
    activities=200,
    events=40,
    tasks=40,
    leads=30,
)
KIND_ORDER = [
    User,
    Account,
    Contact,
    Opportunity,
    StageChange,
    Activity,
    CalendarEvent,
    Task,
    Lead,
    AccountPlan,
    Quota,
    ForecastSubmission,
]
R = TypeVar("R", bound=Record)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(generate(DemoSize(), seed=7, today=TODAY))


def of(records: list[Record], kind: type[R]) -> list[R]:
    return [record for record in records if isinstance(record, kind)]


def by_id(records: list[Record], kind: type[R]) -> dict[str, R]:
    return {record.id: record for record in of(records, kind)}


def referenced_ids(record: Record) -> Iterator[tuple[str, str]]:
    """(field, id) for every reference a record makes, nested ones included."""
    for name, value in record:
        if name in ("id", "message_id", "thread_id"):  # an email's ids, not records
            continue
        if name.endswith("_id") and value is not None:
            yield name, value
        elif name.endswith("_ids"):
            yield from ((name, item) for item in value)
    if isinstance(record, AccountPlan):
        yield from (("key_contacts", kc.contact_id) for kc in record.key_contacts)
        yield from (("actions", a.owner_id) for a in record.actions if a.owner_id)


# --- size -------------------------------------------------------------------------------


def test_scaled_keeps_the_benchmark_mix() -> None:
    assert DemoSize.scaled(100_000) == DemoSize(
        reps=50,
        accounts=20_000,
        contacts=100_000,
        opportunities=50_000,
        activities=200_000,
        events=15_000,
        tasks=15_000,
        leads=7_500,
    )
    assert DemoSize.scaled(1_000).reps == 6
    assert DemoSize.scaled(10_000_000).reps == 200


def test_size_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        DemoSize(tasks=-1)
    with pytest.raises(ValueError, match="rep"):
        DemoSize(reps=0)
    with pytest.raises(ValueError, match="accounts"):
        DemoSize(accounts=0)


# --- streaming and determinism ----------------------------------------------------------


def test_generate_streams_without_building_everything_first() -> None:
    stream = generate(DemoSize.scaled(10_000_000), today=TODAY)  # 2M accounts, 20M activities
    assert isinstance(stream, Iterator)
    first = list(itertools.islice(stream, 300))
    assert isinstance(first[0], User)
    assert isinstance(first[-1], Account)


def test_same_seed_and_day_give_the_same_records() -> None:
    assert list(generate(TINY, seed=7, today=TODAY)) == list(generate(TINY, seed=7, today=TODAY))


def test_another_seed_or_day_gives_other_records() -> None:
    base = list(generate(TINY, seed=7, today=TODAY))
    other_seed = list(generate(TINY, seed=8, today=TODAY))
    later = list(generate(TINY, seed=7, today=TODAY + timedelta(days=30)))
    assert {r.id for r in base}.isdisjoint(r.id for r in other_seed)
    assert [r.name for r in of(base, Account)] != [r.name for r in of(other_seed, Account)]
    assert [r.created_at for r in of(base, Activity)] != [r.created_at for r in of(later, Activity)]


def test_demo_users_are_the_users_generate_starts_with(records: list[Record]) -> None:
    users = demo_users(DemoSize(), seed=7, today=TODAY)
    assert users == records[: len(users)]
    next_month = demo_users(DemoSize(), seed=7, today=TODAY + timedelta(days=30))
    assert [u.email for u in next_month] == [u.email for u in users]
    assert [u.role for u in users[:4]] == [Role.MANAGER, Role.MANAGER, Role.MANAGER, Role.ADMIN]
    assert all(u.role is Role.REP for u in users[4:])


# --- validity, counts and order ---------------------------------------------------------


def test_every_record_is_valid(records: list[Record]) -> None:
    for record in records:
        assert type(record).model_validate(record.model_dump()) == record


def test_counts_per_kind(records: list[Record]) -> None:
    size = DemoSize()
    counts = Counter(type(record) for record in records)
    accounts = of(records, Account)
    assert counts[User] == size.reps + 4
    assert (counts[Account], counts[Contact]) == (size.accounts, size.contacts)
    assert (counts[Opportunity], counts[Activity]) == (size.opportunities, size.activities)
    assert (counts[CalendarEvent], counts[Task], counts[Lead]) == (
        size.events,
        size.tasks,
        size.leads,
    )
    assert counts[StageChange] > size.opportunities
    assert counts[AccountPlan] == sum(a.grade in ("A", "B", "C") for a in accounts)
    assert counts[Quota] == (size.reps + 3) * 4
    # four closed quarters: everyone who calls (reps, two managers, the director); this
    # quarter: the reps
    assert counts[ForecastSubmission] == (size.reps + 3) * 4 + size.reps
    assert set(counts) == set(KIND_ORDER)


def test_kinds_come_in_foreign_key_order(records: list[Record]) -> None:
    positions = [KIND_ORDER.index(type(record)) for record in records]
    assert positions == sorted(positions)


def test_timestamps_come_from_the_day_not_the_clock(records: list[Record]) -> None:
    for record in records:
        assert record.created_at <= record.updated_at <= NOW, record


# --- references ---------------------------------------------------------------------------


def assert_references_earlier(records: list[Record]) -> None:
    seen: set[str] = set()
    for record in records:
        for field, target in referenced_ids(record):
            assert target in seen, f"{type(record).__name__}.{field} -> {target}"
        assert record.id not in seen
        seen.add(record.id)


def test_every_reference_points_at_an_earlier_record(records: list[Record]) -> None:
    assert_references_earlier(records)


@settings(max_examples=12, deadline=None)
@given(
    size=st.builds(
        DemoSize,
        reps=st.integers(1, 9),
        accounts=st.integers(1, 12),
        contacts=st.integers(0, 40),
        opportunities=st.integers(0, 30),
        activities=st.integers(0, 40),
        events=st.integers(0, 15),
        tasks=st.integers(0, 15),
        leads=st.integers(0, 15),
    ),
    today=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
def test_any_small_size_and_day_give_consistent_records(size: DemoSize, today: date) -> None:
    records = list(generate(size, today=today))
    assert_references_earlier(records)
    now = datetime.combine(today, time(6), tzinfo=UTC)
    assert all(r.created_at <= r.updated_at <= now for r in records)
    counts = Counter(type(record) for record in records)
    assert (counts[Contact], counts[Opportunity], counts[Activity]) == (
        size.contacts,
        size.opportunities,
        size.activities,
    )
    assert (counts[CalendarEvent], counts[Task], counts[Lead]) == (
        size.events,
        size.tasks,
        size.leads,
    )


def test_people_and_deals_belong_to_the_record_account(records: list[Record]) -> None:
    contacts = by_id(records, Contact)
    deals = by_id(records, Opportunity)
    for deal in deals.values():
        if deal.primary_contact_id:
            assert contacts[deal.primary_contact_id].account_id == deal.account_id
    for activity in of(records, Activity):
        assert all(contacts[c].account_id == activity.account_id for c in activity.contact_ids)
        if activity.opportunity_id:
            assert deals[activity.opportunity_id].account_id == activity.account_id
    for event in of(records, CalendarEvent):
        assert all(contacts[c].account_id == event.account_id for c in event.attendee_ids)
        if event.opportunity_id:
            assert deals[event.opportunity_id].account_id == event.account_id
    for task in of(records, Task):
        if task.contact_id:
            assert contacts[task.contact_id].account_id == task.account_id
    for plan in of(records, AccountPlan):
        assert all(
            contacts[kc.contact_id].account_id == plan.account_id for kc in plan.key_contacts
        )


def test_activities_reach_contacts_only_through_open_channels(records: list[Record]) -> None:
    contacts = by_id(records, Contact)
    for activity in of(records, Activity):
        for contact in (contacts[c] for c in activity.contact_ids):
            assert activity.channel not in contact.blocked_channels()
            if activity.channel is Channel.EMAIL:
                assert contact.email
            if activity.channel is Channel.CALL:
                assert contact.phone or contact.mobile


def test_owners_are_reps_and_follow_the_account(records: list[Record]) -> None:
    reps = {u.id for u in of(records, User) if u.role is Role.REP}
    managers = {u.id for u in of(records, User) if u.role is Role.MANAGER}
    accounts = by_id(records, Account)
    for record in records:
        if isinstance(record, User | Quota):
            continue
        if isinstance(record, ForecastSubmission):  # managers call for their teams
            assert record.owner_id in reps | managers
            continue
        assert record.owner_id in reps, record
        account_id = getattr(record, "account_id", None)
        if account_id is not None:
            assert record.owner_id == accounts[account_id].owner_id
    assert any(t.account_id is None for t in of(records, Task))
    assert all(lead.owner_id in reps for lead in of(records, Lead))


def test_team_hierarchy_and_quota_rollup(records: list[Record]) -> None:
    users = of(records, User)
    director = next(u for u in users if u.role is Role.MANAGER and u.manager_id is None)
    managers = [u for u in users if u.manager_id == director.id]
    reps = [u for u in users if u.role is Role.REP]
    assert len(managers) == 2
    assert {r.manager_id for r in reps} == {m.id for m in managers}
    quota = {(q.owner_id, q.period): q.amount for q in of(records, Quota)}
    for period in (f"{TODAY.year}-Q{n}" for n in range(1, 5)):
        for manager in managers:
            reports = [r for r in reps if r.manager_id == manager.id]
            assert quota[(manager.id, period)] == sum(quota[(r.id, period)] for r in reports)
        assert quota[(director.id, period)] == sum(quota[(m.id, period)] for m in managers)
    periods = {s.period for s in of(records, ForecastSubmission)}
    assert periods == {"2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"}


# --- realism ------------------------------------------------------------------------------


def test_grades_spread_as_intended_and_follow_the_scheme() -> None:
    size = DemoSize(accounts=2000, contacts=0, opportunities=0, activities=0, events=0)
    stream = generate(size, seed=7, today=TODAY)
    accounts = list(itertools.islice((r for r in stream if isinstance(r, Account)), 2000))
    shares = Counter(a.grade for a in accounts)
    for grade, percent in {"A": 10, "B": 20, "C": 30, "D": 25, "E": 15}.items():
        assert abs(100 * shares[grade] / len(accounts) - percent) < 4, shares
    for account in accounts:
        expected = DEFAULT_SCHEME.grade_for(account.historical_revenue(), account.potential_revenue)
        assert account.grade == expected
    subsidiaries = sum(a.parent_id is not None for a in accounts)
    assert 0.06 < subsidiaries / len(accounts) < 0.14


def test_accounts_and_contacts_look_real(records: list[Record]) -> None:
    accounts = by_id(records, Account)
    assert len({a.domain for a in accounts.values()}) == len(accounts)
    assert len({a.industry for a in accounts.values()}) == 12
    for contact in of(records, Contact):
        account = accounts[contact.account_id or ""]
        if contact.email:
            assert contact.email.endswith("@" + account.domain)
        assert contact.preferred_channel not in contact.blocked_channels()
    assert any(c.do_not_call or c.do_not_email for c in of(records, Contact))


def test_deals_walk_the_stages_in_order(records: list[Record]) -> None:
    history: defaultdict[str, list[StageChange]] = defaultdict(list)
    for change in of(records, StageChange):
        history[change.opportunity_id].append(change)
    order = list(Stage)
    for deal in of(records, Opportunity):
        rows = history[deal.id]
        assert rows[0].from_stage is None
        assert rows[0].changed_at == deal.created_at
        assert rows[-1].to_stage is deal.stage
        for before, after in itertools.pairwise(rows):
            assert after.from_stage is before.to_stage
            assert after.changed_at > before.changed_at
            if not after.to_stage.is_closed:
                assert order.index(after.to_stage) == order.index(before.to_stage) + 1
        if deal.stage.is_closed:
            assert deal.closed_at == rows[-1].changed_at
            assert deal.close_date < TODAY
        else:
            assert deal.close_date <= TODAY + timedelta(days=271)
    open_deals = [d for d in of(records, Opportunity) if d.is_open]
    assert any(d.close_date < TODAY for d in open_deals)  # some are overdue
    amounts = sorted(d.amount for d in of(records, Opportunity))
    assert 500_000 <= amounts[len(amounts) // 2] <= 10_000_000  # median 5k-100k euros


def test_activities_events_and_tasks_fall_in_their_windows(records: list[Record]) -> None:
    for activity in of(records, Activity):
        assert NOW - timedelta(days=560) < activity.occurred_at < NOW
    assert {a.channel for a in of(records, Activity)} == set(Channel)
    events = of(records, CalendarEvent)
    for event in events:
        assert abs(event.starts_at - NOW) < timedelta(days=64)
    assert any(e.recurrence == "FREQ=WEEKLY;COUNT=10" for e in events)
    tasks = of(records, Task)
    assert any(t.done for t in tasks)
    assert any(not t.done and t.due_date and t.due_date < TODAY for t in tasks)


def test_leads_have_sources_and_statuses(records: list[Record]) -> None:
    leads = of(records, Lead)
    assert {lead.source for lead in leads} == {
        "web",
        "trade show",
        "referral",
        "cold call",
        "campaign",
    }
    assert {lead.status for lead in leads} == set(LeadStatus)
    accounts = by_id(records, Account)
    for lead in leads:
        if lead.status is LeadStatus.CONVERTED:
            assert lead.company == accounts[lead.converted_account_id or ""].name
