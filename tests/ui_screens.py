"""Render every page and dialog on a screen of a given size, save PNGs, report cut text.

    .venv/bin/python tests/ui_screens.py OUTDIR [--size 1280x800 ...] [--store demo.db]

Each size runs in a child process whose offscreen screen has that size (a dialog's first
size depends on the screen), with the main window at the screen's size. The report (JSON,
also printed as text) lists every cut text (`clipped_text`) and every Qt warning.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

SIZES = ("1280x800", "1024x768")
# A maximised window on a large screen: what a long value looks like with room to spare.
REFERENCE = "1920x1080"
HERE = Path(__file__).resolve().parent
# Qt says this about what the offscreen platform cannot do; it is not about our screens.
OFFSCREEN_NOISE = "This plugin does not support"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs and report.json")
    parser.add_argument("--size", action="append", help="WIDTHxHEIGHT (default: both sizes)")
    parser.add_argument("--store", type=Path, help="a demo store (default: a new small one)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return render_size(args.out, args.size[0], args.store)
    with tempfile.TemporaryDirectory() as scratch:
        store = args.store or seed_store(Path(scratch) / "demo.db")
        report = check(args.out, args.size or list(SIZES), store)
    for size, found in report.items():
        print(
            f"{size}: {len(found['views'])} views, {len(found['cuts'])} cut texts "
            f"({len(found['tolerated'])} cells cut at {REFERENCE} too), "
            f"{len(found['warnings'])} Qt warnings, {found['seconds']} s"
        )
        for line in found["cuts"] + found["warnings"]:
            print(f"  {line}")
    print(f"screenshots in {args.out}")
    return 0 if all(not r["cuts"] and not r["warnings"] for r in report.values()) else 1


def check(out: Path, sizes: list[str], store: Path) -> dict[str, dict[str, Any]]:
    """Render each size and the reference; per size the cut texts that count (a cell cut
    at the reference size too is a long value, not a cramped layout), views, warnings."""
    reference = run_child(out, REFERENCE, store)
    long_values = {cut["key"] for cut in reference["cuts"] if cut["cell"]}
    report = {}
    for size in sizes:
        found = run_child(out, size, store)
        counted = [c for c in found["cuts"] if not (c["cell"] and c["key"] in long_values)]
        report[size] = found | {
            "cuts": [c["line"] for c in counted],
            "tolerated": [c["line"] for c in found["cuts"] if c not in counted],
        }
    (out / "report.json").write_text(json.dumps(report, indent=1))
    return report


def run_child(out: Path, size: str, store: Path) -> dict[str, Any]:
    """Render one size in a process of its own; its report."""
    width, height = (int(n) for n in size.split("x"))
    config = out / f"screen-{size}.json"
    screen = {
        "name": "desk",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    config.write_text(json.dumps({"screens": [screen]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        str(out),
        "--child",
        "--size",
        size,
        "--store",
        str(store),
    ]
    subprocess.run(command, env=env, check=True, timeout=300)
    config.unlink()
    written = out / f"report-{size}.json"
    report: dict[str, Any] = json.loads(written.read_text())
    written.unlink()
    return report


def seed_store(path: Path) -> Path:
    """A small demo store (the size the UI tests use) at `path`."""
    sys.path.insert(0, str(HERE))
    from store_keys import TEST_KEY
    from store_seeding import seed_demo_store

    from sfa_desktop.demo import DemoSize
    from sfa_desktop.store import Store

    size = DemoSize(
        reps=2,
        accounts=60,
        contacts=240,
        opportunities=120,
        activities=500,
        events=60,
        tasks=80,
        leads=40,
    )
    store = Store.open(path, key=TEST_KEY)
    seed_demo_store(store, size, seed=11, today=date.today())
    store.close()
    return path


# -- the child: one screen size -----------------------------------------------------------


def render_size(out: Path, size: str, template: Path) -> int:
    sys.path.insert(0, str(HERE))
    from clipped_text import cuts_in
    from PySide6.QtCore import QEvent, QtMsgType, qInstallMessageHandler
    from store_keys import TEST_KEY

    from sfa_desktop.store import Store
    from sfa_desktop.ui.app import application, build_context
    from sfa_desktop.ui.main_window import MainWindow

    warnings: list[str] = []

    def on_message(kind: QtMsgType, _context: object, text: str) -> None:
        quiet = kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)
        if not quiet and OFFSCREEN_NOISE not in text:
            warnings.append(text)

    qInstallMessageHandler(on_message)

    def on_error(kind: type[BaseException], error: BaseException, trace: Any) -> None:
        warnings.append(f"{kind.__name__}: {error}")
        sys.__excepthook__(kind, error, trace)

    sys.excepthook = on_error  # an exception in a slot or callback counts like a warning
    width, height = (int(n) for n in size.split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "demo.db"
        shutil.copy(template, path)
        store = Store.open(path, key=TEST_KEY)
        app = application()
        ctx = build_context(store, Path(scratch) / "settings.json")
        window = MainWindow(ctx)
        window.resize(width, height)
        window.show()
        window.start()
        shots = Shots(app, ctx, window, out, size)
        views, cuts = [], []
        started = time.monotonic()
        for name, widget in shots.every_view():
            views.append(name)
            for cut in [*cuts_in(widget), *extra_cuts(widget)]:
                key = f"{name}: {cut.kind} {cut.where}: {cut.text!r}"
                cuts.append({"key": key, "line": f"{name}: {cut}", "cell": cut.kind == "cell"})
            if widget.width() > width or widget.height() > height:
                line = f"{name}: {widget.width()}x{widget.height()} is larger than the screen"
                cuts.append({"key": line, "line": line, "cell": False})
            window.resize(width, height)
        window.close()
        window.deleteLater()  # deleting the pages runs code too: its errors count
        shots.settle()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        ctx.tasks.shutdown()
        store.close()
    report = {
        "views": views,
        "cuts": cuts,
        "warnings": warnings,
        "seconds": round(time.monotonic() - started, 1),
    }
    (out / f"report-{size}.json").write_text(json.dumps(report, indent=1))
    return 0


def extra_cuts(widget: Any) -> list[Any]:
    """Cut text in painted widgets the generic checker cannot read (the pipeline board)."""
    from PySide6.QtWidgets import QWidget

    from sfa_desktop.ui.pipeline.pipeline_board import PipelineBoard

    boards = [widget] if isinstance(widget, PipelineBoard) else widget.findChildren(PipelineBoard)
    found = []
    for board in boards:
        if isinstance(board, QWidget) and board.isVisible():
            from board_text import board_cuts

            found += board_cuts(board)
    return found


class Shots:
    """Walks through the pages and dialogs, saving a PNG of each."""

    def __init__(self, app: Any, ctx: Any, window: Any, out: Path, size: str) -> None:
        self.app, self.ctx, self.window, self.out, self.size = app, ctx, window, out, size

    def settle(self, timeout: float = 10.0) -> None:
        """Process events until every background job has delivered its result."""
        deadline = time.monotonic() + timeout
        while True:
            self.app.processEvents()
            if self.ctx.tasks.is_idle() or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        self.app.processEvents()

    def shot(self, name: str, widget: Any) -> tuple[str, Any]:
        self.settle()
        widget.grab()  # paints once, which asks for lazily loaded rows
        self.settle()
        widget.grab().save(str(self.out / f"{self.size}-{name}.png"))
        return name, widget

    def page(self, name: str) -> Any:
        self.window.go(name)
        self.settle()
        return self.window.page(name)

    def every_view(self) -> Iterator[tuple[str, Any]]:
        yield from self.pages()
        yield from self.dialogs()

    def pages(self) -> Iterator[tuple[str, Any]]:
        window = self.window
        yield self.shot("today", window)
        accounts = self.page("Accounts")
        tabs = accounts.view.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            yield self.shot(f"accounts-{_slug(tabs.tabText(index))}", window)
        tabs.setCurrentIndex(0)
        from sfa_desktop.core.entities import AccountPlan

        plans = self.ctx.store.get_many(AccountPlan, self.ctx.store.ids(AccountPlan))
        if plans:
            accounts.show_account(plans[0].account_id)
            yield self.shot("accounts-overview-with-plan", window)
        self.page("Contacts")
        yield self.shot("contacts", window)
        calendar = self.page("Calendar")
        from sfa_desktop.ui.calendar.calendar_layout import Mode

        for mode in Mode:
            calendar.show_range(mode, date.today())
            yield self.shot(f"calendar-{mode.value}", window)
        calendar.show_range(Mode.WEEK, date.today())
        yield from self.planner()
        pipeline = self.page("Pipeline")
        yield self.shot("pipeline-board", window)
        pipeline.show_view(1)
        yield self.shot("pipeline-table", window)
        pipeline.show_view(0)
        plans_page = self.page("Plans")
        tabs = plans_page.editor.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            yield self.shot(f"plans-{_slug(tabs.tabText(index))}", window)
        tabs.setCurrentIndex(0)
        from sfa_desktop.ui.shell.page_factory import PAGES

        for name in PAGES[PAGES.index("Plans") + 1 :]:
            self.page(name)
            yield self.shot(name.lower().replace(" ", "-"), window)
        self.page("Today")

    def planner(self) -> Iterator[tuple[str, Any]]:
        """The visit planner from the demo rep's busiest area (the middle of the most of
        their accounts within 100 km of one): the week with its map, the accounts left out, a
        day chosen on the map."""
        from sfa_desktop.core.rules.geo import Point, haversine_km
        from sfa_desktop.operations.plans import plan_summaries

        rows = plan_summaries(self.ctx.store, date.today().year)
        places = [
            Point(r.account.latitude, r.account.longitude)
            for r in rows
            if r.account.latitude is not None and r.account.longitude is not None
        ]
        busiest = max(places, key=lambda p: sum(haversine_km(p, q) < 100 for q in places))
        near = [q for q in places if haversine_km(busiest, q) < 100]
        base = Point(  # their middle, a little off any one account
            sum(q.latitude for q in near) / len(near) + 0.05,
            sum(q.longitude for q in near) / len(near),
        )
        self.ctx.settings.set("planner_base", f"{base.latitude:.5f}, {base.longitude:.5f}")
        planner = self.page("Visit planner")
        self.settle(30.0)
        yield self.shot("visit-planner-week", self.window)
        planner.view.setCurrentIndex(1)
        yield self.shot("visit-planner-not-this-week", self.window)
        planner.view.setCurrentIndex(0)
        first = planner.view.tree.topLevelItem(0)
        if first is not None and first.childCount():
            planner.view.tree.setCurrentItem(first.child(0))
        yield self.shot("visit-planner-day-chosen", self.window)
        yield self.shot("visit-planner-map", planner.map)
        away = {  # a rep living 200 km north of these accounts who may stay overnight
            "planner_base": f"{base.latitude + 1.8:.5f}, {base.longitude:.5f}",
            "planner_speed": 90,
            "planner_max_drive": 420,
            "planner_hotel_nights": True,
        }
        before = {name: self.ctx.settings[name] for name in away}
        for name, value in away.items():
            self.ctx.settings.set(name, value)
        deadline = time.monotonic() + 10
        while planner._replan_soon.isActive() and time.monotonic() < deadline:
            self.app.processEvents()  # the page re-plans a moment after a setting changes
            time.sleep(0.01)
        self.settle(30.0)
        yield self.shot("visit-planner-nights-away", self.window)
        for name, value in before.items():
            self.ctx.settings.set(name, value)

    def dialog(self, name: str, open_it: Callable[[], Any]) -> Iterator[tuple[str, Any]]:
        dialog = open_it()
        self.settle()
        yield self.shot(f"dialog-{name}", dialog)
        dialog.close()
        self.settle()

    def dialogs(self) -> Iterator[tuple[str, Any]]:
        from sfa_desktop.core.entities import (
            Account,
            CalendarEvent,
            Contact,
            Lead,
            Opportunity,
            Task,
        )
        from sfa_desktop.ui.calendar.event_dialog import EventDialog
        from sfa_desktop.ui.common.forms import open_form

        window, ctx = self.window, self.ctx
        yield from self.dialog("log-activity", window.log_activity)
        for model in (Account, Contact, Opportunity, Task, Lead):
            noun = model.entity_name().replace("_", "-")
            yield from self.dialog(f"new-{noun}", lambda m=model: open_form(ctx, m, parent=window))
        yield from self.dialog("new-event", lambda: _shown(EventDialog(ctx, parent=window)))
        assert CalendarEvent
        yield from self.dialog("settings", window.open_settings)
        yield from self.dialog("sign-in", window.sign_in)
        yield from self.dialog("duplicates", window.find_duplicates)
        yield from self.dialog("import", window.import_file)
        yield from self.dialog("vcard-export", window.export_vcard)
        yield from self.dialog("mileage-export", window.export_mileage)
        yield from self.dialog("connections", window.open_connections)
        planner = self.page("Visit planner")
        yield from self.dialog("planner-not-located", planner.show_not_located)
        yield from self.dialog("planner-home-base", planner.edit_base)
        accounts = self.page("Accounts")
        yield from self.dialog("account-location", accounts.view.edit_location)
        plans = self.page("Plans")
        yield from self.dialog("optimiser", plans.open_optimiser)
        leads = self.page("Leads")
        leads.list.selectRow(0)
        yield from self.dialog("convert-lead", leads.convert)
        self.page("Today")
        from sfa_desktop.core.entities import Account

        window.search.popup()
        word = sorted(a.name for a in self.ctx.store.records(Account))[0].split()[0]
        window.search.box.setText(word.lower())
        yield self.shot("search", window.search)
        window.search.hide()


def _slug(text: str) -> str:
    """'Contacts (2)' -> 'contacts', 'Grade && targets' -> 'grade-targets'."""
    words = text.split(" (")[0].replace("&", "").split()
    return "-".join(words).lower()


def _shown(dialog: Any) -> Any:
    dialog.show()
    return dialog


if __name__ == "__main__":
    sys.exit(main())
