"""Pipeline: drag a card to another stage, column totals, table filters, editor, screenshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Opportunity
from sfa_desktop.core.enums import ForecastCategory, Stage
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.pipeline.pipeline_board import BOARD_STAGES
from sfa_desktop.ui.pipeline.pipeline_page import PipelinePage

TODAY = date.today()


def _deals(ctx: AppContext) -> dict[str, Opportunity]:
    store = ctx.store
    account = store.create(Account, {"name": "Acme"}).value
    specs = {
        "Fleet": ("qualification", 10_000_00, TODAY + timedelta(days=40), False),
        "Pumps": ("qualification", 30_000_00, TODAY - timedelta(days=3), False),
        "Valves": ("proposal", 50_000_00, TODAY + timedelta(days=70), True),
    }
    made = {}
    for name, (stage, amount, close, overridden) in specs.items():
        fields = {
            "account_id": account.id,
            "name": name,
            "stage": stage,
            "amount": amount,
            "close_date": close,
        }
        if overridden:
            fields |= {"probability": 75, "probability_overridden": True}
        made[name] = store.create(Opportunity, fields).value
    return made


def _page(ctx: AppContext, qtbot: QtBot) -> PipelinePage:
    page = PipelinePage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.activate()
    settle(qtbot, ctx)
    return page


def test_column_headers_sum_counts_and_weighted(plain_ctx: AppContext, qtbot: QtBot) -> None:
    _deals(plain_ctx)
    page = _page(plain_ctx, qtbot)
    qualification = page.board.columns[Stage.QUALIFICATION]
    assert [c.opportunity.name for c in qualification] == ["Pumps", "Fleet"]
    assert sum(c.opportunity.weighted_amount for c in qualification) == 8_000_00
    assert [c.opportunity.probability for c in page.board.columns[Stage.PROPOSAL]] == [75]


def test_drag_card_to_another_stage(plain_ctx: AppContext, qtbot: QtBot) -> None:
    deals = _deals(plain_ctx)
    page = _page(plain_ctx, qtbot)
    board = page.board
    rect = board.rect_of(deals["Fleet"].id)
    assert rect is not None
    start = rect.center().toPoint()
    column = BOARD_STAGES.index(Stage.NEGOTIATION)
    target = QPoint(int(board.column_rect(column).center().x()), start.y() + 40)
    qtbot.mousePress(board, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(board, start + QPoint(20, 5))
    qtbot.mouseMove(board, target)
    assert board.dragging is not None
    qtbot.mouseRelease(board, Qt.MouseButton.LeftButton, pos=target)
    settle(qtbot, plain_ctx)
    moved = plain_ctx.store.get(Opportunity, deals["Fleet"].id)
    assert moved.stage is Stage.NEGOTIATION
    assert (moved.probability, moved.forecast_category) == (80, ForecastCategory.COMMIT)
    history = plain_ctx.store.stage_history(moved.id)
    assert [(h.from_stage, h.to_stage) for h in history][-1] == (
        Stage.QUALIFICATION,
        Stage.NEGOTIATION,
    )
    assert [c.opportunity.name for c in board.columns[Stage.NEGOTIATION]] == ["Fleet"]
    # An overridden probability stays when the deal moves.
    rect = board.rect_of(deals["Valves"].id)
    assert rect is not None
    start = rect.center().toPoint()
    target = QPoint(int(board.column_rect(BOARD_STAGES.index(Stage.NEGOTIATION)).center().x()), 200)
    qtbot.mousePress(board, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(board, target)
    qtbot.mouseRelease(board, Qt.MouseButton.LeftButton, pos=target)
    settle(qtbot, plain_ctx)
    assert plain_ctx.store.get(Opportunity, deals["Valves"].id).probability == 75


def test_drop_on_same_column_or_click_does_nothing(plain_ctx: AppContext, qtbot: QtBot) -> None:
    deals = _deals(plain_ctx)
    page = _page(plain_ctx, qtbot)
    rect = page.board.rect_of(deals["Fleet"].id)
    assert rect is not None
    start = rect.center().toPoint()
    with qtbot.assertNotEmitted(page.board.stage_dropped):
        qtbot.mouseClick(page.board, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mousePress(page.board, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(page.board, start + QPoint(0, 30))
        qtbot.mouseRelease(page.board, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 30))
    assert page.board.selected == deals["Fleet"].id


def test_stale_and_close_flags(plain_ctx: AppContext, qtbot: QtBot) -> None:
    _deals(plain_ctx)
    page = _page(plain_ctx, qtbot)
    later = datetime.now(UTC) + timedelta(days=45)
    page.board._now = lambda: later  # every deal is now 45 days untouched
    from sfa_desktop.core.rules.deal_health import CloseFlag, close_flag, is_stale

    cards = page.board.columns[Stage.QUALIFICATION]
    assert all(is_stale(c.opportunity, c.last_touched, later, 30) for c in cards)
    assert close_flag(cards[0].opportunity, TODAY) is CloseFlag.OVERDUE


def test_table_filters_and_editor(
    plain_ctx: AppContext, qtbot: QtBot, qtmodeltester: object
) -> None:
    _deals(plain_ctx)
    page = _page(plain_ctx, qtbot)
    page.show_view(1)
    settle(qtbot, plain_ctx)
    assert page.model.rowCount() == 3
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    page.category.setCurrentIndex(page.category.findData(ForecastCategory.BEST_CASE))
    settle(qtbot, plain_ctx)
    assert page.model.rowCount() == 1
    page.category.setCurrentIndex(0)
    page.min_amount.setValue(20_000)
    settle(qtbot, plain_ctx)
    assert page.model.rowCount() == 2
    page.max_amount.setValue(40_000)
    settle(qtbot, plain_ctx)
    assert [page.model.data(page.model.index(0, 0))] == ["Pumps"]
    assert page.model.data(page.model.index(0, 1)) == "Acme"  # the account beside the deal
    overdue = page.model.data(page.model.index(0, 6), Qt.ItemDataRole.ForegroundRole)
    assert overdue is not None
    assert overdue.name() == "#c5221f"
    page.open_row(0)
    settle(qtbot, plain_ctx)
    form = next(f for f in page.findChildren(RecordForm) if f.isVisible())
    assert form.widgets["account_id"].text() == "Acme"  # type: ignore[attr-defined]
    form.reject()


def test_pipeline_renders(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    window.resize(1280, 800)
    window.go("Pipeline")
    settle(qtbot, ctx)
    assert sum(len(cards) for cards in window.pipeline.board.columns.values()) > 0
    screenshot(qtbot, ctx, window, tmp_path / "pipeline-board.png")
    window.pipeline.show_view(1)
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, window, tmp_path / "pipeline-table.png")


def test_cards_and_table_name_deals_without_their_account(
    plain_ctx: AppContext, qtbot: QtBot
) -> None:
    store = plain_ctx.store
    walter = store.create(Account, {"name": "Walter Spedition GmbH"}).value
    for name, stage in (
        ("Walter Spedition GmbH – Fleet renewal", "proposal"),
        ("Walter Spedition GmbH – Telematics pilot", "proposal"),
        ("Lost deal", "closed_lost"),
    ):
        fields = {"account_id": walter.id, "name": name, "stage": stage, "amount": 1_000_00}
        store.create(Opportunity, fields | {"close_date": TODAY})
    page = _page(plain_ctx, qtbot)
    page.board.repaint()
    shown = {d.text for d in page.board.drawn}
    assert {"Fleet renewal", "Telematics pilot", "Walter Spedition GmbH"} <= shown
    assert not any(text.startswith("Walter Spedition GmbH –") for text in shown)
    page.show_view(1)
    settle(qtbot, plain_ctx)
    rows = {
        page.model.data(page.model.index(r, 0)): [
            page.model.data(page.model.index(r, c)) for c in (1, 2, 7)
        ]
        for r in range(page.model.rowCount())
    }
    assert rows == {
        "Fleet renewal": ["Walter Spedition GmbH", "Proposal", "Best case"],
        "Telematics pilot": ["Walter Spedition GmbH", "Proposal", "Best case"],
        "Lost deal": ["Walter Spedition GmbH", "Closed lost", "Closed lost"],
    }
