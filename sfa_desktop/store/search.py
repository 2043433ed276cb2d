"""Full-text search over accounts, contacts, opportunities and leads (SQLite FTS5)."""

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
)
# Title matches weigh ten times body matches in the BM25 ranking.
_RANK = "bm25(search_fts, 10.0, 1.0)"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    kind: EntityKind
    id: str
    title: str


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
    rows = connection.execute(
        text(
            f"SELECT d.kind, d.ref, f.title FROM search_fts AS f "
            f"JOIN search_docs AS d ON d.docid = f.rowid "
            f"WHERE search_fts MATCH :expression AND d.kind IN ({placeholders}) "
            f"ORDER BY {_RANK}, length(f.title), f.title LIMIT :limit"
        ),
        {"expression": expression, "limit": limit}
        | {f"k{i}": kind for i, kind in enumerate(wanted)},
    )
    return [SearchHit(EntityKind(kind), ref, title) for kind, ref, title in rows]
