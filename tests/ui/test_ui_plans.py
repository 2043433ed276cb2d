"""Plans page: the list, the editor (grade suggestion, targets, contacts, actions, coverage)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, AccountPlan, Contact, YearRevenue
from sfa_desktop.core.enums import Channel, Orientation, Stance
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.plans.optimiser_dialog import OptimiserDialog
from sfa_desktop.ui.plans.plans_page import PlansPage


def _setup(ctx: AppContext) -> Account:
    store = ctx.store
    account = store.create(
        Account,
        {
            "name": "Big AG",
            "potential_revenue": 90_000_000,
            "revenue_history": (YearRevenue(year=2025, amount=60_000_000),),
        },
    ).value
    store.create(Contact, {"last_name": "Ann", "account_id": account.id})
    store.create(
        Account,
        {
            "name": "Shop KG",
            "potential_revenue": 3_000_000,
            "orientation": Orientation.TRANSACTIONAL,
        },
    )
    return account


def _page(ctx: AppContext, qtbot: QtBot) -> PlansPage:
    page = PlansPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    page.activate()
    settle(qtbot, ctx)
    settle(qtbot, ctx)
    return page


def test_edit_and_save_a_new_plan(
    plain_ctx: AppContext, qtbot: QtBot, qtmodeltester: object
) -> None:
    account = _setup(plain_ctx)
    page = _page(plain_ctx, qtbot)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    editor = page.editor
    assert editor.detail is not None
    assert editor.detail.account.id == account.id
    assert editor.grade.currentData() == "A"
    assert "Suggested A" in editor.reason.text()
    assert editor.overridden.isHidden()
    editor.grade.setCurrentIndex(editor.grade.findData("B"))
    assert not editor.overridden.isHidden()
    editor.target.setValue(700_000)
    editor.wallet.setValue(35)
    editor.add_objective("Win the service contract")
    editor.key_contacts.add_row()
    editor.action_table.add_row()
    editor.coverage.spin(0, 1).setValue(2)  # two visits in Q1
    assert "€500" in editor.costs.text()
    with qtbot.waitSignal(plain_ctx.signals.changes_applied):
        editor.save.click()
    settle(qtbot, plain_ctx)
    [plan] = plain_ctx.store.get_many(AccountPlan, plain_ctx.store.ids(AccountPlan))
    assert (plan.grade, plan.grade_overridden) == ("B", True)
    assert (plan.revenue_target, plan.share_of_wallet_target) == (70_000_000, 35)
    assert plan.objectives == ("Win the service contract",)
    assert [k.stance for k in plan.key_contacts] == [Stance.UNKNOWN]
    assert [a.title for a in plan.actions] == ["New action"]
    assert plan.planned(Channel.VISIT, 1) == 2
    settle(qtbot, plain_ctx)
    assert page.editor.detail is not None
    assert page.editor.detail.plan is not None
    title = page.editor.action_table.cellWidget(0, 0)
    assert isinstance(title, QLineEdit)
    assert title.text() == "New action"


def test_optimiser_proposes_and_accepts(
    plain_ctx: AppContext, qtbot: QtBot, qtmodeltester: object
) -> None:
    _setup(plain_ctx)
    page = _page(plain_ctx, qtbot)
    dialog = page.open_optimiser()
    settle(qtbot, plain_ctx)
    assert isinstance(dialog, OptimiserDialog)
    assert dialog.proposal is not None
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert dialog.model.rowCount() == 2
    assert "Big AG" in dialog.explanation.text()
    dialog.visits.setValue(2)
    dialog.run()
    settle(qtbot, plain_ctx)
    assert "Visits 2 of 2" in dialog.totals.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept_plan()
    settle(qtbot, plain_ctx)
    plans = plain_ctx.store.get_many(AccountPlan, plain_ctx.store.ids(AccountPlan))
    assert len(plans) == 2
    assert sum(p.planned(Channel.VISIT, 1) for p in plans) == 2
    assert plain_ctx.last_undo is not None
    assert plain_ctx.last_undo.label == "accept coverage plan"


def test_plans_render(window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    window.resize(1280, 800)
    window.go("Plans")
    settle(qtbot, ctx)
    settle(qtbot, ctx)
    editor = window.plans.editor
    assert editor.detail is not None
    for index, name in enumerate(("grade", "people", "coverage")):
        editor.tabs.setCurrentIndex(index)
        screenshot(qtbot, ctx, window, tmp_path / f"plans-{name}.png")
    dialog = window.plans.open_optimiser()
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, dialog, tmp_path / "dialog-optimiser.png")
    dialog.reject()
