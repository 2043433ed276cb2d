"""History-based projection against hand-computed win rates, stage times and expected values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sfa_desktop.core.entities import Opportunity, StageChange
from sfa_desktop.core.enums import Stage
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.projection import (
    days_to_close,
    history_for,
    on_time,
    outcome_range,
    project,
    stage_history,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 1, tzinfo=UTC)  # 31 days left in 2026-Q1
Q1 = Period.parse("2026-Q1")


def deal(
    key: str, owner: str, stage: str, amount: int, close: date, path: list[tuple[str, int]]
) -> tuple[Opportunity, list[StageChange]]:
    """An opportunity and its stage history: (stage, day after T0) pairs, oldest first."""
    opp = Opportunity.parse(
        {
            "id": key,
            "owner_id": owner,
            "account_id": "acc",
            "name": key,
            "stage": stage,
            "amount": amount,
            "close_date": close,
            "created_at": T0 + timedelta(days=path[0][1]),
        }
    )
    changes = [
        StageChange.parse(
            {"opportunity_id": key, "to_stage": to, "changed_at": T0 + timedelta(days=day)}
        )
        for to, day in path
    ]
    return opp, changes


OLD = date(2025, 12, 1)
FIXTURE = [
    # closed deals: the history
    deal("A", "rob", "closed_won", 1, OLD, [("prospecting", 0), ("qualification", 10),
                                            ("proposal", 30), ("closed_won", 40)]),
    deal("B", "rob", "closed_lost", 1, OLD, [("prospecting", 0), ("qualification", 20),
                                             ("closed_lost", 25)]),
    deal("C", "ria", "closed_won", 12_000, date(2026, 2, 10),
         [("qualification", 0), ("proposal", 10), ("negotiation", 20), ("closed_won", 26)]),
    deal("D", "ria", "closed_lost", 1, OLD, [("proposal", 0), ("negotiation", 4),
                                             ("closed_lost", 14)]),
    # open deals
    deal("E1", "rob", "qualification", 10_000, date(2026, 3, 20), [("qualification", 55)]),
    deal("E2", "ria", "proposal", 30_000, date(2026, 3, 31), [("proposal", 0)]),
    deal("E3", "ria", "prospecting", 5_000, date(2026, 3, 15), [("prospecting", 59)]),
    deal("E4", "rob", "negotiation", 8_000, date(2026, 4, 10), [("negotiation", 50)]),
]  # fmt: skip
OPPS = [opp for opp, _ in FIXTURE]
CHANGES = [change for _, changes in FIXTURE for change in changes]


def test_team_win_rates_and_median_stage_times() -> None:
    history = stage_history(OPPS, CHANGES)
    assert history.closed_deals == 4
    expected = {  # stage: (reached, won, median days)
        Stage.PROSPECTING: (2, 1, 15.0),  # A 10 d, B 20 d
        Stage.QUALIFICATION: (3, 2, 10.0),  # A 20, B 5, C 10
        Stage.PROPOSAL: (3, 2, 10.0),  # A 10, C 10, D 4
        Stage.NEGOTIATION: (2, 1, 8.0),  # C 6, D 10
    }
    for stage, (reached, won, median) in expected.items():
        stats = history.stats(stage)
        assert (stats.reached, stats.won, stats.median_days) == (reached, won, median)
    assert history.stats(Stage.QUALIFICATION).win_rate == pytest.approx(2 / 3)
    assert Stage.NEEDS_ANALYSIS not in history.stages
    assert history.stats(Stage.NEEDS_ANALYSIS).win_rate == 0.4  # the stage default


def test_rep_history_with_team_fallback() -> None:
    own = history_for("rob", OPPS, CHANGES, min_closed=2)
    assert own.source == "rep"
    assert own.closed_deals == 2
    assert own.stats(Stage.QUALIFICATION).win_rate == 0.5  # A won, B lost
    assert own.stats(Stage.QUALIFICATION).median_days == 12.5  # 20 and 5 days
    assert own.stats(Stage.PROPOSAL).win_rate == 1.0
    fallback = history_for("rob", OPPS, CHANGES, min_closed=3)
    assert fallback.source == "team"
    assert fallback.closed_deals == 4


def test_days_to_close_and_chance_to_close_in_time() -> None:
    team = stage_history(OPPS, CHANGES)
    # 4 days into qualification: 6 left + needs analysis (none) + proposal 10 + negotiation 8
    assert days_to_close(Stage.QUALIFICATION, 4, team) == 24
    assert days_to_close(Stage.PROPOSAL, 59, team) == 8  # overdue in proposal: negotiation only
    assert days_to_close(Stage.PROSPECTING, 0, team) == 43
    assert on_time(24, 31) == 1.0
    assert on_time(43, 31) == pytest.approx(31 / 43)
    assert on_time(5, 0) == 0.0


def test_projection_of_the_team_pipeline() -> None:
    team = stage_history(OPPS, CHANGES)
    result = project(Q1, OPPS, CHANGES, team, NOW)
    assert result.closed == 12_000  # C was won in February
    by_id = {d.opportunity.id: d for d in result.deals}
    assert set(by_id) == {"E1", "E2", "E3"}  # E4 closes next quarter
    assert by_id["E1"].expected == pytest.approx(10_000 * 2 / 3)
    assert by_id["E2"].expected == pytest.approx(30_000 * 2 / 3)
    assert by_id["E3"].probability == pytest.approx(0.5 * 31 / 43)
    open_value = 10_000 * 2 / 3 + 30_000 * 2 / 3 + 5_000 * 0.5 * 31 / 43
    assert result.expected_open == round(open_value)  # 28,469
    assert result.expected == 12_000 + 28_469
    assert 12_000 <= result.low <= result.expected <= result.high <= 12_000 + 45_000
    assert result.low - 12_000 in {0, 5_000, 10_000, 15_000, 30_000, 35_000, 40_000, 45_000}
    again = project(Q1, OPPS, CHANGES, team, NOW)
    assert (again.low, again.high) == (result.low, result.high)  # seeded


def test_outcome_range_quantiles() -> None:
    assert outcome_range([]) == (0, 0)
    assert outcome_range([(100, 1.0), (50, 0.0)]) == (100, 100)
    # four equally likely totals 0, 100, 200, 300: the 10th and 90th percentiles are the ends
    assert outcome_range([(100, 0.5), (200, 0.5)]) == (0, 300)


def test_empty_history_falls_back_to_stage_defaults() -> None:
    nothing = stage_history([], [])
    opp, changes = FIXTURE[4]
    result = project(Q1, [opp], changes, nothing, NOW)
    assert result.deals[0].win_rate == 0.2  # qualification's default probability
    assert result.deals[0].on_time == 1.0
    assert result.expected == 2_000


def test_too_little_history_says_so_instead_of_faking_a_team() -> None:
    """A rep's device holding only the rep's 2 closed deals: no "team" to fall back on."""
    robs = [opp for opp in OPPS if opp.owner_id == "rob"]  # A won, B lost, E1, E4 open
    history = history_for("rob", robs, CHANGES, min_closed=3)
    assert (history.source, history.closed_deals) == ("defaults", 2)
    # Stage defaults, not 0 % / 100 % from two deals: qualification 20 %, negotiation 80 %.
    assert history.stats(Stage.QUALIFICATION).win_rate == 0.2
    assert history.stats(Stage.NEGOTIATION).win_rate == 0.8
    # Nor when everyone's deals together are still too few (4 < 5).
    assert history_for("rob", OPPS, CHANGES, min_closed=5).source == "defaults"
    result = project(Q1, robs, CHANGES, history, NOW)
    # E1 (qualification, closes 2026-03-20) is the one open Q1 deal: no stage times known,
    # so it is on time, at the stage default: 10,000 x 0.2 = 2,000.
    assert [d.opportunity.id for d in result.deals] == ["E1"]
    assert result.expected_open == 2_000


def test_deals_the_rep_left_out_are_not_projected() -> None:
    team = stage_history(OPPS, CHANGES)
    left_out = [
        opp.with_changes({"forecast_category": "omitted", "category_overridden": True})
        if opp.id == "E2"
        else opp
        for opp in OPPS
    ]
    result = project(Q1, left_out, CHANGES, team, NOW)
    assert {d.opportunity.id for d in result.deals} == {"E1", "E3"}
    # 28,469 (see above) less E2's 30,000 x 2/3 = 20,000: 8,469
    assert result.expected_open == round(10_000 * 2 / 3 + 5_000 * 0.5 * 31 / 43)
    assert result.expected_open == 8_469
