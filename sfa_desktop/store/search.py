"""Full-text search over accounts, contacts, opportunities, leads and events (SQLite FTS5)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from sfa_desktop.core.enums import EntityKind

SEARCHABLE: tuple[EntityKind, ...] = (
    EntityKind.ACCOUNT,
    EntityKind.CONTACT,
    EntityKind.OPPORTUNITY,
    EntityKind.LEAD,
    EntityKind.EVENT,
)
# How each searchable table is indexed (kind, table, title, body; `t` is the row): the same
# expressions as the triggers of migrations 0002 and 0006, which keep the index current.
# The values of a row's custom text fields (`t` is the row; text, long text, e-mail, web
# address, phone: the kinds a person searches by words), appended to every body. Choices,
# dates and numbers are filtered in lists instead; indexing them too cost a first download
# ~15 % (40k contacts with 20 fields: 3.05 s this way, 3.36 s with every text leaf).
TEXT_KINDS = "'text', 'long-text', 'email', 'url', 'phone'"


def custom_text(kind: str, row: str = "t") -> str:
    return (
        f"coalesce((SELECT group_concat(j.value, ' ') FROM json_each({row}.custom) AS j"
        f" WHERE j.key IN (SELECT key FROM field_definitions WHERE for_entity = '{kind}'"
        f" AND field_type IN ({TEXT_KINDS}))), '')"
    )


INDEXED: tuple[tuple[str, str, str, str], ...] = tuple(
    (kind, table, title, f"{body} || ' ' || {custom_text(kind)}")
    for kind, table, title, body in (
        (
            "account",
            "accounts",
            "t.name",
            "t.domain || ' ' || t.industry || ' ' || t.city || ' ' || t.country",
        ),
        (
            "contact",
            "contacts",
            "trim(t.first_name || ' ' || t.last_name)",
            "coalesce(t.email, '') || ' ' || t.title || ' ' || coalesce(t.phone, '')",
        ),
        ("opportunity", "opportunities", "t.name", "t.next_step || ' ' || t.competitor"),
        (
            "lead",
            "leads",
            "trim(t.first_name || ' ' || t.last_name || ' ' || t.company)",
            "coalesce(t.email, '') || ' ' || t.title || ' ' || t.source || ' ' || t.campaign",
        ),
        ("event", "calendar_events", "t.title", "t.location || ' ' || t.notes"),
    )
)
# Link table, parent table, parent key column, JSON list of contact ids.
LINKED: tuple[tuple[str, str, str, str], ...] = (
    ("activity_contacts", "activities", "activity_id", "contact_ids"),
    ("event_attendees", "calendar_events", "event_id", "attendee_ids"),
)
# Title matches weigh ten times body matches in the BM25 ranking.
_RANK = "bm25(search_fts, 10.0, 1.0)"
_TOKEN = re.compile(r"\w+", re.UNICODE)


# What tells hits with one title apart: a contact's or a deal's account, an account's
# city, an event's first start (UTC, 'YYYY-MM-DD HH:MM:SS').
_CONTEXT: dict[str, str] = {
    "account": "SELECT id, city FROM accounts",
    "contact": "SELECT t.id, a.name FROM contacts AS t JOIN accounts AS a ON a.id = t.account_id",
    "opportunity": (
        "SELECT t.id, a.name FROM opportunities AS t JOIN accounts AS a ON a.id = t.account_id"
    ),
    "event": "SELECT id, substr(starts_at, 1, 19) FROM calendar_events",
}


@dataclass(frozen=True)
class SearchHit:
    kind: EntityKind
    id: str
    title: str
    context: str = ""  # see _CONTEXT


def finish_bulk_load(connection: Connection) -> bool:
    """Index the rows a first download inserted while the insert triggers were paused, and
    resume the triggers; False when no download was in progress. Run it in the transaction
    that removes the pause (the caller's): all of it lands, or none of it.

    The update and delete triggers never pause, so every existing index entry is current:
    only rows without an entry (and parents without links) need one.
    """
    paused = connection.execute(
        text("DELETE FROM sync_state WHERE key = 'bulk_load' RETURNING key")
    ).first()
    if paused is None:
        return False
    for kind, table, title, body in INDEXED:
        newest = connection.execute(text("SELECT coalesce(max(docid), 0) FROM search_docs"))
        first_new = newest.scalar_one() + 1
        connection.execute(
            text(
                f"INSERT INTO search_docs(kind, ref) SELECT '{kind}', t.id FROM {table} AS t "
                f"WHERE NOT EXISTS (SELECT 1 FROM search_docs AS d "
                f"WHERE d.kind = '{kind}' AND d.ref = t.id) ORDER BY t.rowid"
            )
        )
        connection.execute(
            text(
                f"INSERT INTO search_fts(rowid, title, body) SELECT d.docid, {title}, {body} "
                f"FROM search_docs AS d JOIN {table} AS t ON t.id = d.ref "
                f"WHERE d.docid >= :first_new"
            ),
            {"first_new": first_new},
        )
    # One segment instead of the several a bulk insert leaves: otherwise the next small
    # writes (the first incremental syncs) pay for merging them.
    connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    for link, parent, key, column in LINKED:
        connection.execute(
            text(
                f"INSERT INTO {link}({key}, contact_id) "
                f"SELECT t.id, j.value FROM {parent} AS t, json_each(t.{column}) AS j "
                f"WHERE NOT EXISTS (SELECT 1 FROM {link} AS l WHERE l.{key} = t.id)"
            )
        )
    return True


def match_expression(query: str) -> str | None:
    """An FTS5 query: every word must match, the last one as a prefix (search as you type)."""
    words = _TOKEN.findall(query)
    if not words:
        return None
    terms = [f'"{word}"' for word in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(terms)


def search(
    connection: Connection,
    query: str,
    kinds: Iterable[EntityKind] = SEARCHABLE,
    limit: int = 50,
) -> list[SearchHit]:
    """Best matches first: by BM25 rank, then by shorter title, then by title."""
    expression = match_expression(query)
    wanted = [kind.value for kind in kinds if kind in SEARCHABLE]
    if expression is None or not wanted:
        return []
    placeholders = ", ".join(f":k{i}" for i in range(len(wanted)))
    # Searching every kind, only documents ranked at least as well as the limit-th best
    # can be among the hits (ties included): ranking alone reads no title and joins no
    # map, so the titles and kinds of the few that pass are read instead of those of every
    # match (a three-letter prefix matches tens of thousands). NULL: fewer matches.
    cut = (
        f"AND {_RANK} <= ifnull((SELECT {_RANK} FROM search_fts "
        f"WHERE search_fts MATCH :expression ORDER BY {_RANK} "
        f"LIMIT 1 OFFSET :limit - 1), 1e308) "
        if len(wanted) == len(SEARCHABLE)
        else ""
    )
    rows = connection.execute(
        text(
            f"SELECT d.kind, d.ref, f.title FROM search_fts AS f "
            f"JOIN search_docs AS d ON d.docid = f.rowid "
            f"WHERE search_fts MATCH :expression AND d.kind IN ({placeholders}) {cut}"
            f"ORDER BY {_RANK}, length(f.title), f.title LIMIT :limit"
        ),
        {"expression": expression, "limit": limit}
        | {f"k{i}": kind for i, kind in enumerate(wanted)},
    )
    found = list(rows)
    contexts = _contexts(connection, [(kind, ref) for kind, ref, _ in found])
    return [
        SearchHit(EntityKind(kind), ref, title, contexts.get(ref, "")) for kind, ref, title in found
    ]


def _contexts(connection: Connection, hits: list[tuple[str, str]]) -> dict[str, str]:
    """Each hit's context (see _CONTEXT), by id."""
    found: dict[str, str] = {}
    for kind, select in _CONTEXT.items():
        ids = [ref for hit_kind, ref in hits if hit_kind == kind]
        if not ids:
            continue
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        id_column = "id" if " AS t " not in select else "t.id"
        rows = connection.execute(
            text(f"{select} WHERE {id_column} IN ({marks})"),
            {f"i{n}": ref for n, ref in enumerate(ids)},
        )
        found.update((ref, value or "") for ref, value in rows)
    return found
