"""Full-text search finds records by name, prefix and body, best matches first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from index_check import index_problems

from sfa_desktop.core.entities import Account, CalendarEvent, Contact, Lead, Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Store
from sfa_desktop.store.search import match_expression


def test_match_expression_ands_words_and_prefixes_the_last() -> None:
    assert match_expression('  anna  "schm') == '"anna" "schm"*'
    assert match_expression("-- *") is None


def test_title_match_ranks_above_body_match(signed_in: Store) -> None:
    in_body = signed_in.create(Account, {"name": "Blue Harbour", "industry": "Logistics"}).value
    in_title = signed_in.create(Account, {"name": "Logistics United"}).value
    assert [hit.id for hit in signed_in.search("logistics")] == [in_title.id, in_body.id]


def test_prefix_search_as_you_type_and_accents_folded(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Müller Maschinenbau"}).value
    jorg = signed_in.create(
        Contact, {"first_name": "Jörg", "last_name": "Weiß", "account_id": account.id}
    ).value
    assert [hit.id for hit in signed_in.search("mull")] == [account.id]
    assert [hit.id for hit in signed_in.search("jorg we")] == [jorg.id]


def test_all_words_must_match(signed_in: Store) -> None:
    signed_in.create(Contact, {"first_name": "Anna", "last_name": "Schmidt"})
    signed_in.create(Contact, {"first_name": "Anna", "last_name": "Berg"})
    assert [hit.title for hit in signed_in.search("anna schm")] == ["Anna Schmidt"]


def test_shorter_exact_title_wins_a_tie(signed_in: Store) -> None:
    long = signed_in.create(Account, {"name": "Acme Industrial Holdings International"}).value
    short = signed_in.create(Account, {"name": "Acme"}).value
    assert [hit.id for hit in signed_in.search("acme")] == [short.id, long.id]


def test_kinds_filter_limit_and_every_searchable_kind(signed_in: Store) -> None:
    signed_in.create(Account, {"name": "Orion Labs"})
    signed_in.create(Contact, {"last_name": "Orion"})
    signed_in.create(Lead, {"company": "Orion Foods"})
    assert {hit.kind for hit in signed_in.search("orion")} == {
        EntityKind.ACCOUNT,
        EntityKind.CONTACT,
        EntityKind.LEAD,
    }
    leads = signed_in.search("orion", kinds=[EntityKind.LEAD])
    assert [hit.title for hit in leads] == ["Orion Foods"]
    assert len(signed_in.search("orion", limit=2)) == 2


def test_index_follows_updates_and_deletes(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Old Name"}).value
    signed_in.update(Account, account.id, {"name": "Fresh Name"})
    assert signed_in.search("old") == []
    assert [hit.title for hit in signed_in.search("fresh")] == ["Fresh Name"]
    signed_in.delete(Account, account.id)
    assert signed_in.search("fresh") == []


def test_punctuation_only_query_finds_nothing(signed_in: Store) -> None:
    signed_in.create(Account, {"name": "Acme"})
    assert signed_in.search('"*()') == []


def test_events_are_searched_and_kept_current(signed_in: Store) -> None:
    start = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    fields = {"title": "Pipeline review", "location": "Harbour office", "notes": "bring slides"}
    event = signed_in.create(
        CalendarEvent, fields | {"starts_at": start, "ends_at": start + timedelta(hours=1)}
    ).value
    hits = signed_in.search("pipeline rev")
    assert [(h.kind, h.id, h.title, h.context) for h in hits] == [
        (EntityKind.EVENT, event.id, "Pipeline review", "2026-12-07 08:30:00")
    ]
    assert [h.id for h in signed_in.search("harbour")] == [event.id]  # location as body
    signed_in.update(CalendarEvent, event.id, {"title": "Forecast call"})
    assert signed_in.search("pipeline") == []
    assert [h.title for h in signed_in.search("forecast")] == ["Forecast call"]
    assert index_problems(signed_in.path) == []
    signed_in.delete(CalendarEvent, event.id)
    assert signed_in.search("forecast") == []
    assert index_problems(signed_in.path) == []


def test_hits_carry_what_tells_them_apart(signed_in: Store) -> None:
    """Two contacts or deals of one name differ by their account; accounts by their city."""
    start = datetime(2026, 12, 7, tzinfo=UTC)
    for company, city in (("Walter Spedition", "Hamburg"), ("Walter Logistik", "Bremen")):
        account = signed_in.create(Account, {"name": company, "city": city}).value
        signed_in.create(
            Contact, {"first_name": "Jan", "last_name": "Ode", "account_id": account.id}
        )
        deal = {"name": "Fleet renewal", "account_id": account.id, "close_date": start.date()}
        signed_in.create(Opportunity, deal)
    contexts = {(h.kind, h.title, h.context) for h in signed_in.search("jan ode")}
    assert contexts == {
        (EntityKind.CONTACT, "Jan Ode", "Walter Spedition"),
        (EntityKind.CONTACT, "Jan Ode", "Walter Logistik"),
    }
    deals = {(h.title, h.context) for h in signed_in.search("fleet renewal")}
    assert deals == {("Fleet renewal", "Walter Spedition"), ("Fleet renewal", "Walter Logistik")}
    accounts = {(h.title, h.context) for h in signed_in.search("walter")}
    assert accounts == {("Walter Spedition", "Hamburg"), ("Walter Logistik", "Bremen")}
    lone = signed_in.create(Contact, {"last_name": "Solo"}).value  # no account: no context
    assert [(h.id, h.context) for h in signed_in.search("solo")] == [(lone.id, "")]


def test_many_matches_keep_the_best_with_their_ties(signed_in: Store) -> None:
    """With more matches than the limit, the hits are still the best by rank, then by
    shorter title, then by title, ties at the limit included."""
    for number in range(40, 0, -1):  # all rank alike (two-word titles, the same body)
        signed_in.create(Account, {"name": f"Mandel {number}", "city": "Berlin"})
    signed_in.create(Contact, {"first_name": "Jo", "last_name": "Quill", "email": "jo@mandel.de"})
    # Hand-worked: "Mandel 1".."Mandel 9" (8 letters) first, then the 9-letter titles in
    # order of their text; the contact matches in its body only and ranks last.
    expected = [f"Mandel {n}" for n in range(1, 10)] + [f"Mandel {n}" for n in range(10, 31)]
    assert [hit.title for hit in signed_in.search("man", limit=30)] == expected
    everything = [hit.title for hit in signed_in.search("man", limit=50)]
    assert everything[-1] == "Jo Quill"
    assert len(everything) == 41
