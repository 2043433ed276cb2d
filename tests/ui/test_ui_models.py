"""Every item model passes Qt's model tester; the id model loads pages lazily."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from store_seeding import seed_records
from ui_helpers import settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Contact, Lead, Task
from sfa_desktop.store.search import SearchHit
from sfa_desktop.ui.accounts.accounts_page import COLUMNS as ACCOUNT_COLUMNS
from sfa_desktop.ui.accounts.accounts_page import accounts_query
from sfa_desktop.ui.common import record_tables as cols
from sfa_desktop.ui.common.id_model import PAGE_SIZE, AccountNames, IdTableModel
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.contacts.contacts_page import contacts_query, list_columns
from sfa_desktop.ui.leads.leads_page import COLUMNS as LEAD_COLUMNS
from sfa_desktop.ui.leads.leads_page import leads_query
from sfa_desktop.ui.shell.search_popup import SearchResultsModel

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _accounts(ctx: AppContext, count: int) -> None:
    records = [
        Account(name=f"Account {i:04d}", grade="ABCDE"[i % 5], city="Kiel") for i in range(count)
    ]
    seed_records(ctx.store, records)


def test_id_model_passes_model_tester_and_pages_in(
    plain_ctx: AppContext, qtbot: QtBot, qtmodeltester: object
) -> None:
    _accounts(plain_ctx, PAGE_SIZE * 2 + 50)
    model = IdTableModel(plain_ctx, Account, ACCOUNT_COLUMNS, accounts_query("", None), "name")
    with qtbot.waitSignal(model.reloaded):
        model.activate()
    assert model.rowCount() == 450
    assert model.data(model.index(0, 0)) == "Account 0000"
    assert model.data(model.index(449, 0)) is None  # not loaded yet: asked for in the background
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.data(model.index(449, 0)) == "Account 0449"
    assert model.data(model.index(0, 3), Qt.ItemDataRole.TextAlignmentRole) is not None
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    settle(qtbot, plain_ctx)


def test_id_model_sorts_and_refreshes_on_changes(plain_ctx: AppContext, qtbot: QtBot) -> None:
    _accounts(plain_ctx, 3)
    model = IdTableModel(plain_ctx, Account, ACCOUNT_COLUMNS, accounts_query("", None), "name")
    model.sort(0, Qt.SortOrder.DescendingOrder)  # remembered; nothing loads until activated
    assert model.rowCount() == 0
    with qtbot.waitSignal(model.reloaded):
        model.activate()
    assert model.data(model.index(0, 0)) == "Account 0002"
    saved = plain_ctx.store.create(Account, {"name": "Zulu"})
    with qtbot.waitSignal(model.reloaded):
        plain_ctx.announce(saved.changes)
    assert model.data(model.index(0, 0)) == "Zulu"
    with qtbot.assertNotEmitted(model.reloaded, wait=50):
        model.sort(99)


def test_other_id_models_pass_model_tester(
    ctx: AppContext, qtbot: QtBot, qtmodeltester: object
) -> None:
    accounts = AccountNames()
    for model_type, columns, query, sort in (
        (Contact, list_columns(accounts), contacts_query(""), "last_name"),
        (Lead, LEAD_COLUMNS, leads_query("", None), "created_at"),
    ):
        model = IdTableModel(  # type: ignore[type-var]
            ctx,
            model_type,
            columns,
            query,
            sort,
            accounts=accounts,  # type: ignore[arg-type]
        )
        with qtbot.waitSignal(model.reloaded):
            model.activate()
        assert model.rowCount() > 0
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    settle(qtbot, ctx)


def test_contact_list_shows_company_and_phone(ctx: AppContext, qtbot: QtBot) -> None:
    accounts = AccountNames()
    model = IdTableModel(
        ctx, Contact, list_columns(accounts), contacts_query(""), "last_name", accounts=accounts
    )
    with qtbot.waitSignal(model.reloaded):
        model.activate()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["Name", "Company", "Phone"]
    for row in range(min(model.rowCount(), 50)):
        contact = model.record_at(row)
        assert contact is not None
        company = ctx.store.get(Account, contact.account_id).name if contact.account_id else ""
        assert model.data(model.index(row, 0)) == contact.full_name
        assert model.data(model.index(row, 1)) == company
        assert model.data(model.index(row, 2)) == (contact.phone or contact.mobile or "")
    assert any(model.data(model.index(row, 1)) for row in range(min(model.rowCount(), 50)))


def test_list_models_pass_model_tester(qtmodeltester: object) -> None:
    tasks = RecordListModel(cols.TASKS)
    tasks.set_records([Task(title="Call back", due_date=date(2020, 1, 2), remind_at=NOW)])
    assert tasks.data(tasks.index(0, 1)) == "Call back"
    assert tasks.data(tasks.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None
    qtmodeltester.check(tasks)  # type: ignore[attr-defined]
    contacts = RecordListModel(cols.CONTACTS)
    contacts.set_records([Contact(last_name="Still", do_not_call=True, do_not_mail=True)])
    assert contacts.data(contacts.index(0, 4)) == "Call, Mail"
    qtmodeltester.check(contacts)  # type: ignore[attr-defined]
    empty = RecordListModel(cols.OPPORTUNITIES)
    qtmodeltester.check(empty)  # type: ignore[attr-defined]


def test_search_results_model(qtmodeltester: object) -> None:
    from sfa_desktop.core.enums import EntityKind

    model = SearchResultsModel()
    model.set_hits(
        [SearchHit(EntityKind.ACCOUNT, "a", "Acme"), SearchHit(EntityKind.LEAD, "l", "Ana")]
    )
    assert model.data(model.index(0, 0)) == "Acme   ·   Account"
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_search_leaves_out_a_short_last_word_while_typing() -> None:
    from sfa_desktop.ui.shell.search_popup import effective_query

    assert effective_query("mu") == ""
    assert effective_query("mül") == "mül"
    assert effective_query("anna s") == "anna"
    assert effective_query("anna sc") == "anna"
    assert effective_query("anna sch") == "anna sch"
