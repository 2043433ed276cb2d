"""Screens a rep can read: every page and dialog at 1280×800 and 1024×768 shows its texts
whole (tests/clipped_text.py says what counts as cut), and the words and names they show.

The checkers are tested first on widgets cut on purpose, so a pass means something.
Screenshots go to $SFA_UI_SHOTS when set (else the test's tmp folder); the same run is
`python tests/ui_screens.py OUTDIR`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from board_text import board_cuts
from clipped_text import cuts_in
from PySide6.QtCore import QRectF
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_screens import SIZES, check

from sfa_desktop.core.entities import CalendarEvent, Opportunity
from sfa_desktop.core.enums import ForecastCategory, Stage
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.ui.calendar.calendar_view import tooltip_text
from sfa_desktop.ui.common.format import (
    deal_category,
    deal_name,
    label,
    money,
    money_affixes,
    use_readable_locale,
)
from sfa_desktop.ui.pipeline.pipeline_board import Drawn
from sfa_desktop.ui.shell.page_factory import PAGES

LONG = "Hänel & Neuschäfer GmbH & Co. KG – Predictive Maintenance framework agreement"
DIALOGS = {
    "log-activity",
    "new-account",
    "new-contact",
    "new-opportunity",
    "new-task",
    "new-lead",
    "new-event",
    "settings",
    "sign-in",
    "duplicates",
    "import",
    "vcard-export",
    "optimiser",
    "convert-lead",
    "account-location",
    "planner-not-located",
    "planner-home-base",
    "mileage-export",
    "connections",
}


def _panel(qtbot: QtBot, width: int) -> QWidget:
    """A label, a button, a combo box, a spin box, tabs and a table, `width` pixels wide."""
    panel = QWidget()
    qtbot.addWidget(panel)
    column = QVBoxLayout(panel)
    label_ = QLabel(LONG)
    label_.setMinimumWidth(1)
    column.addWidget(label_)
    row = QHBoxLayout()
    button, combo, spin = QPushButton(LONG), QComboBox(), QSpinBox()
    combo.addItem(LONG)
    spin.setRange(0, 10**6)
    spin.setValue(999_999)
    spin.setSuffix(" touches planned")
    for widget in (button, combo, spin):
        widget.setMinimumWidth(1)
        widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        row.addWidget(widget)
    column.addLayout(row)
    tabs = QTabWidget()
    for name in ("Overview", "Contacts (12)", "Activities (40)", "Open deals (3)", "History"):
        tabs.addTab(QWidget(), name)
    column.addWidget(tabs)
    model = QStandardItemModel(1, 2, panel)
    model.setHorizontalHeaderLabels(["Needs analysis", "Opportunity"])
    model.setItem(0, 1, QStandardItem(LONG))
    view = QTableView()
    view.setModel(model)
    for index in (0, 1):
        view.setColumnWidth(index, 60)
    column.addWidget(view)
    panel.resize(width, 400)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_checker_finds_cut_text_and_passes_whole_text(qtbot: QtBot) -> None:
    narrow = {cut.kind for cut in cuts_in(_panel(qtbot, 300))}
    assert {"label", "QPushButton", "combo box", "spin box", "header", "cell"} <= narrow
    assert "tabs behind scroll arrows" in narrow
    wide = _panel(qtbot, 1900)
    view = wide.findChild(QTableView)
    assert view is not None
    view.resizeColumnsToContents()
    assert cuts_in(wide) == []


def test_the_board_checker_measures_what_the_board_drew() -> None:
    font = QWidget().font()
    fits = Drawn("Fleet renewal", QRectF(0, 0, 200, 18), font, False)
    cut = Drawn("Predictive Maintenance framework agreement", QRectF(0, 0, 80, 18), font, False)
    wrapped_short = Drawn(LONG, QRectF(0, 0, 120, 18), font, True)
    crowded = [Drawn(t, QRectF(0, 40, 70, 18), font, False) for t in ("€1,234,567", "100%")]
    assert board_cuts(_Board([fits])) == []
    assert [c.text for c in board_cuts(_Board([cut]))] == [cut.text]
    assert [c.kind for c in board_cuts(_Board([wrapped_short]))] == ["board text"]
    assert [c.kind for c in board_cuts(_Board(crowded))] == ["board texts"]


class _Board:
    def __init__(self, drawn: list[Drawn]) -> None:
        self.drawn = drawn


def test_every_page_and_dialog_reads_whole_at_both_sizes(
    demo_template: Path, tmp_path: Path
) -> None:
    out = Path(os.environ.get("SFA_UI_SHOTS") or tmp_path)
    report = check(out, list(SIZES), demo_template)
    for size, found in report.items():
        views = found["views"]
        for page in PAGES:
            slug = page.lower().replace(" ", "-")
            assert any(view.startswith(slug) for view in views), (size, page)
        assert {v.removeprefix("dialog-") for v in views if v.startswith("dialog-")} == DIALOGS
        assert "search" in views
        assert found["warnings"] == [], size
        assert found["cuts"] == [], f"{size}: " + "\n".join(found["cuts"])
        assert (out / f"{size}-pipeline-board.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("name", "account", "shown"),
    [
        ("Walter Spedition GmbH – Fleet renewal", "Walter Spedition GmbH", "Fleet renewal"),
        ("walter spedition gmbh: Fleet renewal", "Walter Spedition GmbH", "Fleet renewal"),
        ("Walter Spedition GmbH", "Walter Spedition GmbH", "Walter Spedition GmbH"),
        ("Walterbau pilot", "Walter", "Walterbau pilot"),
        ("Fleet renewal", "Walter Spedition GmbH", "Fleet renewal"),
        ("Fleet renewal", "", "Fleet renewal"),
    ],
)
def test_deal_names_leave_out_the_account_beside_them(name: str, account: str, shown: str) -> None:
    assert deal_name(name, account) == shown


def test_words_a_rep_uses_for_categories_and_money_with_its_currency() -> None:
    use_readable_locale()  # as the app does at start (British English for the bare C locale)
    today = datetime.now(UTC).date()
    lost = Opportunity(name="x", account_id="a", stage=Stage.CLOSED_LOST, close_date=today)
    won = Opportunity(name="x", account_id="a", stage=Stage.CLOSED_WON, close_date=today)
    assert deal_category(lost) == "Closed lost"
    assert deal_category(won) == "Closed won"
    assert label(ForecastCategory.OMITTED) == "Not forecast"
    assert label(ForecastCategory.BEST_CASE) == "Best case"
    assert label("omitted") == "Omitted"  # a plain string is not the category
    assert money(99_470_000) == "€994,700"
    assert money_affixes("EUR") == ("€", "")
    before, after = money_affixes("CHF")
    assert f"{before}1{after}" == money(100, "CHF")


def test_calendar_boxes_tell_their_whole_title_on_hover() -> None:
    start = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    event = CalendarEvent(
        title="Pipeline review with the regional team",
        location="Harbour office",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    text = tooltip_text(Occurrence(event, start, event.ends_at)).splitlines()
    assert text[0] == "Pipeline review with the regional team"
    assert text[2] == "Harbour office"
