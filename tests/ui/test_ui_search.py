"""Ctrl+K search: hits say what tells them apart, and a hit opens exactly its record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot
from ui_helpers import settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, CalendarEvent, Contact, Lead, Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.search import SearchHit
from sfa_desktop.ui.calendar.event_dialog import EventDialog
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.shell.search_popup import hit_text


def _hit(ctx: AppContext, query: str, record_id: str) -> SearchHit:
    return next(h for h in ctx.store.search(query, limit=50) if h.id == record_id)


def _open_forms(window: MainWindow) -> list[RecordForm]:
    return [form for form in window.findChildren(RecordForm) if form.isVisible()]


def test_hit_texts_name_the_company_or_city(ctx: AppContext) -> None:
    store = ctx.store
    account = store.create(Account, {"name": "Walter Spedition", "city": "Hamburg"}).value
    contact = store.create(
        Contact, {"first_name": "Jo", "last_name": "Quill"} | {"account_id": account.id}
    ).value
    deal = store.create(
        Opportunity,
        {"name": "Walter Spedition – Fleet renewal", "account_id": account.id}
        | {"close_date": datetime.now(UTC).date()},
    ).value
    assert hit_text(_hit(ctx, "quill", contact.id)) == "Jo Quill   ·   Contact at Walter Spedition"
    assert hit_text(_hit(ctx, "fleet renewal", deal.id)) == (
        "Fleet renewal   ·   Opportunity at Walter Spedition"
    )
    assert hit_text(_hit(ctx, "walter", account.id)) == "Walter Spedition   ·   Account in Hamburg"


def test_a_deal_hit_opens_that_deal(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    deals = ctx.store.get_many(Opportunity, ctx.store.ids(Opportunity, sort="name"))
    deal = deals[len(deals) // 2]
    window.open_hit(SearchHit(EntityKind.OPPORTUNITY, deal.id, deal.name, ""))
    settle(qtbot, ctx)
    assert window.current_page() is window.pipeline
    assert window.pipeline.board.selected == deal.id
    forms = _open_forms(window)
    assert [f.widgets["name"].text() for f in forms] == [deal.name]  # type: ignore[attr-defined]
    account = ctx.store.get(Account, deal.account_id)
    assert forms[0].widgets["account_id"].text() == account.name  # type: ignore[attr-defined]
    forms[0].reject()


def test_a_contact_hit_opens_that_contact(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    contacts = ctx.store.get_many(Contact, ctx.store.contact_ids())
    contact = contacts[-3]
    window.open_hit(SearchHit(EntityKind.CONTACT, contact.id, contact.full_name, ""))
    settle(qtbot, ctx)
    page = window.contacts
    assert window.current_page() is page
    assert page.view.contact_id == contact.id
    assert page.view.title.text() == contact.full_name
    rows = page.list.selectionModel().selectedRows()
    assert [page.model.id_at(r.row()) for r in rows] == [contact.id]


def test_a_lead_hit_selects_that_lead_even_behind_a_filter(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    lead = ctx.store.create(Lead, {"first_name": "Ana", "last_name": "Zyx", "company": "Zyx"})
    ctx.announce(lead.changes)
    window.go("Leads")
    window.leads.filter.setText("nobody by this name")
    settle(qtbot, ctx)
    window.open_hit(SearchHit(EntityKind.LEAD, lead.value.id, "Ana Zyx Zyx", ""))
    qtbot.waitUntil(lambda: window.leads.selected() is not None, timeout=5000)
    selected = window.leads.selected()
    assert selected is not None
    assert selected.id == lead.value.id
    assert window.leads.filter.text() == ""


def test_an_event_hit_opens_that_event(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    event = ctx.store.create(
        CalendarEvent,
        {
            "title": "Quarterly fleet review",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
        },
    )
    ctx.announce(event.changes)
    hit = _hit(ctx, "quarterly fleet", event.value.id)
    assert hit.kind is EntityKind.EVENT
    window.open_hit(hit)
    settle(qtbot, ctx)
    page = window.calendar
    assert window.current_page() is page
    assert start.astimezone().date() in page.view.days()
    assert page.view.selected is not None
    assert page.view.selected.event.id == event.value.id
    dialogs = [d for d in page.findChildren(EventDialog) if d.isVisible()]
    assert [d.title.text() for d in dialogs] == ["Quarterly fleet review"]
    dialogs[0].reject()


def test_typing_searches_only_when_the_query_changes(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    """Each keystroke shows hits for its text, but a space or a last word under three
    letters leaves the query as it was: the store is asked once per distinct query."""
    store = ctx.store
    account = store.create(Account, {"name": "Walter Spedition", "city": "Hamburg"}).value
    asked: list[str] = []
    search = store.search

    def counted(query: str, *args: object, **kwargs: object) -> list[SearchHit]:
        asked.append(query)
        return search(query, *args, **kwargs)  # type: ignore[arg-type]

    store.search = counted  # type: ignore[method-assign]
    popup = window.search
    shown: list[str] = []
    popup.results_shown.connect(shown.append)
    popup.popup()
    popup.box.clear()
    for char in "walter spe":
        popup.box.insert(char)
        qtbot.waitUntil(lambda: bool(shown) and shown[-1] == popup.box.text())
        settle(qtbot, ctx)
    # Hand-worked: "wal", "walt", "walte", "walter" search; "walter ", "walter s",
    # "walter sp" keep "walter"; "walter spe" searches; "w" and "wa" are too short.
    assert asked == ["wal", "walt", "walte", "walter", "walter spe"]
    assert [h.id for h in popup.model.hits] == [account.id]
    popup.hide()
