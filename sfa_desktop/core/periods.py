"""Forecast periods: a calendar month (2026-11), quarter (2026-Q4) or year (2026)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
# ASCII digits only (\d would take any script's digits); a year from 0001 to 9999.
_PATTERNS = (
    (re.compile(r"([0-9]{4})-Q([1-4])"), PeriodKind.QUARTER),
    (re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])"), PeriodKind.MONTH),
    (re.compile(r"([0-9]{4})"), PeriodKind.YEAR),
)


@dataclass(frozen=True, order=True)
class Period:
    """A half-open date range [start, end) named the way reps and managers say it."""

    start: date
    kind: PeriodKind

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period `text` names (any case, spaces around allowed); ValueError if it
        names none, or one outside the calendar dates (year 0001 to 9999-12-31). The one
        period rule: the entities, the server's reports and both CLIs parse with it."""
        text = text.strip().upper()
        for pattern, kind in _PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                year = int(match.group(1))
                index = int(match.group(2)) if kind is not PeriodKind.YEAR else 1
                month = (index - 1) * 3 + 1 if kind is PeriodKind.QUARTER else index
                if year == 0:
                    raise ValueError(f"period {text} is out of range: years start at 0001")
                period = cls(date(year, month, 1), kind)
                if not _ends_in_calendar(period):
                    raise ValueError(f"period {text} is out of range: it ends after 9999-12-31")
                return period
        raise ValueError(f"{text!r} is not a period like 2026-11, 2026-Q4 or 2026")

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> Period:
        month = (day.month - 1) // _MONTHS[kind] * _MONTHS[kind] + 1
        return cls(date(day.year, month, 1), kind)

    @property
    def end(self) -> date:
        end: date = self.start + relativedelta(months=_MONTHS[self.kind])
        return end

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    def next(self) -> Period:
        return Period(self.end, self.kind)

    def previous(self) -> Period:
        start: date = self.start - relativedelta(months=_MONTHS[self.kind])
        return Period(start, self.kind)

    def parts(self) -> list[Period]:
        """The next smaller periods that make this one up, in order: a year's quarters, a
        quarter's months; a month has none."""
        smaller = {PeriodKind.YEAR: PeriodKind.QUARTER, PeriodKind.QUARTER: PeriodKind.MONTH}
        kind = smaller.get(self.kind)
        if kind is None:
            return []
        step = _MONTHS[kind]
        return [
            Period(self.start + relativedelta(months=i), kind)
            for i in range(0, _MONTHS[self.kind], step)
        ]

    def within(self) -> list[Period]:
        """Every period inside this one, itself first: a year, its quarters and its months."""
        found = [self]
        for part in self.parts():
            found.extend(part.within())
        return found

    def __str__(self) -> str:
        year = f"{self.start.year:04d}"  # as parse reads it: 0001, not 1
        if self.kind is PeriodKind.QUARTER:
            return f"{year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.MONTH:
            return f"{year}-{self.start.month:02d}"
        return year


def _ends_in_calendar(period: Period) -> bool:
    """Whether the day after `period` is a date (false for a period ending 9999-12-31)."""
    try:
        period.end  # noqa: B018 - computed to see whether it exists
    except (ValueError, OverflowError):
        return False
    return True
