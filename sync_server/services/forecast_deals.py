"""The deals behind a forecast cell: a person's subtree, one category or all, converted."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind, ForecastCategory, Stage
from sfa_desktop.core.forecast_wire import DealLine, DealList, DealSubtotal
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting
from sync_server.models import Org, Record, User
from sync_server.services.currency import rate_table
from sync_server.services.forecast import Hierarchy, parse_period
from sync_server.services.forecast_history import current_deals
from sync_server.services.forecast_inputs import left_out_infos

_OPEN = {
    ForecastCategory.PIPELINE.value,
    ForecastCategory.BEST_CASE.value,
    ForecastCategory.COMMIT.value,
}


def deal_list(
    session: Session,
    subject: User,
    period_text: str,
    category: ForecastCategory | None,
    currency: str | None,
    now: datetime,
) -> DealList:
    """Every deal of `subject` and everyone below closing in the period (in `category`,
    or all), largest first, each owner's subtotal, converted at the close date's rate; a
    deal without a rate is listed with no amount and counted in `left_out`."""
    period = parse_period(period_text)
    org = session.get(Org, subject.org_id)
    assert org is not None
    view = currency or org.currency
    people = Hierarchy.load(session, subject.org_id)
    owners = people.subtree(subject.id)
    names = people.names()
    rates = rate_table(session, org)
    deals = [
        deal
        for deal in current_deals(session, org.id, period)
        if deal["owner_id"] in owners and (category is None or deal["category"] == category.value)
    ]
    accounts = _account_names(session, [deal["opportunity_id"] for deal in deals])
    left_out = LeftOutTally()
    lines = []
    for deal in deals:
        amount = convert_counting(
            rates, left_out, deal["amount"], deal["currency"], view, deal["close_date"]
        )
        account_id, account_name = accounts.get(deal["opportunity_id"], (None, ""))
        lines.append(
            DealLine(
                id=deal["opportunity_id"],
                name=deal["name"],
                account_id=account_id,
                account_name=account_name,
                owner_id=deal["owner_id"],
                owner_name=names.get(deal["owner_id"], deal["owner_id"]),
                stage=Stage(deal["stage"]).label,
                category=ForecastCategory(deal["category"]),
                close_date=deal["close_date"],
                amount=amount,
                original_amount=deal["amount"],
                original_currency=deal["currency"],
                overdue=deal["category"] in _OPEN and deal["close_date"] < now.date(),
            )
        )
    lines.sort(key=lambda line: (-(line.amount or 0), line.name))
    return DealList(
        period=str(period),
        currency=view,
        user_id=subject.id,
        category=category,
        deals=lines,
        subtotals=_subtotals(lines),
        total=sum(line.amount or 0 for line in lines),
        left_out=left_out_infos("deal", left_out.items()),
    )


def _subtotals(lines: list[DealLine]) -> list[DealSubtotal]:
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, int] = defaultdict(int)
    owner_names: dict[str, str] = {}
    for line in lines:
        counts[line.owner_id] += 1
        amounts[line.owner_id] += line.amount or 0
        owner_names[line.owner_id] = line.owner_name
    return [
        DealSubtotal(
            owner_id=owner,
            owner_name=owner_names[owner],
            count=counts[owner],
            amount=amounts[owner],
        )
        for owner in sorted(owner_names, key=lambda o: owner_names[o])
    ]


def _account_names(session: Session, deal_ids: list[str]) -> dict[str, tuple[str | None, str]]:
    """Each deal's account id and name."""
    if not deal_ids:
        return {}
    deals = session.execute(
        select(Record.id, Record.account_id).where(
            Record.entity == EntityKind.OPPORTUNITY.value, Record.id.in_(sorted(deal_ids))
        )
    ).all()
    account_ids = sorted({account for _, account in deals if account})
    names: dict[str, str] = {}
    if account_ids:
        rows = session.execute(
            select(Record.id, Record.data).where(
                Record.entity == EntityKind.ACCOUNT.value, Record.id.in_(account_ids)
            )
        )
        names = {account_id: data.get("name", "") for account_id, data in rows}
    return {deal: (account, names.get(account or "", "")) for deal, account in deals}
