"""The Forecast page: a rep's submission, the manager's rollup, adjustment, trend, exports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from forecast_scenario import NOW, Q4, QUOTAS, reps_sell_and_submit
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sync_fixtures import Device
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import ForecastSubmission
from sfa_desktop.core.forecast_wire import CategoryAmounts, ForecastNode, ForecastReport
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.forecast_client import ForecastRemote
from sfa_desktop.ui.common.format import use_readable_locale
from sfa_desktop.ui.forecast.forecast_page import ForecastPage
from sfa_desktop.ui.forecast.forecast_tree import ForecastTreeModel
from sfa_desktop.ui.main_window import MainWindow
from sync_server.services import admin
from sync_server.services.forecast_history import take_snapshots


def test_rep_sees_their_forecast_and_submits(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path, qtmodeltester: object
) -> None:
    window.resize(1280, 800)
    window.go("Forecast")
    page = window.forecast
    qtbot.waitUntil(lambda: page.own.forecast is not None)
    settle(qtbot, ctx)
    view = page.own
    assert page.tabs.isHidden()  # a rep has no team tab
    assert view.categories.rowCount() == 5
    assert view.forecast is not None
    assert str(view.forecast.period) == page.period_box.currentText()
    assert "Q" in page.period_box.currentText()  # the current quarter by default
    assert view.commit.value() == view.forecast.totals.commit_forecast / 100
    assert view.expected.text().startswith("Expected")
    for model in (view.categories, view.deals):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    screenshot(qtbot, ctx, window, tmp_path / "forecast-rep.png")

    before = {s.id for s in ctx.store.records(ForecastSubmission)}
    view.commit.setValue(5000)
    view.best_case.setValue(4000)
    view.submit()
    settle(qtbot, ctx)
    assert view.errors[""].isVisibleTo(view)
    assert "best case cannot be below commit" in view.errors[""].text().lower()
    screenshot(qtbot, ctx, window, tmp_path / "forecast-rep-invalid.png")
    view.best_case.setValue(7000)
    view.comment.setPlainText("Two renewals carry the quarter")
    with qtbot.waitSignal(view.submitted):
        view.submit()
    settle(qtbot, ctx)
    # The new one by id: the demo stamps its calls up to 06:00 UTC of its day, which is
    # later than a test run before 06:00.
    (latest,) = [s for s in ctx.store.records(ForecastSubmission) if s.id not in before]
    assert (latest.commit, latest.best_case) == (500_000, 700_000)
    assert latest.comment == "Two renewals carry the quarter"
    assert "waiting to sync" in view.last.text()
    assert not view.errors[""].isVisibleTo(view)

    page.kind.setCurrentIndex(page.kind.findData("month"))
    qtbot.waitUntil(lambda: view.forecast is not None and view.forecast.period.kind == "month")


@pytest.fixture
def manager(server: TestClient, device: Device) -> SyncAccount:
    """Mia's device after Rob and Ria sold, submitted and synced, with three weekly snapshots."""
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        for username, amount in QUOTAS.items():
            admin.set_quota(session, username, str(Q4), amount, "EUR", datetime.now(UTC))
        for day in (19, 26):
            take_snapshots(session, datetime(2026, 10, day, 6, tzinfo=UTC))
    reps_sell_and_submit(device("rob"), device("ria"))
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        take_snapshots(session, datetime(2026, 11, 2, 6, tzinfo=UTC))
    mia = device("mia")
    mia.engine().run_once()
    return mia


@pytest.fixture
def manager_page(manager: SyncAccount, tmp_path: Path, qtbot: QtBot) -> Iterator[ForecastPage]:
    ctx = make_context(manager.store, tmp_path)
    page = ForecastPage(ctx)
    page.resize(1280 - 190, 800)
    page.set_remote(ForecastRemote(manager))
    page.select_period(str(Q4))
    page.show()
    with qtbot.waitSignal(page.team.loaded, timeout=10_000):
        page.activate()
    settle(qtbot, ctx)
    yield page
    settle(qtbot, ctx)
    page.close()
    ctx.tasks.shutdown()


def _select(page: ForecastPage, name: str) -> None:
    model = page.team.model
    root = model.index(0, 0)
    for row in range(model.rowCount(root)):
        index = model.index(row, 0, root)
        if model.data(index) == name:
            page.team.tree.setCurrentIndex(index)
            return
    raise AssertionError(f"{name} is not in the tree")


def test_manager_rollup_drill_down_and_adjustment(
    manager_page: ForecastPage, qtbot: QtBot, tmp_path: Path, qtmodeltester: object
) -> None:
    page, team = manager_page, manager_page.team
    ctx = team._ctx
    assert not page.tabs.isHidden()
    model = team.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 1
    assert model.rowCount(model.index(0, 0)) == 2  # Ria and Rob under Mia
    assert model.data(model.index(0, 2)) == "€18,000"  # team commit: the deals' own sum
    # Mia's own quota (the team's number) beside the reps' quotas rolled up, never added:
    assert model.data(model.index(0, 9)) == "€30,000"  # set for Mia (not 30,000 + 30,000)
    assert model.data(model.index(0, 10)) == "13.3%"  # 4,000 closed / 30,000
    assert model.data(model.index(0, 11)) == "€30,000"  # rolled up: 20,000 Rob + 10,000 Ria
    assert model.data(model.index(1, 11, model.index(0, 0))) == ""  # a rep has no roll-up
    assert team.status.text().startswith("Live")
    assert team.chart.points == 3
    with qtbot.waitSignal(team.deals_loaded, timeout=10_000):
        _select(page, "Rob")
    settle(qtbot, ctx)
    # Rob's 4 deals closing in the quarter, his subtotal and the total
    assert team.deals.model.rowCount() == 6
    qtmodeltester.check(team.deals.model)  # type: ignore[attr-defined]
    screenshot(qtbot, ctx, page, tmp_path / "forecast-manager.png")

    team.tabs.setCurrentIndex(1)
    panel = team.adjust
    assert panel.button.isEnabled()
    panel.amount.setValue(9000)
    panel.request()
    assert panel.error.text() == "An adjustment needs a comment."
    panel.comment.setText("Big deal slips to January")
    with qtbot.waitSignal(team.loaded, timeout=10_000):
        panel.button.click()
    settle(qtbot, ctx)
    rob = team.selected_node()
    assert rob is not None
    assert rob.name == "Rob"
    assert rob.adjusted.commit == 900_000
    assert panel.audit.rowCount() == 1
    assert panel.audit.data(panel.audit.index(0, 6)) == "Big deal slips to January"
    assert panel.audit.data(panel.audit.index(0, 1)) == "Mia"
    qtmodeltester.check(panel.audit)  # type: ignore[attr-defined]
    # adjusted: 4,000 closed + 9,000 + 8,000; + 5,000 best case (the deals' sum stays 18,000)
    assert model.data(model.index(0, 8)) == "✎ €21,000 / €26,000 (Mia)"
    assert model.data(model.index(0, 2)) == "€18,000"
    screenshot(qtbot, ctx, page, tmp_path / "forecast-manager-adjust.png")
    team.tabs.setCurrentIndex(4)
    screenshot(qtbot, ctx, page, tmp_path / "forecast-manager-trend.png")

    rows = list(csv.reader(team.export("csv", tmp_path / "f.csv")[0].open(encoding="utf-8")))
    assert [row[0] for row in rows] == ["Name", "Mia", "Ria", "Rob"]
    assert rows[3][4] == "9000.0"  # Rob's adjusted commit
    from openpyxl import load_workbook

    sheet = load_workbook(team.export("xlsx", tmp_path / "f.xlsx")[0]).active
    assert sheet is not None
    assert sheet.cell(2, 5).value == 17_000
    assert team.export("pdf", tmp_path / "f.pdf")[0].read_bytes().startswith(b"%PDF")

    page.set_remote(ForecastRemote(SyncAccount(ctx.store, Credentials(persistent=False))))
    qtbot.waitUntil(lambda: team.status.text().startswith("Offline — figures from"))
    settle(qtbot, ctx)
    team.tabs.setCurrentIndex(0)
    assert model.data(model.index(0, 8)) == "✎ €21,000 / €26,000 (Mia)"  # last fetched
    screenshot(qtbot, ctx, page, tmp_path / "forecast-manager-offline.png")
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.own.forecast is not None)
    assert page.own.forecast is not None
    assert page.own.forecast.user.name == "Mia"
    screenshot(qtbot, ctx, page, tmp_path / "forecast-manager-own.png")


def _node(name: str, **fields: Any) -> ForecastNode:
    amounts = CategoryAmounts(closed=fields.pop("closed", 0))
    return ForecastNode(
        user_id=name.lower(),
        name=name,
        role=fields.pop("role", "rep"),
        manager_id=None,
        own=amounts,
        totals=amounts,
        adjusted=amounts,
        **fields,
    )


def test_tree_says_where_quotas_come_from(qtmodeltester: object) -> None:
    """A manager without a quota (attainment of the rolled-up quota), a rep whose quarter
    is added up from months with December missing."""
    rob = _node(
        "Rob",
        closed=300_000,
        quota=700_000,  # October 300,000 + November 400,000, December none
        quota_source="from months",
        quota_missing=["2026-12"],
        attainment=0.428571,  # 300,000 / 700,000
    )
    mia = _node(
        "Mia",
        role="manager",
        closed=300_000,
        quota=0,
        quota_source="none",
        rolled_up_quota=700_000,
        attainment_basis="rolled up",
        attainment=0.428571,  # 300,000 / 700,000
        reports=[rob],
    )
    use_readable_locale()  # as the app does at start-up
    model = ForecastTreeModel()
    model.set_report(ForecastReport(period="2026-Q4", currency="EUR", generated_at=NOW, root=mia))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    top, first = model.index(0, 0), model.index(0, 0, model.index(0, 0))
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in (9, 11, 10)]
    assert headers == ["Quota", "Rolled-up quota", "Attainment"]
    assert [model.data(top.siblingAtColumn(c)) for c in (9, 11, 10)] == [
        "—",
        "€7,000",
        "42.9% of rolled-up",
    ]
    assert [model.data(first.siblingAtColumn(c)) for c in (9, 11, 10)] == [
        "€7,000 (from months; none set for 2026-12)",
        "",
        "42.9%",
    ]
