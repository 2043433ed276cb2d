"""The Insight page against a real server app (the hand-worked history of
tests/sync_server/insight_scenario, on 4 Dec 2026): a manager's four views with charts,
drilling to a rep and to the deals behind a quarter, exports, and the views kept offline."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytestqt.qtbot import QtBot
from sync_fixtures import Device
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.forecast_client import ForecastRemote
from sfa_desktop.ui.common.format import use_readable_locale
from sfa_desktop.ui.insight.insight_page import InsightPage

sys.path.insert(0, str(Path(__file__).parents[1] / "sync_server"))
from insight_scenario import Writer, at, replay
from server_kit import Org


@pytest.fixture
def mia(on_written_day: None, server: TestClient, device: Device) -> SyncAccount:
    """Mia's device after the insight history, with graded accounts served in Q4."""
    org = Org(server)
    from sqlalchemy import select

    from sync_server.models import User

    with org.session() as session:
        org.ids = {u.username: u.id for u in session.scalars(select(User))}
    replay(org)
    w = Writer(org)
    for who, name, grade, visits, calls in [
        ("rob", "Alpha", "A", 1, 4),
        ("rob", "Bravo", "B", 0, 2),
        ("rob", "Charlie", "C", 4, 0),
        ("ria", "Delta", "A", 0, 0),
        ("ria", "Echo", "D", 1, 1),
    ]:
        account = w.account(who, name, at(1, 1), grade=grade, potential_revenue=500_000)
        for n in range(visits):
            w.activity(who, account, "visit", at(10, 5 + n))
        for n in range(calls):
            w.activity(who, account, "call", at(11, 2 + n))
    return device("mia")


@pytest.fixture
def page(mia: SyncAccount, tmp_path: Path, qtbot: QtBot) -> Iterator[InsightPage]:
    use_readable_locale()
    ctx = make_context(mia.store, tmp_path)
    shown = InsightPage(ctx)
    shown.resize(1280 - 190, 800)
    shown.set_remote(ForecastRemote(mia))
    shown.show()
    with qtbot.waitSignal(shown.loaded, timeout=20_000):
        shown.activate()
    settle(qtbot, ctx)
    yield shown
    settle(qtbot, ctx)
    shown.close()
    ctx.tasks.shutdown()


def _column(table: Any, header: str) -> list[str]:
    headers = [
        table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())
    ]
    column = headers.index(header)
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_manager_views_drill_and_export(page: InsightPage, qtbot: QtBot, tmp_path: Path) -> None:
    ctx = page._ctx
    assert page.status.text().startswith("Live")
    people = page.accuracy.tables["People"]
    assert _column(people, "Person") == ["Mia (team)", "Ria", "Rob"]
    assert _column(people, "Trust rank") == ["—", "—", "1"]
    assert page.accuracy.chart.bars > 0
    assert page.coverage.chart.bars > 0
    assert page.pipeline.chart.bars > 0
    grades = page.coverage.tables["By grade"]
    assert _column(grades, "Grade") == ["A", "B", "C", "D", "—"]  # Acme has no grade
    assert _column(grades, "Visits") == ["1", "0", "4", "1", "0"]
    for size in ((1280 - 190, 800), (1024 - 190, 768)):
        page.resize(*size)
        for index in range(page.tabs.count()):
            page.tabs.setCurrentIndex(index)
            screenshot(qtbot, ctx, page, tmp_path / f"insight-{index}-{size[0]}.png")
    page.tabs.setCurrentIndex(0)

    # drill: Rob's own figures, then the deals he won in Q3 (D1 and D3)
    rob = page.accuracy.tables["People"]
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        rob.cellDoubleClicked.emit(2, 0)
    assert page.crumbs.text() == "Mia › Rob"
    assert _column(page.accuracy.tables["People"], "Person") == ["Rob"]
    quarters = page.accuracy.tables["By quarter"]
    q3 = _column(quarters, "Quarter").index("2026-Q3")
    with qtbot.waitSignal(page.deals_loaded, timeout=20_000):
        quarters.cellDoubleClicked.emit(q3, 0)
    assert sorted(_column(page.accuracy.tables["Deals won"], "Deal")) == [
        "Deal 100000",
        "Deal 30000",
    ]

    written = page.export(tmp_path / "insight.csv", "csv")
    with written[0].open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Person"] for r in rows] == ["Rob"]
    assert float(rows[0]["Commit call error"]) == pytest.approx(0.125)
    by_quarter = next(p for p in written if "calls-and-forecasts" in p.name)
    with by_quarter.open() as handle:
        lines = [r for r in csv.DictReader(handle) if r["Quarter"] == "2026-Q3"]
    assert {r["Closed"] for r in lines} == {"1300.0"}  # 130,000 cents
    from openpyxl import load_workbook

    book = load_workbook(page.export(tmp_path / "insight.xlsx", "xlsx")[0])
    assert len(book.sheetnames) == len(written)
    pdf = page.export(tmp_path / "insight.pdf", "pdf")[0]
    assert pdf.read_bytes().startswith(b"%PDF")

    # offline: the last views fetched for each person come from the device
    page.remote = None
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.back()
    assert page.status.text().startswith("Offline — figures from")
    assert _column(page.accuracy.tables["People"], "Person") == ["Mia (team)", "Ria", "Rob"]
    assert date.today() == date(2026, 12, 4)
