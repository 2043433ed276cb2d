"""The Insight page on the real demo: a demo server (`sfa-server demo-seed`, its own
process) with the demo's year of history, the director and a rep signed in on desktops of
their own; every view has figures, and the screens at 1280x800 and 1024x768 cut no text
(headers, labels, tabs), and the twelve columns by grade fit without scrolling.
Screenshots in tmp_path (and $SFA_UI_SHOTS when set) for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from clipped_text import cuts_in
from pytestqt.qtbot import QtBot
from store_keys import TEST_KEY
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.demo import DemoSize, demo_users
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.forecast_client import ForecastRemote
from sfa_desktop.sync.local_server import DEMO_PASSWORD, LocalServer
from sfa_desktop.ui.common.format import use_readable_locale
from sfa_desktop.ui.insight.insight_page import InsightPage

CONTACTS = 600  # 6 reps, 120 accounts, 300 deals, 1,200 activities
SIDEBAR = 190  # the main window's navigation beside the page
SIZES = ((1280, 800), (1024, 768))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(tmp_path_factory.mktemp("demo-server"), CONTACTS) as running:
        yield running


def _username(role: str) -> str:
    users = demo_users(DemoSize.scaled(CONTACTS), today=date.today())
    if role == "director":
        user = next(u for u in users if u.manager_id is None and u.role == "manager")
    else:
        user = next(u for u in users if u.role == "rep")
    return user.email.split("@", 1)[0]


@pytest.mark.parametrize("role", ["director", "rep"])
def test_insight_on_the_demo(role: str, server: LocalServer, tmp_path: Path, qtbot: QtBot) -> None:
    use_readable_locale()
    store = Store.open(tmp_path / "client.db", key=TEST_KEY)
    account = SyncAccount(store, Credentials(vault=store))
    account.sign_in(server.url, _username(role), DEMO_PASSWORD, "screens")
    account.engine().run_once()
    ctx = make_context(account.store, tmp_path)
    page = InsightPage(ctx)
    page.resize(SIZES[0][0] - SIDEBAR, SIZES[0][1])
    page.set_remote(ForecastRemote(account))
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=60_000):
        page.activate()
    settle(qtbot, ctx)
    try:
        views = (page.accuracy, page.backtest, page.coverage, page.pipeline)
        for view in views:  # every view shows something real
            assert view.chart.bars > 0
            first = next(iter(view.tables.values()))
            assert first.rowCount() > 0
        people = page.accuracy.tables["People"]
        assert people.rowCount() == (3 if role == "director" else 1)
        assert page.pipeline.tables["Slipping"].rowCount() > 0
        found = []
        for width, height in SIZES:
            page.resize(width - SIDEBAR, height)
            for index in range(page.tabs.count()):
                page.tabs.setCurrentIndex(index)
                for inner in range(views[index].tabs.count()):
                    views[index].tabs.setCurrentIndex(inner)
                    qtbot.wait(100)
                    name = f"insight-{role}-{width}-{index}{inner}.png"
                    screenshot(qtbot, ctx, page, tmp_path / name)
                    found += [f"{width}: {c}" for c in cuts_in(page, cells=False)]
                views[index].tabs.setCurrentIndex(0)
            page.tabs.setCurrentIndex(2)
            qtbot.wait(100)
            grades = page.coverage.tables["By grade"]
            assert grades.horizontalScrollBar().maximum() == 0, f"{width}: grades scroll"
        assert found == []
    finally:
        settle(qtbot, ctx)
        page.close()
        ctx.tasks.shutdown()
        account.close()
        account.store.close()
