from datetime import date

import pytest

from sfa_desktop.core.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-q1", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_parse_gives_half_open_range(text: str, start: date, end: date) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert str(period) == text.upper()
    assert start in period
    assert end not in period


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "26-Q1", "Q4 2026", ""])
def test_bad_period_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="like 2026-11, 2026-Q4"):
        Period.parse(text)


def test_containing_next_and_previous() -> None:
    quarter = Period.containing(date(2026, 11, 23), PeriodKind.QUARTER)
    assert str(quarter) == "2026-Q4"
    assert str(quarter.next()) == "2027-Q1"
    assert str(quarter.previous()) == "2026-Q3"
    assert str(Period.containing(date(2026, 1, 31), PeriodKind.MONTH).previous()) == "2025-12"
