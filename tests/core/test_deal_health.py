"""Close-date and staleness flags on pipeline deals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.rules.deal_health import CloseFlag, close_flag, is_stale

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _deal(close: date, stage: str = "proposal") -> Opportunity:
    return Opportunity(account_id="a", name="Deal", close_date=close, stage=stage)


def test_close_flags() -> None:
    assert close_flag(_deal(date(2026, 11, 22)), TODAY) is CloseFlag.OVERDUE
    assert close_flag(_deal(date(2026, 11, 30)), TODAY) is CloseFlag.THIS_MONTH
    assert close_flag(_deal(date(2026, 11, 23)), TODAY) is CloseFlag.THIS_MONTH
    assert close_flag(_deal(date(2026, 12, 1)), TODAY) is None
    assert close_flag(_deal(date(2026, 1, 1), "closed_won"), TODAY) is None


def test_stale_after_n_days_without_touch() -> None:
    deal = _deal(date(2027, 1, 1))
    assert is_stale(deal, NOW - timedelta(days=30), NOW, 30)
    assert not is_stale(deal, NOW - timedelta(days=29), NOW, 30)
    assert not is_stale(_deal(date(2027, 1, 1), "closed_lost"), NOW - timedelta(days=99), NOW, 30)
