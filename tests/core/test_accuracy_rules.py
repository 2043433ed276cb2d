"""Accuracy rules (issue 20): errors, lean, which snapshot stands for a reading day, and
the trust ranking, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sfa_desktop.core.rules.accuracy import (
    Lean,
    bias,
    pick_snapshot,
    signed_error,
    trust_ranking,
)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 6, tzinfo=UTC)


def test_signed_error() -> None:
    assert signed_error(120, 100) == pytest.approx(0.2)
    assert signed_error(80, 100) == pytest.approx(-0.2)
    assert signed_error(None, 100) is None
    assert signed_error(50, 0) is None  # nothing closed: no percentage


def test_lean_and_consistency() -> None:
    under = bias([-0.1, -0.3, None])
    assert (under.periods, under.lean, under.consistent) == (2, Lean.UNDER, True)
    assert under.mean_error == pytest.approx(-0.2)
    mixed = bias([0.4, -0.1])
    assert (mixed.lean, mixed.consistent, mixed.mean_absolute_error) == (
        Lean.OVER,
        False,
        pytest.approx(0.25),
    )
    one = bias([0.5])
    assert (one.lean, one.thin) == (Lean.UNKNOWN, True)
    assert bias([None, None]).periods == 0


def test_pick_snapshot() -> None:
    end = date(2026, 10, 1)  # Q3: 30 days before is 1 Sep
    taken = [_at(8, 25), _at(9, 3), _at(8, 1)]
    assert pick_snapshot(taken, end, 30) == 0  # 25 Aug: the latest on or before 1 Sep
    assert pick_snapshot([_at(9, 3), _at(9, 10)], end, 30) == 0  # within a week after
    assert pick_snapshot([_at(9, 8)], end, 30) is None  # a week late: does not stand
    assert pick_snapshot([_at(9, 29)], end, 7) == 0  # 24 Sep + 5 days, before the end
    assert pick_snapshot([], end, 7) is None


def test_trust_ranking() -> None:
    ranked = trust_ranking({"a": bias([0.3, -0.1]), "b": bias([0.05, 0.05]), "c": bias([0.9])})
    assert [(r.user_id, r.rank) for r in ranked] == [("b", 1), ("a", 2), ("c", None)]
