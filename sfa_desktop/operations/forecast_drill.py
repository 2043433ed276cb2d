"""The deals behind a forecast cell and the moves since last week, as rows a table shows
(grouped per owner with subtotals); the deals from the local store when offline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sfa_desktop.core.entities import Account, Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import (
    DealLine,
    DealList,
    DealMove,
    DealSubtotal,
    ForecastNode,
    LeftOutInfo,
    MoveList,
)
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting
from sfa_desktop.operations.forecast import deals_of
from sfa_desktop.store import Store
from sfa_desktop.sync.forecast_client import subtree
from sfa_desktop.sync.rates import stored_rates

_OPEN = (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE)


@dataclass(frozen=True)
class DealRow:
    """A deal, an owner's subtotal or the total of a deal list."""

    kind: str  # "deal", "subtotal" or "total"
    owner: str
    amount: int | None  # in the list's currency; None: no rate to convert it
    deal: DealLine | None = None
    count: int = 0
    currency: str = ""

    @property
    def id(self) -> str | None:
        return self.deal.id if self.deal else None

    @property
    def converted(self) -> bool:
        """The amount was converted from the deal's own currency."""
        return self.deal is not None and self.deal.original_currency != self.currency


def deal_rows(deals: DealList) -> list[DealRow]:
    """Each owner's deals (largest first, as the list has them) followed by the owner's
    subtotal; the total last."""
    by_owner: dict[str, list[DealLine]] = defaultdict(list)
    for line in deals.deals:
        by_owner[line.owner_id].append(line)
    rows: list[DealRow] = []
    for subtotal in deals.subtotals:
        for line in by_owner.get(subtotal.owner_id, []):
            rows.append(DealRow("deal", line.owner_name, line.amount, line, 1, deals.currency))
        rows.append(
            DealRow(
                "subtotal",
                subtotal.owner_name,
                subtotal.amount,
                count=subtotal.count,
                currency=deals.currency,
            )
        )
    count = len(deals.deals)
    rows.append(DealRow("total", "", deals.total, count=count, currency=deals.currency))
    return rows


def local_deal_list(
    store: Store,
    node: ForecastNode,
    period: Period,
    category: ForecastCategory | None,
    currency: str,
    today: date,
) -> DealList:
    """The deals of `node`'s subtree on this device (a manager's store holds the reports'
    deals), in the shape the server sends, converted by the rates the device last fetched
    (the server's rule: the close date's rate); a deal with no rate is listed without an
    amount, left out of the totals and counted in `left_out`."""
    rates = stored_rates(store).table()
    tally = LeftOutTally()
    names = {person.user_id: person.name for person in subtree(node)}
    found: list[Opportunity] = []
    for owner in names:
        found.extend(
            o for o in deals_of(store, owner, period) if category in (None, o.forecast_category)
        )
    accounts = {
        a.id: a.name for a in store.get_many(Account, sorted({o.account_id for o in found}))
    }
    lines = []
    for o in found:
        amount = convert_counting(rates, tally, o.amount, o.currency, currency, o.close_date)
        lines.append(
            DealLine(
                id=o.id,
                name=o.name,
                account_id=o.account_id,
                account_name=accounts.get(o.account_id, ""),
                owner_id=o.owner_id,
                owner_name=names.get(o.owner_id or "", ""),
                stage=o.stage.label,
                category=o.forecast_category,
                close_date=o.close_date,
                amount=amount,
                original_amount=o.amount,
                original_currency=o.currency,
                overdue=o.forecast_category in _OPEN and o.close_date < today,
            )
        )
    lines.sort(key=lambda line: (-(line.amount or 0), line.name))
    return DealList(
        period=str(period),
        currency=currency,
        user_id=node.user_id,
        category=category,
        deals=lines,
        subtotals=_subtotals(lines),
        total=sum(line.amount or 0 for line in lines),
        left_out=[
            LeftOutInfo(
                kind="deal",
                currency=item.currency,
                missing=item.missing,
                count=item.count,
                amount=item.amount,
                first_day=item.first_day,
            )
            for item in tally.items()
        ],
    )


def _subtotals(lines: list[DealLine]) -> list[DealSubtotal]:
    owners: dict[str, list[DealLine]] = defaultdict(list)
    for line in lines:
        owners[line.owner_id].append(line)
    return [
        DealSubtotal(
            owner_id=owner,
            owner_name=found[0].owner_name,
            count=len(found),
            amount=sum(line.amount or 0 for line in found),
        )
        for owner, found in sorted(owners.items(), key=lambda item: item[1][0].owner_name)
    ]


@dataclass(frozen=True)
class MoveRow:
    """A rep's heading (their moves counted, the pipeline change added up) or one move."""

    kind: str  # "owner" or "move"
    owner: str
    amount_change: int
    move: DealMove | None = None
    count: int = 0


def move_rows(moves: MoveList) -> list[MoveRow]:
    """The moves grouped per rep (by name), each group headed by the rep's net change."""
    by_owner: dict[str, list[DealMove]] = defaultdict(list)
    for move in moves.moves:
        by_owner[move.owner_name].append(move)
    rows: list[MoveRow] = []
    for owner in sorted(by_owner):
        found = by_owner[owner]
        change = sum(move.amount_change for move in found)
        rows.append(MoveRow("owner", owner, change, count=len(found)))
        rows.extend(MoveRow("move", owner, move.amount_change, move) for move in found)
    return rows
