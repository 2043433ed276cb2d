"""The coverage optimiser: capacity, proportionality, minimums, channels and explanations."""

from __future__ import annotations

from sfa_desktop.core.enums import DEFAULT_CHANNEL_COST, Channel, Orientation
from sfa_desktop.core.rules.optimiser import (
    AccountInput,
    Capacity,
    apportion,
    grade_weight,
    optimise,
)


def _account(key: str, grade: str, potential: int, **extra: object) -> AccountInput:
    return AccountInput(key, key.title(), grade, potential * 100, 0, **extra)  # type: ignore[arg-type]


PORTFOLIO = [
    _account("alpha", "A", 800_000),
    _account("beta", "A", 400_000),
    _account("gamma", "B", 300_000),
    _account("delta", "C", 100_000, orientation=Orientation.TRANSACTIONAL),
    _account("eps", "E", 10_000),
]


def test_apportion_is_proportional_and_capped() -> None:
    assert apportion(9, {"a": 2, "b": 1}, {"a": 99, "b": 99}) == {"a": 6, "b": 3}
    assert apportion(10, {"a": 2, "b": 1}, {"a": 4, "b": 99}) == {"a": 4, "b": 6}
    assert apportion(5, {"a": 1, "b": 0}, {"a": 3, "b": 9}) == {"a": 3, "b": 0}
    assert sum(apportion(7, {"a": 1, "b": 1, "c": 1}, dict.fromkeys("abc", 9)).values()) == 7


def test_capacity_is_respected() -> None:
    for capacity in (Capacity(3, 5, 4), Capacity(20, 60, 40), Capacity(0, 0)):
        result = optimise(PORTFOLIO, capacity)
        for channel in (Channel.VISIT, Channel.CALL, Channel.EMAIL):
            planned = sum(p.planned(channel) for p in result.proposals)
            assert planned <= capacity.of(channel)
            assert planned == result.used[channel]


def test_minimums_first_then_proportional() -> None:
    result = optimise(PORTFOLIO, Capacity(visits=12, calls=20, emails=0))
    by = {p.account.account_id: p for p in result.proposals}
    assert by["alpha"].planned(Channel.VISIT) >= 1
    assert by["beta"].planned(Channel.VISIT) >= 1
    assert by["gamma"].planned(Channel.CALL) >= 1
    # Alpha is worth twice Beta at the same grade: about twice the calls and visits.
    assert by["alpha"].planned(Channel.CALL) > by["beta"].planned(Channel.CALL)
    assert 1.5 <= by["alpha"].planned(Channel.CALL) / by["beta"].planned(Channel.CALL) <= 2.5
    assert by["alpha"].planned(Channel.VISIT) > by["gamma"].planned(Channel.VISIT)
    # Transactional and low-grade accounts get no visits.
    assert by["delta"].planned(Channel.VISIT) == 0
    assert by["eps"].planned(Channel.VISIT) == 0
    assert by["delta"].planned(Channel.CALL) >= by["eps"].planned(Channel.CALL)
    assert [p.account.account_id for p in result.proposals] == [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "eps",
    ]


def test_scarce_capacity_goes_to_the_best_minimums() -> None:
    result = optimise(PORTFOLIO, Capacity(visits=1, calls=1))
    by = {p.account.account_id: p for p in result.proposals}
    assert by["alpha"].per_quarter == {Channel.VISIT: 1, Channel.CALL: 1}
    assert by["beta"].per_quarter == {}
    assert "minimum visit not met" in by["beta"].explanation


def test_costs_and_explanations() -> None:
    result = optimise(PORTFOLIO, Capacity(visits=10, calls=30, emails=20))
    alpha = result.proposals[0]
    expected = sum(n * DEFAULT_CHANNEL_COST[c] for c, n in alpha.per_quarter.items())
    assert alpha.cost_per_quarter == expected
    assert result.cost_per_quarter == sum(p.cost_per_quarter for p in result.proposals)
    assert alpha.explanation.startswith(f"{alpha.planned(Channel.VISIT)} visits")
    assert "grade A (weight 16)" in alpha.explanation
    assert "at least 1 visit and 1 call" in alpha.explanation
    delta = next(p for p in result.proposals if p.account.account_id == "delta")
    assert "transactional" in delta.explanation
    eps = result.proposals[-1]
    assert "low grade" in eps.explanation
    assert grade_weight("A") == 16
    assert grade_weight("E") == 1
    assert grade_weight("Z") == 1
