"""The manager's desktop view model (issue 22) against the real server on SQLite and
PostgreSQL: the tree's deals' sum, call and adjusted forecast side by side, each manager's
adjustment layer as a first-line manager and a VP read it, the deals behind a cell across
the subtree, moves, the team call, currency notes, exports. The scenario and its deals are
in tests/forecast_team_scenario.py; every expected figure is written out here (cents).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from forecast_scenario import devices
from forecast_team_scenario import Q4, TODAY, Team, build_team
from server_kit import Org

from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import ForecastNode
from sfa_desktop.operations.forecast import submit_forecast
from sfa_desktop.operations.forecast_drill import deal_rows, local_deal_list, move_rows
from sfa_desktop.operations.forecast_export import (
    DEAL_HEADERS,
    HEADERS,
    deal_table,
    deals_csv_path,
    table_rows,
    write_csv,
)
from sfa_desktop.operations.forecast_team import (
    Call,
    adjusted_by,
    adjusted_forecast,
    call_reminder,
    converted_note,
    deals_forecast,
    layers,
    left_out_notes,
    reports_call,
    submitted_call,
    team_call_prefill,
)
from sfa_desktop.sync.forecast_client import ForecastRemote, TeamSnapshot, cached_snapshot


@pytest.fixture
def team(on_written_day: None, org: Org, tmp_path: Path) -> Iterator[Team]:
    with devices(org.client._transport, tmp_path) as sign_in:
        yield build_team(org.session, sign_in)


def _people(snapshot: TeamSnapshot) -> dict[str, ForecastNode]:
    found, stack = {}, [snapshot.report.root]
    while stack:
        node = stack.pop()
        found[node.name] = node
        stack.extend(node.reports)
    return found


def _layers(node: ForecastNode, root: ForecastNode) -> dict[str, list[tuple[Any, ...]]]:
    found = layers(node, root)
    return {
        part: [
            (
                layer.adjustment.manager_name,
                layer.adjustment.category.value,
                layer.adjustment.amount,
                layer.note,
            )
            for layer in getattr(found, part)
        ]
        for part in ("yours", "below", "above")
    }


def test_a_first_line_manager_and_a_vp_read_the_tree(team: Team) -> None:
    mine = ForecastRemote(team.mia).fetch(str(Q4))
    people = _people(mine)
    rob, ria, mia = people["Rob"], people["Ria"], people["Mia"]
    # Rob: deals 300,000 closed + 1,000,000 commit, + 500,000 best case; his call; Mia's
    # 900,000 commit counted in her view (Boss's 700,000 is not).
    assert deals_forecast(rob) == Call(1_300_000, 1_800_000)
    assert submitted_call(rob) == Call(1_300_000, 1_800_000)
    assert adjusted_forecast(rob) == Call(1_200_000, 1_700_000)  # 300,000 + 900,000; + 500,000
    assert adjusted_by(rob) == ["Mia"]
    assert (rob.call_due, ria.call_due, mia.call_due) == (False, True, True)
    # Ria: 100,000 + 800,000; + 920,000 (USD 10,000 at 0.92). No call.
    assert deals_forecast(ria) == Call(900_000, 1_820_000)
    assert submitted_call(ria) is None
    assert adjusted_forecast(ria) == Call(900_000, 1_820_000)
    # Mia's team: closed 400,000, commit 1,800,000, best case 500,000 + 920,000 + 50,000.
    assert deals_forecast(mia) == Call(2_200_000, 3_670_000)
    # commit 900,000 + 800,000; best case 1,470,000 (Boss's 600,000 is not counted here)
    assert adjusted_forecast(mia) == Call(2_100_000, 3_570_000)
    assert reports_call(mia) == Call(1_300_000, 1_800_000)  # Rob's; Ria has none
    assert mia.reports_without_call == 1
    assert reports_call(rob) is None
    # The layers as Mia reads them: hers counted, her manager's shown, not counted.
    assert _layers(rob, mine.report.root) == {
        "yours": [("Mia", "commit", 900_000, "counted")],
        "below": [],
        "above": [("Boss", "commit", 700_000, "not counted in your figures")],
    }
    assert _layers(mia, mine.report.root) == {
        "yours": [],
        "below": [],
        "above": [("Boss", "best_case", 600_000, "not counted in your figures")],
    }
    # Currencies: the USD deal converted, the GBP deal left out and said so.
    assert converted_note(mine.report.root, "EUR") == (
        "Includes deals converted from USD into EUR at the rate of their close date."
    )
    assert left_out_notes(mine.report.root) == [
        "1 deal in GBP (GBP 5,000.00) left out: no GBP rate on or before 2026-12-22"
    ]
    # The audit names who adjusted whom and why, Mia's own number included.
    assert [
        (e.manager_name, e.subject_name, e.new_amount, e.comment) for e in mine.audits[rob.user_id]
    ] == [
        ("Mia", "Rob", 900_000, "Big deal slips to January"),
        ("Boss", "Rob", 700_000, "Half of it lands this year"),
    ]
    assert [(e.manager_name, e.subject_name, e.new_amount) for e in mine.audits[mia.user_id]] == [
        ("Boss", "Mia", 600_000)
    ]

    top = _people(ForecastRemote(team.boss).fetch(str(Q4)))
    boss = top["Boss"]
    assert adjusted_forecast(top["Rob"]) == Call(1_000_000, 1_500_000)  # 300,000 + 700,000
    assert _layers(top["Rob"], boss) == {
        "yours": [("Boss", "commit", 700_000, "counted")],
        "below": [("Mia", "commit", 900_000, "overridden by yours")],
        "above": [],
    }
    # Mia's team as Boss sees it: commit 700,000 + 800,000; best case his 600,000.
    assert adjusted_forecast(top["Mia"]) == Call(1_900_000, 2_500_000)
    assert adjusted_by(top["Mia"]) == ["Boss"]
    assert adjusted_forecast(boss) == Call(1_900_000, 2_500_000)
    assert deals_forecast(boss) == Call(2_200_000, 3_670_000)


def test_the_deals_behind_a_cell_across_the_subtree(team: Team) -> None:
    mia_id, rob_id = team.mia.store.current_user_id(), team.rob.store.current_user_id()
    assert mia_id is not None
    assert rob_id is not None
    commit = ForecastRemote(team.mia).deals(str(Q4), mia_id, ForecastCategory.COMMIT)
    assert [
        (r.kind, r.owner, r.deal.name if r.deal else "", r.count, r.amount)
        for r in deal_rows(commit)
    ] == [
        ("deal", "Ria", "Ria commit", 1, 800_000),
        ("subtotal", "Ria", "", 1, 800_000),
        ("deal", "Rob", "Rob commit", 1, 1_000_000),
        ("subtotal", "Rob", "", 1, 1_000_000),
        ("total", "", "", 2, 1_800_000),
    ]
    # Boss drills into Mia's best case: her own deal, Ria's converted from USD, Rob's.
    best = ForecastRemote(team.boss).deals(str(Q4), mia_id, ForecastCategory.BEST_CASE)
    rows = deal_rows(best)
    assert [(r.kind, r.owner, r.count, r.amount) for r in rows if r.kind != "deal"] == [
        ("subtotal", "Mia", 1, 50_000),
        ("subtotal", "Ria", 1, 920_000),  # USD 1,000,000 x 0.92
        ("subtotal", "Rob", 1, 500_000),
        ("total", "", 3, 1_470_000),
    ]
    usd = next(r for r in rows if r.deal and r.deal.name == "Ria USD")
    assert usd.converted
    assert (usd.deal.original_amount, usd.deal.original_currency) == (1_000_000, "USD")  # type: ignore[union-attr]
    assert usd.deal.account_name == "Ria's customer"  # type: ignore[union-attr]
    # Rob's pipeline: the overdue deal, and the GBP one listed without an amount.
    pipeline = ForecastRemote(team.boss).deals(str(Q4), rob_id, ForecastCategory.PIPELINE)
    lines = {line.name: line for line in pipeline.deals}
    assert (lines["Rob late"].amount, lines["Rob late"].overdue) == (200_000, True)
    assert lines["Rob GBP"].amount is None
    assert pipeline.total == 200_000
    assert [(s.owner_name, s.count, s.amount) for s in pipeline.subtotals] == [("Rob", 2, 200_000)]

    # Offline: the same cell from Mia's device, from the deals sync brought down.
    team.mia.engine().run_once()
    mine = ForecastRemote(team.mia).fetch(str(Q4)).report.root
    local = local_deal_list(team.mia.store, mine, Q4, ForecastCategory.PIPELINE, "EUR", TODAY)
    assert [(line.name, line.owner_name, line.amount, line.overdue) for line in local.deals] == [
        ("Rob late", "Rob", 200_000, True),
        ("Rob GBP", "Rob", None, False),  # no GBP rate on the device either
    ]
    assert local.total == 200_000
    assert [(s.owner_name, s.count, s.amount) for s in local.subtotals] == [("Rob", 2, 200_000)]
    assert [(i.currency, i.count, i.amount) for i in local.left_out] == [("GBP", 1, 500_000)]
    everything = local_deal_list(team.mia.store, mine, Q4, None, "EUR", TODAY)
    # 300,000 + 1,000,000 + 500,000 + 200,000 (Rob) + 100,000 + 800,000 + 920,000 (Ria,
    # USD 1,000,000 at the 0.92 the device fetched with its sync) + 50,000 (Mia)
    assert everything.total == 3_870_000
    assert len(everything.deals) == 9


def test_moves_histories_and_the_snapshot_cache(team: Team) -> None:
    snapshot = ForecastRemote(team.mia).fetch(str(Q4))
    assert snapshot.moves is not None
    assert [
        (r.kind, r.owner, r.count, r.amount_change, r.move.name if r.move else "")
        for r in move_rows(snapshot.moves)
    ] == [
        ("owner", "Ria", 1, 920_000, ""),
        ("move", "Ria", 0, 920_000, "Ria USD"),
        ("owner", "Rob", 1, 50_000, ""),
        ("move", "Rob", 0, 50_000, "Rob late"),
    ]
    rob_move = snapshot.moves.moves[-1]
    assert (rob_move.kind, rob_move.before, rob_move.after) == (
        "amount",
        "EUR 1,500.00",
        "EUR 2,000.00",
    )
    rob_id = team.rob.store.current_user_id()
    assert rob_id is not None
    rob_history = snapshot.history_of(rob_id)
    assert rob_history is not None
    (point,) = rob_history.points  # Rob's own, as of last week: 150,000 pipeline then
    assert point.totals is not None
    assert (point.totals.commit, point.totals.pipeline) == (1_000_000, 150_000)
    assert snapshot.deals is not None
    assert len(snapshot.deals.deals) == 9  # every deal of Mia's team, all categories

    # An older version's cache that this one cannot read is dropped, not an error.
    team.mia.store.set_state(**{"forecast:2026-Q4": '{"report": {"period": "2026-Q4"}}'})
    assert cached_snapshot(team.mia.store, "2026-Q4") is None


def test_the_team_call_is_prefilled_and_reaches_the_vp(team: Team) -> None:
    root = ForecastRemote(team.mia).fetch(str(Q4)).report.root
    prefill = team_call_prefill(root)
    assert prefill == Call(2_100_000, 3_570_000)  # Mia's adjusted team forecast
    submit_forecast(
        team.mia.store,
        Q4,
        {"commit": prefill.commit, "best_case": prefill.best_case, "comment": "team call"},
        datetime.now(UTC),
    )
    team.mia.engine().run_once()
    top = _people(ForecastRemote(team.boss).fetch(str(Q4)))
    assert submitted_call(top["Mia"]) == Call(2_100_000, 3_570_000)
    assert top["Mia"].submission is not None
    assert top["Mia"].submission.comment == "team call"
    assert top["Mia"].call_due is False
    assert reports_call(top["Boss"]) == Call(2_100_000, 3_570_000)  # Mia's call rolled up
    assert top["Boss"].reports_without_call == 0


def test_the_reminder_on_today(team: Team) -> None:
    now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    reminder = call_reminder(team.ria.store, now)
    assert reminder is not None
    assert (str(reminder.period), reminder.last_call) == ("2026-Q4", None)
    eight_days_ago = now - timedelta(days=8)
    submit_forecast(team.ria.store, Q4, {"commit": 900_000, "best_case": 900_000}, eight_days_ago)
    reminder = call_reminder(team.ria.store, now)
    assert reminder is not None
    assert reminder.last_call == eight_days_ago
    submit_forecast(team.ria.store, Q4, {"commit": 900_000, "best_case": 1_000_000}, now)
    assert call_reminder(team.ria.store, now) is None
    assert call_reminder(team.ria.store, now + timedelta(days=7)) is not None  # a week on


def test_exports_mark_team_rows_adjusted_figures_and_list_the_deals(
    team: Team, tmp_path: Path
) -> None:
    snapshot = ForecastRemote(team.mia).fetch(str(Q4))
    rows = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in table_rows(snapshot.report)}
    assert rows["Mia"]["Row"] == "team subtotal"
    assert rows["Rob"]["Row"] == "person"
    assert (rows["Rob"]["Adjusted"], rows["Rob"]["Adjusted by"]) == ("yes", "Mia")
    assert (rows["Ria"]["Adjusted"], rows["Ria"]["Adjusted by"]) == ("", "")
    assert rows["Rob"]["Commit"] == 9_000.0  # adjusted, euros
    assert rows["Rob"]["Deals' commit"] == 10_000.0  # the deals' own
    assert rows["Mia"]["Reports' calls commit"] == 13_000.0
    assert rows["Mia"]["Converted from"] == "USD"
    assert rows["Ria"]["Call due"] == "yes"
    assert snapshot.deals is not None
    deals = [dict(zip(DEAL_HEADERS, row, strict=True)) for row in deal_table(snapshot.deals)]
    assert [(d["Row"], d["Owner"], d["Amount"]) for d in deals if d["Row"] != "deal"] == [
        ("subtotal", "Mia", 500.0),
        ("subtotal", "Ria", 18_200.0),  # 1,000 + 8,000 + 9,200 (USD 10,000 at 0.92)
        ("subtotal", "Rob", 20_000.0),  # 3,000 + 10,000 + 5,000 + 2,000; GBP not counted
        ("total", "Total", 38_700.0),
    ]
    written = write_csv(snapshot.report, tmp_path / "team.csv", snapshot.deals)
    assert written == [tmp_path / "team.csv", deals_csv_path(tmp_path / "team.csv")]
    assert written[1].name == "team-deals.csv"
    with written[1].open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert lines[-1]["Row"] == "total"
    assert lines[-1]["Amount"] == "38700.0"
