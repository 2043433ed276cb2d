"""The manager's forecast page on screen (issue 22): the tree side by side, the deals behind a
clicked cell, the adjustment layers and audit, the team call, moves, each person's trend,
exports, the warning about amounts without a rate, and the call reminder on Today. The
scenario is tests/forecast_team_scenario.py through the in-process server (SQLite); the
figures are written out (the view model's own test runs it on PostgreSQL too)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from forecast_team_scenario import Q4, Team, build_team
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sync_fixtures import PASSWORD, Device
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.core.entities import ForecastSubmission
from sfa_desktop.core.enums import Role
from sfa_desktop.operations.forecast import submit_forecast
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.forecast_client import ForecastRemote
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.forecast.forecast_page import ForecastPage
from sfa_desktop.ui.forecast.forecast_tree import ForecastTreeModel
from sfa_desktop.ui.main_window import MainWindow
from sync_server.services import admin


@pytest.fixture
def team(on_written_day: None, server: TestClient, device: Device) -> Team:
    """Boss above Mia (the in-process server seeds Mia > Rob, Ria), then the scenario."""
    now = datetime.now(UTC)
    sessions = server.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        admin.create_user(
            session,
            "acme",
            "boss",
            name="Boss",
            email="boss@example.com",
            password=PASSWORD,
            role=Role.MANAGER,
            now=now,
        )
        admin.set_manager(session, "mia", "boss", now)
    return build_team(sessions, device)


@pytest.fixture
def mia_window(team: Team, tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    """Mia's app at 1280×800 on the Forecast page, the team tree loaded."""
    ctx = make_context(team.mia.store, tmp_path)
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.set_forecast_remote(ForecastRemote(team.mia))
    window.show()
    window.start()
    page = window.forecast
    page.select_period(str(Q4))
    with qtbot.waitSignal(page.team.loaded, timeout=15_000):
        window.go("Forecast")
    settle(qtbot, ctx)
    yield window
    settle(qtbot, ctx)
    window.close()
    window.deleteLater()
    settle(qtbot, ctx)
    ctx.tasks.shutdown()


def _find(model: ForecastTreeModel, name: str) -> QModelIndex:
    flags = Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly
    (index,) = model.match(model.index(0, 0), Qt.ItemDataRole.DisplayRole, name, 1, flags)
    return index


def _row(model: ForecastTreeModel, name: str) -> list[str]:
    index = _find(model, name)
    return [str(model.data(index.siblingAtColumn(c)) or "") for c in range(model.columnCount())]


def _click(page: ForecastPage, qtbot: QtBot, name: str, column: int) -> None:
    team = page.team
    index = _find(team.model, name).siblingAtColumn(column)
    with qtbot.waitSignal(team.deals_loaded, timeout=10_000):
        team.tree.setCurrentIndex(index)


def _open_form() -> RecordForm | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, RecordForm) and w.isVisible()),
        None,
    )


def _cells(model: object, column: int) -> list[str]:
    from PySide6.QtCore import QAbstractItemModel

    assert isinstance(model, QAbstractItemModel)
    return [str(model.data(model.index(r, column)) or "") for r in range(model.rowCount())]


def test_the_team_tree_side_by_side_and_the_deals_behind_a_cell(
    mia_window: MainWindow, qtbot: QtBot, tmp_path: Path, qtmodeltester: object
) -> None:
    window, page = mia_window, mia_window.forecast
    team, ctx = page.team, page.team._ctx
    model = team.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert page.own.call_section.isHidden()  # a manager calls for the team, not here
    assert not page.own.call_elsewhere.isHidden()
    horizontal = Qt.Orientation.Horizontal
    headers = [model.headerData(c, horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Name",
        "Closed",
        "Commit",
        "Best case",
        "Pipeline",
        "Deals' forecast",
        "Call",
        "Last call",
        "Adjusted",
        "Quota",
        "Attainment",
        "Rolled-up quota",
        "Reports' calls",
    ]
    # Mia's team: closed 3,000 + 1,000; commit 10,000 + 8,000; best case 5,000 + 9,200
    # (USD 10,000 at 0.92) + 500; pipeline 2,000 (the GBP deal has no rate).
    mia = _row(model, "Mia")
    assert mia[1:5] == ["€4,000", "€18,000", "€14,700", "€2,000"]
    assert mia[5] == "€22,000 / €36,700"  # 4,000 + 18,000; + 14,700
    assert mia[6:8] == ["—", "due (none)"]
    # her 9,000 for Rob's commit: 4,000 + 9,000 + 8,000; + 14,700
    assert mia[8] == "✎ €21,000 / €35,700 (Mia)"
    assert mia[9:12] == ["—", "—", "€0"]  # no quotas in this scenario
    assert mia[12] == "€13,000 / €18,000 (1 due)"  # Rob's call; Ria has none
    rob = _row(model, "Rob")
    assert rob[1:6] == ["€3,000", "€10,000", "€5,000", "€2,000", "€13,000 / €18,000"]
    assert rob[6] == "€13,000 / €18,000"
    assert not rob[7].startswith("due")  # called today
    assert rob[8] == "✎ €12,000 / €17,000 (Mia)"  # 3,000 + 9,000; + 5,000
    ria = _row(model, "Ria")
    assert ria[6:9] == ["—", "due (none)", "€9,000 / €18,200"]
    assert team.warning.isVisibleTo(page)
    assert team.warning.text() == (
        "⚠ 1 deal in GBP (GBP 5,000.00) left out: no GBP rate on or before 2026-12-22."
    )
    assert "converted from USD" in team.notes.text()
    assert "Call due from Mia, Ria." in team.notes.text()
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-1280.png")

    # Rob × Commit: his one commit deal, his subtotal, the total.
    _click(page, qtbot, "Rob", 2)
    deals = team.deals.model
    qtmodeltester.check(deals)  # type: ignore[attr-defined]
    assert team.deals.title.text() == "Commit deals of Rob, 2026-Q4"
    assert _cells(deals, 0) == ["Rob", "Rob — subtotal", "Total"]
    assert _cells(deals, 6) == ["€10,000", "€10,000", "€10,000"]
    # Mia × Best case: across her team, Ria's converted from USD.
    _click(page, qtbot, "Mia", 3)
    assert _cells(deals, 0) == [
        "Mia",
        "Mia — subtotal",
        "Ria",
        "Ria — subtotal",
        "Rob",
        "Rob — subtotal",
        "Total",
    ]
    assert _cells(deals, 1)[2] == "Ria USD"
    assert _cells(deals, 6) == [
        "€500",
        "€500",
        "€9,200 (from $10,000)",
        "€9,200",
        "€5,000",
        "€5,000",
        "€14,700",
    ]
    # Rob × Pipeline: overdue flagged, the GBP deal listed but not counted.
    _click(page, qtbot, "Rob", 4)
    assert _cells(deals, 5)[0].endswith("· overdue")
    assert _cells(deals, 6) == ["€2,000", "£5,000: no rate, not counted", "€2,000", "€2,000"]
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-deals-1280.png")
    # Double-click opens the deal's form.
    team.deals.view.doubleClicked.emit(deals.index(0, 1))
    qtbot.waitUntil(lambda: _open_form() is not None)
    form = _open_form()
    assert form is not None
    assert form.windowTitle() == "Edit opportunity"
    assert form.values()["name"] == "Rob late"
    form.reject()

    # Offline: the same cell from the deals on this device, with a note.
    page.set_remote(ForecastRemote(SyncAccount(ctx.store, Credentials(persistent=False))))
    qtbot.waitUntil(lambda: team.status.text().startswith("Offline"), timeout=10_000)
    settle(qtbot, ctx)
    _click(page, qtbot, "Rob", 2)
    assert team.deals.note.isVisibleTo(page)
    assert team.deals.note.text().startswith("Offline")
    assert _cells(deals, 6) == ["€10,000", "€10,000", "€10,000"]

    window.resize(1024, 768)
    _click(page, qtbot, "Mia", 3)
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-1024.png")


def test_layers_audit_team_call_moves_trend_and_exports(
    mia_window: MainWindow, team: Team, qtbot: QtBot, tmp_path: Path, qtmodeltester: object
) -> None:
    window, page = mia_window, mia_window.forecast
    view, ctx = page.team, page.team._ctx
    panel = view.adjust
    view.tabs.setCurrentWidget(panel)
    _click(page, qtbot, "Rob", 0)
    items = [panel.category.itemText(i) for i in range(panel.category.count())]
    assert items == ["Commit", "Best case", "Pipeline"]  # never closed or omitted
    assert panel.layers.text().splitlines() == [
        "Your adjustment: commit €9,000 (counted)",
        "Your manager (Boss) made it €7,000 (commit, not counted in your figures)",
    ]
    qtmodeltester.check(panel.audit)  # type: ignore[attr-defined]
    audit = panel.audit
    assert [_cells(audit, c)[-1] for c in range(1, 7)] == [
        "Mia",
        "Rob",
        "Commit",
        "—",
        "€9,000",
        "Big deal slips to January",
    ]
    assert _cells(audit, 1) == ["Boss", "Mia"]  # newest first
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-adjust-1280.png")
    _click(page, qtbot, "Mia", 0)  # her own number: only her manager's figure, and why
    assert panel.layers.text() == (
        "Your manager (Boss) made it €6,000 (best case, not counted in your figures)"
    )
    assert not panel.button.isEnabled()
    assert _cells(panel.audit, 6) == ["Best case too rosy"]

    # The team call, prefilled with the team's adjusted forecast (4,000 + 9,000 + 8,000;
    # + 5,000 + 9,200 + 500), the reports' calls beside it.
    call = view.call
    view.tabs.setCurrentWidget(call)
    assert (call.commit.value(), call.best_case.value()) == (21_000, 35_700)
    facts = [label.text() for label in call.facts.findChildren(QLabel)]
    assert facts[:4] == [
        "Reports' calls added up",
        "€13,000 commit · €18,000 best case",
        "Reports without a call",
        "1 of 2",
    ]
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-call-1280.png")
    call.comment.setText("Two renewals carry the quarter")
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        call.button.click()
    (saved,) = ctx.store.records(ForecastSubmission, {"owner_id": ctx.store.current_user_id()})
    assert (saved.commit, saved.best_case, saved.currency) == (2_100_000, 3_570_000, "EUR")
    team.mia.engine().run_once()  # it syncs; Boss reads it as Mia's team call
    boss_root = ForecastRemote(team.boss).fetch(str(Q4)).report.root
    (mia_node,) = boss_root.reports
    assert mia_node.submission is not None
    assert (mia_node.submission.commit, mia_node.submission.best_case) == (2_100_000, 3_570_000)
    assert mia_node.submission.comment == "Two renewals carry the quarter"

    # Moves since last week's snapshot, per rep.
    view.tabs.setCurrentWidget(view.moves)
    moves = view.moves.model
    qtmodeltester.check(moves)  # type: ignore[attr-defined]
    assert _cells(moves, 0) == ["Ria — 1 move", "New in the period", "Rob — 1 move", "Amount"]
    assert _cells(moves, 3)[3] == "EUR 2,000.00"
    assert _cells(moves, 4) == ["+€9,200", "+€9,200", "+€500", "+€500"]
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-moves-1280.png")
    # Each person's own trend.
    view.tabs.setCurrentWidget(view.chart)
    _click(page, qtbot, "Rob", 0)
    assert view.chart.chart().title() == "Rob: weekly snapshots (EUR)"
    assert view.chart.points == 1
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-trend-1280.png")
    window.resize(1024, 768)
    view.tabs.setCurrentWidget(call)
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-call-1024.png")
    view.tabs.setCurrentWidget(panel)
    screenshot(qtbot, ctx, window, tmp_path / "forecast-team-adjust-1024.png")

    # Exports: the tree with team rows and adjusted figures marked, and the deals.
    written = view.export("csv", tmp_path / "team.csv")
    assert [p.name for p in written] == ["team.csv", "team-deals.csv"]
    rows = list(csv.DictReader(written[0].open(encoding="utf-8")))
    assert [(r["Name"], r["Row"], r["Adjusted by"]) for r in rows] == [
        ("Mia", "team subtotal", "Mia"),
        ("Ria", "person", ""),
        ("Rob", "person", "Mia"),
    ]
    from openpyxl import load_workbook

    (book_path,) = view.export("xlsx", tmp_path / "team.xlsx")
    book = load_workbook(book_path)
    assert book.sheetnames == ["Forecast 2026-Q4", "Deals"]
    deals_sheet = book["Deals"]
    assert deals_sheet.cell(deals_sheet.max_row, 1).value == "total"
    assert deals_sheet.cell(deals_sheet.max_row, 9).value == 38_700  # euros
    assert book["Forecast 2026-Q4"].cell(2, 1).font.bold  # Mia's team subtotal row
    (pdf,) = view.export("pdf", tmp_path / "team.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_reminder_on_today_opens_the_forecast(team: Team, tmp_path: Path, qtbot: QtBot) -> None:
    ctx = make_context(team.ria.store, tmp_path)
    window = MainWindow(ctx, start_page="Today")
    window.resize(1280, 800)
    window.show()
    window.start()
    card = window.today.call_card
    qtbot.waitUntil(lambda: card.isVisibleTo(window), timeout=10_000)
    assert card.text.text() == "Your forecast call for 2026-Q4 is due: none submitted yet."
    screenshot(qtbot, ctx, window, tmp_path / "today-call-due-1280.png")
    card.button.click()
    assert window.current_page() is window.forecast
    ctx.run_op(
        lambda store: submit_forecast(
            store, Q4, {"commit": 900_000, "best_case": 1_000_000}, datetime.now(UTC)
        )
    )
    window.go("Today")
    qtbot.waitUntil(lambda: not card.isVisibleTo(window), timeout=10_000)
    settle(qtbot, ctx)
    window.close()
    window.deleteLater()
    settle(qtbot, ctx)
    ctx.tasks.shutdown()
