"""Converting amounts between currencies by dated exchange rates (docs/forecasting.md).

A rate says what one unit of a currency is worth in the corporate currency from its
`valid_from` day until the next rate of that currency. An amount is converted by the rate
in effect on its day (a deal's close date; a quota's or adjustment's period end): the
latest rate whose `valid_from` is on or before that day. Before a currency's first rate
there is none, and the amount cannot be converted: it is left out and counted, never
guessed. Amounts are integer hundredths of every currency; a conversion is rounded half to
even, once per amount.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from sfa_desktop.core.periods import Period

DEFAULT_CORPORATE_CURRENCY = "EUR"  # an organisation that never set one


def parse_rate(text: str) -> Decimal:
    """A rate from its text ('0.92'): above 0, below a billion, at most 15 digits."""
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number such as 0.92") from None
    if not rate.is_finite() or rate <= 0 or rate >= 10**9:
        raise ValueError(f"{text!r} is not a rate above 0 and below 1,000,000,000")
    if len(rate.normalize().as_tuple().digits) > 15:
        raise ValueError(f"{text!r} has more than 15 significant digits")
    return rate.normalize()


@dataclass(frozen=True)
class DatedRate:
    """One unit of `currency` is worth `rate` corporate units from `valid_from` on."""

    currency: str
    valid_from: date
    rate: Decimal


@dataclass(frozen=True)
class RateTable:
    """The organisation's rates against its corporate currency `base`."""

    base: str = DEFAULT_CORPORATE_CURRENCY
    rates: tuple[DatedRate, ...] = ()
    _by_currency: dict[str, tuple[list[date], list[Decimal]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        grouped: dict[str, list[DatedRate]] = defaultdict(list)
        for rate in self.rates:
            grouped[rate.currency].append(rate)
        table = {}
        for currency, found in grouped.items():
            found.sort(key=lambda r: r.valid_from)
            table[currency] = ([r.valid_from for r in found], [r.rate for r in found])
        object.__setattr__(self, "_by_currency", table)

    @classmethod
    def of(cls, base: str, rates: Iterable[tuple[str, date, str | Decimal]]) -> RateTable:
        """A table from (currency, valid_from, rate) triples; rates of `base` are ignored."""
        return cls(
            base,
            tuple(
                DatedRate(currency, valid_from, Decimal(rate))
                for currency, valid_from, rate in rates
                if currency != base
            ),
        )

    def rate_on(self, currency: str, day: date) -> Decimal | None:
        """Corporate units per unit of `currency` on `day`; None before its first rate."""
        if currency == self.base:
            return Decimal(1)
        found = self._by_currency.get(currency)
        if found is None:
            return None
        days, values = found
        index = bisect_right(days, day)
        return values[index - 1] if index else None

    def convert(self, amount: int, currency: str, to: str, day: date) -> int | None:
        """`amount` of `currency` in `to` on `day`, or None when a rate is missing."""
        if currency == to:
            return amount
        source, target = self.rate_on(currency, day), self.rate_on(to, day)
        if source is None or target is None:
            return None
        value = Decimal(amount) * source / target
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    def missing(self, currency: str, to: str, day: date) -> str | None:
        """The currency with no rate on `day` that stops `currency` reaching `to`, if any."""
        if currency == to:
            return None
        for needed in (currency, to):
            if self.rate_on(needed, day) is None:
                return needed
        return None

    def currencies(self) -> list[str]:
        """The corporate currency, then every currency with a rate."""
        return [self.base, *sorted(self._by_currency)]


@dataclass
class LeftOut:
    """Amounts of one currency that could not be converted: `missing` had no rate on
    their day (the amounts' own currency, or the viewer's)."""

    currency: str
    missing: str
    count: int = 0
    amount: int = 0  # in `currency`
    first_day: date | None = None  # the earliest day a rate was missing for

    def add(self, amount: int, day: date, count: int = 1) -> None:
        self.count += count
        self.amount += amount
        self.first_day = day if self.first_day is None else min(self.first_day, day)


class LeftOutTally:
    """Collects what could not be converted, by currency and missing rate."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], LeftOut] = {}

    def add(self, currency: str, missing: str, amount: int, day: date, count: int = 1) -> None:
        key = (currency, missing)
        if key not in self._items:
            self._items[key] = LeftOut(currency, missing)
        self._items[key].add(amount, day, count)

    def merge(self, items: Iterable[LeftOut]) -> None:
        """Add what another tally collected (a report's, into their manager's)."""
        for item in items:
            if item.first_day is not None:
                self.add(item.currency, item.missing, item.amount, item.first_day, item.count)

    def items(self) -> list[LeftOut]:
        return [self._items[key] for key in sorted(self._items)]


def period_day(period: Period) -> date:
    """The day a period's quota, calls and adjustments convert at: its last day."""
    return period.end - timedelta(days=1)


def convert_counting(
    rates: RateTable, tally: LeftOutTally, amount: int, currency: str, to: str, day: date
) -> int | None:
    """`rates.convert`; an amount it cannot convert is added to `tally` (never dropped)."""
    value = rates.convert(amount, currency, to, day)
    if value is None:
        tally.add(currency, rates.missing(currency, to, day) or currency, amount, day)
    return value


def describe_left_out(left_out: Iterable[LeftOut], what: str = "deal") -> str:
    """'2 deals in USD (USD 12,000.00) left out: no USD rate on or before 2026-10-15'."""
    parts = []
    for item in left_out:
        plural = "" if item.count == 1 else "s"
        parts.append(
            f"{item.count} {what}{plural} in {item.currency} "
            f"({item.currency} {item.amount / 100:,.2f}) left out: no {item.missing} rate"
            f" on or before {item.first_day}"
        )
    return "; ".join(parts)
