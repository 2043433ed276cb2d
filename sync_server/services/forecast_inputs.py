"""What a forecast rollup reads from the database, converted into the report's currency.

Deals convert by the rate of their close date; quotas, calls and adjustments by the rate of
their period's last day (docs/forecasting.md, Currencies). What has no rate is left out and
counted, per owner, never dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind, ForecastCategory
from sfa_desktop.core.forecast_wire import AdjustmentInfo, LeftOutInfo, SubmissionInfo
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import (
    LeftOut,
    LeftOutTally,
    RateTable,
    convert_counting,
    period_day,
)
from sfa_desktop.core.rules.forecast import PeriodQuota, period_quota
from sync_server.models import OpportunityFact, Record

CATEGORIES = [category.value for category in ForecastCategory]
INDEX = {value: i for i, value in enumerate(CATEGORIES)}
ZERO = (0,) * len(CATEGORIES)
Amounts = tuple[int, ...]  # one amount per forecast category, in `CATEGORIES` order


@dataclass
class Inputs:
    """Everything per person a rollup needs, in one currency."""

    currency: str
    own: dict[str, Amounts] = field(default_factory=dict)
    converted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deals_left_out: dict[str, LeftOutTally] = field(default_factory=dict)
    quotas: dict[str, PeriodQuota] = field(default_factory=dict)
    quota_left_out: dict[str, LeftOutTally] = field(default_factory=dict)
    submissions: dict[str, SubmissionInfo] = field(default_factory=dict)
    adjustments: dict[str, list[AdjustmentInfo]] = field(default_factory=dict)
    adjustment_left_out: dict[str, LeftOutTally] = field(default_factory=dict)

    def tally(self, table: dict[str, LeftOutTally], owner: str) -> LeftOutTally:
        if owner not in table:
            table[owner] = LeftOutTally()
        return table[owner]


def load_inputs(
    session: Session,
    org_id: str,
    owners: set[str],
    period: Period,
    currency: str,
    rates: RateTable,
    names: dict[str, str],
) -> Inputs:
    inputs = Inputs(currency)
    _sums(session, org_id, owners, period, rates, inputs)
    _quotas(session, org_id, owners, period, rates, inputs)
    _submissions(session, org_id, owners, period, rates, inputs)
    _adjustments(session, org_id, owners, period, rates, inputs, names)
    return inputs


def _sums(
    session: Session,
    org_id: str,
    owners: set[str],
    period: Period,
    rates: RateTable,
    inputs: Inputs,
) -> None:
    """Each owner's amounts per category: deals in the report's currency summed in SQL,
    the others converted one by one at their close date's rate."""
    fact, currency = OpportunityFact, inputs.currency
    in_period = (
        fact.org_id == org_id,
        fact.close_date >= period.start,
        fact.close_date < period.end,
    )
    amounts: dict[str, list[int]] = {}

    def add(owner_id: str, category: str, amount: int) -> None:
        amounts.setdefault(owner_id, [0] * len(CATEGORIES))[INDEX[category]] += amount

    same = session.execute(
        select(fact.owner_id, fact.category, func.sum(fact.amount))
        .where(*in_period, fact.currency == currency)
        .group_by(fact.owner_id, fact.category)
    )
    for owner_id, category, amount in same:
        if owner_id in owners:  # grouped rows are few: filter here, not with a huge IN list
            add(owner_id, category, int(amount or 0))
    other = session.execute(
        select(fact.owner_id, fact.category, fact.currency, fact.close_date, fact.amount).where(
            *in_period, fact.currency != currency
        )
    )
    for owner_id, category, deal_currency, close_date, amount in other:
        if owner_id not in owners:
            continue
        tally = inputs.tally(inputs.deals_left_out, owner_id)
        value = convert_counting(rates, tally, int(amount), deal_currency, currency, close_date)
        if value is not None:
            add(owner_id, category, value)
            inputs.converted[owner_id].add(deal_currency)
    inputs.own = {owner: tuple(values) for owner, values in amounts.items()}


OWNERS_IN_SQL = 500  # up to this many owners are filtered in SQL, more in Python


def records(
    session: Session,
    org_id: str,
    entity: EntityKind,
    owners: set[str] | None,
    periods: list[Period],
) -> list[Record]:
    statement = select(Record).where(
        Record.entity == entity.value,
        Record.org_id == org_id,
        Record.deleted.is_(False),
        Record.data["period"].as_string().in_([str(period) for period in periods]),
    )
    if owners is not None and len(owners) <= OWNERS_IN_SQL:
        # a small team: read only its records (ix_records_entity_owner), not the org's
        statement = statement.where(Record.owner_id.in_(sorted(owners)))
    rows = session.scalars(statement)
    return [row for row in rows if owners is None or row.owner_id in owners]


def _quotas(
    session: Session,
    org_id: str,
    owners: set[str],
    period: Period,
    rates: RateTable,
    inputs: Inputs,
) -> None:
    """Each owner's own quota for `period` (`period_quota`), each quota record converted at
    its own period's last day; one without a rate counts as not set, and is named."""
    amounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in records(session, org_id, EntityKind.QUOTA, owners, period.within()):
        part = Period.parse(row.data["period"])
        quota_currency = row.data.get("currency", "EUR")
        amount = int(row.data["amount"])
        tally = inputs.tally(inputs.quota_left_out, row.owner_id)
        day = period_day(part)
        value = convert_counting(rates, tally, amount, quota_currency, inputs.currency, day)
        if value is None:
            continue
        amounts[row.owner_id][row.data["period"]] += value
    inputs.quotas = {owner: period_quota(found, period) for owner, found in amounts.items()}


def _submissions(
    session: Session,
    org_id: str,
    owners: set[str],
    period: Period,
    rates: RateTable,
    inputs: Inputs,
) -> None:
    """Each owner's latest call for the period, converted (kept in its own currency,
    and saying so, when there is no rate)."""
    day = period_day(period)
    for row in records(session, org_id, EntityKind.FORECAST_SUBMISSION, owners, [period]):
        data: dict[str, Any] = row.data
        call_currency = data.get("currency", "EUR")
        commit = rates.convert(data["commit"], call_currency, inputs.currency, day)
        best = rates.convert(data["best_case"], call_currency, inputs.currency, day)
        shown = inputs.currency
        if commit is None or best is None:
            commit, best, shown = data["commit"], data["best_case"], call_currency
        info = SubmissionInfo(
            id=row.id,
            commit=commit,
            best_case=best,
            comment=data.get("comment", ""),
            submitted_at=data["submitted_at"],
            currency=shown,
        )
        latest = inputs.submissions.get(row.owner_id)
        if latest is None or latest.submitted_at < info.submitted_at:
            inputs.submissions[row.owner_id] = info


def _adjustments(
    session: Session,
    org_id: str,
    subjects: set[str],
    period: Period,
    rates: RateTable,
    inputs: Inputs,
    names: dict[str, str],
) -> None:
    """Every live adjustment of someone in `subjects`, converted at the period's last day.
    "closed" adjustments (no longer accepted) are not counted: closed is what was won."""
    day = period_day(period)
    for row in records(session, org_id, EntityKind.MANAGER_ADJUSTMENT, None, [period]):
        data: dict[str, Any] = row.data
        subject = data["subject_user_id"]
        if subject not in subjects or data["category"] == ForecastCategory.CLOSED.value:
            continue
        adjustment_currency = data.get("currency", "EUR")
        tally = inputs.tally(inputs.adjustment_left_out, subject)
        amount = convert_counting(
            rates, tally, int(data["amount"]), adjustment_currency, inputs.currency, day
        )
        if amount is None:
            continue
        inputs.adjustments.setdefault(subject, []).append(
            AdjustmentInfo(
                id=row.id,
                manager_id=row.owner_id,
                manager_name=names.get(row.owner_id, row.owner_id),
                subject_user_id=subject,
                period=data["period"],
                category=ForecastCategory(data["category"]),
                amount=amount,
                comment=data["comment"],
            )
        )


def left_out_infos(kind: str, items: list[LeftOut]) -> list[LeftOutInfo]:
    return [
        LeftOutInfo(
            kind=kind,
            currency=item.currency,
            missing=item.missing,
            count=item.count,
            amount=item.amount,
            first_day=item.first_day,
        )
        for item in items
    ]
