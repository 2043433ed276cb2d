"""The visit planner over the store: the week's input from the rep's records, the proposal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sfa_desktop.core.entities import Account, Activity, CalendarEvent, Opportunity
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.rules.coverage import behind_plan
from sfa_desktop.core.rules.geo import DriveModel, Point, parse_point
from sfa_desktop.core.rules.recurrence import expand_all
from sfa_desktop.core.rules.visits import (
    DEFAULT_VISIT_MINUTES,
    AccountState,
    Deal,
    is_night_note,
    parse_clock,
    working_day_problem,
)
from sfa_desktop.operations.plans import plan_summaries, suggest_grade
from sfa_desktop.planner.rules import Rules
from sfa_desktop.planner.week import DAY, Booked, BookedNight, Place, plan_week
from sfa_desktop.planner.week import DayRoute as DayRoute
from sfa_desktop.planner.week import Night as Night
from sfa_desktop.planner.week import PlannedStop as PlannedStop
from sfa_desktop.planner.week import Skipped as Skipped
from sfa_desktop.planner.week import WeekInput as WeekInput
from sfa_desktop.planner.week import WeekPlan as WeekPlan
from sfa_desktop.store import Store


def planner_rules(settings: Mapping[str, Any]) -> Rules:
    """The planner's rules from the settings; DomainError when the home base is not set."""
    base = parse_point(str(settings["planner_base"]))
    if base is None:
        raise DomainError("set your home base first (Settings, or the planner's Home base)")
    start = parse_clock(str(settings["planner_day_start"])) or 8 * 60
    end = parse_clock(str(settings["planner_day_end"])) or 18 * 60
    problem = working_day_problem(
        str(settings["planner_day_start"]), str(settings["planner_day_end"])
    )
    if problem or end <= start:
        raise DomainError(f"the working day's end {problem or 'must be after its start'}")
    return Rules(
        base=base,
        day_start=start,
        day_end=end,
        days=int(settings["planner_days"]),
        max_drive=int(settings["planner_max_drive"]),
        drive=DriveModel(
            int(settings["planner_road_factor"]) / 100, int(settings["planner_speed"])
        ),
        visit_minutes={
            g: int(settings[f"planner_visit_{g.lower()}"]) for g in DEFAULT_VISIT_MINUTES
        },
        hotel_nights=bool(settings["planner_hotel_nights"]),
        hotel_cents=int(settings["planner_hotel_cost"]) * 100,
        cents_per_km=int(settings["cost_per_km"]),
    )


def week_monday(text: str) -> date:
    """'2026-W50' as the Monday of that ISO week; ValueError with the reason otherwise."""
    year, sep, week = text.strip().upper().partition("-W")
    if not sep or not year.isdigit() or not week.isdigit():
        raise ValueError(f"{text!r} is not a week such as 2026-W50")
    try:
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a week of that year") from None


@dataclass(frozen=True)
class WeekFrame:
    """Local time of the week: minutes from Monday 00:00 and back."""

    monday: date
    zone: ZoneInfo

    def minutes(self, moment: datetime) -> int:
        local = moment.astimezone(self.zone)
        days = (local.date() - self.monday).days
        return days * DAY + local.hour * 60 + local.minute

    def moment(self, minutes: int) -> datetime:
        day, rest = divmod(minutes, DAY)
        wall = datetime.combine(self.monday + timedelta(days=day), time(rest // 60, rest % 60))
        return wall.replace(tzinfo=self.zone).astimezone(UTC)


def week_input(
    store: Store,
    frame: WeekFrame,
    rules: Rules,
    now: datetime | None = None,
    skip_accounts: frozenset[str] = frozenset(),
    time_limit_s: float = 1.0,
) -> WeekInput:
    """What the planner needs of the signed-in rep's accounts, deals, visits and calendar."""
    monday = frame.monday
    week_end = monday + timedelta(days=7)
    summaries = plan_summaries(store, monday.year)
    mine = {row.account.id for row in summaries}
    visits: dict[str, list[Activity]] = defaultdict(list)
    for activity in store.records(Activity, where={"channel": Channel.VISIT.value}):
        if activity.account_id in mine:
            visits[activity.account_id].append(activity)
    deals: dict[str, list[Deal]] = defaultdict(list)
    for deal in store.records(Opportunity):
        if deal.account_id in mine and deal.is_open:
            item = Deal(deal.id, deal.name, deal.stage, deal.close_date)
            deals[deal.account_id].append(item)
    day_of_week_end = week_end - timedelta(days=1)
    quarter = (monday.month - 1) // 3 + 1
    places = []
    for row in summaries:
        account, plan = row.account, row.plan
        grade = (plan.grade if plan else None) or account.grade or suggest_grade(account).grade
        done = visits.get(account.id, [])
        behind = behind_plan(plan, done, day_of_week_end, Channel.VISIT) if plan else 0.0
        past = [a.occurred_at.date() for a in done if a.occurred_at.date() < monday]
        state = AccountState(
            account_id=account.id,
            name=account.name,
            grade=grade,
            value=max(account.potential_revenue, account.historical_revenue()) // 100,
            behind=behind,
            last_visit=max(past, default=None),
            deals=tuple(deals.get(account.id, ())),
            orientation=account.orientation,
            planned_calls=plan.planned(Channel.CALL, quarter) if plan else 0,
            planned_emails=plan.planned(Channel.EMAIL, quarter) if plan else 0,
        )
        places.append(Place(state, _point(account), address_of(account)))
    accounts = {row.account.id: row.account for row in summaries}
    booked, cancelled, nights = _booked(store, frame, accounts)
    not_before = frame.minutes(now) if now is not None and now.date() >= monday else 0
    return WeekInput(
        monday,
        tuple(places),
        booked,
        rules,
        max(0, not_before),
        skip_accounts | cancelled,
        time_limit_s,
        nights,
    )


def _booked(
    store: Store, frame: WeekFrame, accounts: dict[str, Account]
) -> tuple[tuple[Booked, ...], frozenset[str], tuple[BookedNight, ...]]:
    """The week's events as the planner sees them, the accounts whose visit this week was
    cancelled (not proposed again), and the nights away accepted (at their account)."""
    start, end = frame.moment(0), frame.moment(7 * DAY)
    found = []
    cancelled = set()
    nights = []
    for occurrence in expand_all(store.events_between(start, end), start, end):
        event = occurrence.event
        if event.status is EventStatus.CANCELLED:
            if event.channel is Channel.VISIT and event.account_id:
                cancelled.add(event.account_id)
            continue
        account = accounts.get(event.account_id or "") or _other_account(store, event)
        begin, finish = frame.minutes(occurrence.starts_at), frame.minutes(occurrence.ends_at)
        if is_night_note(event):
            where = _point(account)
            if where is not None:
                nights.append(BookedNight(event.id, begin // DAY, where, event.account_id))
            continue
        if event.all_day:
            begin, finish = (begin // DAY) * DAY, max(finish, (begin // DAY + 1) * DAY)
        visit = event.channel is Channel.VISIT and account is not None
        found.append(
            Booked(
                event_id=event.id,
                title=event.title,
                starts=begin,
                ends=max(finish, begin),
                account_id=event.account_id,
                point=_point(account) if visit and account is not None else None,
                planned=event.planned and not occurrence.is_recurring,
                visit=visit,
            )
        )
    return tuple(found), frozenset(cancelled), tuple(nights)


def _other_account(store: Store, event: CalendarEvent) -> Account | None:
    if not event.account_id:
        return None
    found = store.get_many(Account, [event.account_id])
    return found[0] if found else None


def _point(account: Account | None) -> Point | None:
    if account is None or account.latitude is None or account.longitude is None:
        return None
    return Point(account.latitude, account.longitude)


def address_of(account: Account) -> str:
    town = " ".join(part for part in (account.postal_code, account.city) if part)
    return ", ".join(part for part in (account.street, town, account.country) if part)


def propose_week(
    store: Store,
    frame: WeekFrame,
    rules: Rules,
    now: datetime | None = None,
    time_limit_s: float = 1.0,
) -> WeekPlan:
    """The proposed week (nothing is written)."""
    return plan_week(week_input(store, frame, rules, now, time_limit_s=time_limit_s))


def replan_input(
    store: Store,
    frame: WeekFrame,
    previous: WeekInput,
    now: datetime | None = None,
    time_limit_s: float = 0.2,
) -> WeekInput:
    """The week's input after calendar changes (a cancelled visit, a new meeting): the
    accounts' needs are taken from `previous`, only the week's events are read again."""
    accounts = store.get_many(Account, [p.state.account_id for p in previous.places])
    booked, cancelled, nights = _booked(store, frame, {a.id: a for a in accounts})
    not_before = frame.minutes(now) if now is not None and now.date() >= frame.monday else 0
    return replace(
        previous,
        booked=booked,
        nights=nights,
        skip_accounts=previous.skip_accounts | cancelled,
        not_before=max(0, not_before),
        time_limit_s=time_limit_s,
    )


def solve_week(week: WeekInput) -> WeekPlan:
    """Route and explain the week (no store: it may run on any thread)."""
    return plan_week(week)


def replan_week(
    store: Store,
    frame: WeekFrame,
    previous: WeekInput,
    now: datetime | None = None,
    time_limit_s: float = 0.2,
) -> tuple[WeekInput, WeekPlan]:
    """The week again after calendar changes, kept as stable as the new calendar allows."""
    week = replan_input(store, frame, previous, now, time_limit_s)
    return week, plan_week(week)
