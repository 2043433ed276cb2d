"""Full-text search finds records by name, prefix and body, best matches first."""

from __future__ import annotations

from sfa_desktop.core.entities import Account, Contact, Lead
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
