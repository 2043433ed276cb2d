"""UI fixtures: a demo store copied from a template built once, the app context, the window."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from store_keys import TEST_KEY
from store_seeding import seed_demo_store
from ui_helpers import make_context, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.demo import DemoSize
from sfa_desktop.store import Store
from sfa_desktop.ui.main_window import MainWindow

SIZE = DemoSize(
    reps=2,
    accounts=60,
    contacts=240,
    opportunities=120,
    activities=500,
    events=60,
    tasks=80,
    leads=40,
)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    store = Store.open(path, key=TEST_KEY)
    seed_demo_store(store, SIZE, seed=11, today=date.today())
    store.close()
    return path


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    store = Store.open(path, key=TEST_KEY)
    yield store
    store.close()


@pytest.fixture
def ctx(demo_store: Store, tmp_path: Path, qtbot: QtBot) -> Iterator[AppContext]:
    context = make_context(demo_store, tmp_path)
    yield context
    settle(qtbot, context)
    context.tasks.shutdown()


@pytest.fixture
def plain_ctx(signed_in: Store, tmp_path: Path, qtbot: QtBot) -> Iterator[AppContext]:
    """A context over a store with only the signed-in rep (tests add their own records)."""
    context = make_context(signed_in, tmp_path)
    yield context
    settle(qtbot, context)
    context.tasks.shutdown()


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    main = MainWindow(ctx)
    main.show()
    main.start()
    settle(qtbot, ctx)
    yield main
    settle(qtbot, ctx)
    main.close()
    main.deleteLater()
    settle(qtbot, ctx)


# The offscreen platform warns about what it cannot do (size hints, raise, keyboard grabs).
OFFSCREEN_NOISE = "^This plugin does not support"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
