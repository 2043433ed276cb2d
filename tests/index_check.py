"""Checks that a store's derived data (search index, contact link tables) matches its rows."""

from __future__ import annotations

from pathlib import Path

from store_keys import TEST_KEY, raw

from sfa_desktop.store.search import INDEXED, LINKED


def index_problems(path: Path, store_key: bytes | None = TEST_KEY) -> list[str]:
    """What is missing from, stale in or extra in the search index and the link tables."""
    problems: list[str] = []
    with raw(path, store_key) as db:
        for kind, table, title, body in INDEXED:
            expected = set(db.execute(f"SELECT t.id, {title}, {body} FROM {table} AS t"))
            actual = set(
                db.execute(
                    "SELECT d.ref, f.title, f.body FROM search_docs AS d "
                    "LEFT JOIN search_fts AS f ON f.rowid = d.docid WHERE d.kind = ?",
                    (kind,),
                )
            )
            problems += [f"{kind} not indexed as {row}" for row in expected - actual]
            problems += [f"{kind} index entry {row} is stale" for row in actual - expected]
        docs = db.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        entries = db.execute("SELECT count(*) FROM search_fts").fetchone()[0]
        if docs != entries:
            problems.append(f"{docs} search docs but {entries} index entries")
        for link, parent, key, column in LINKED:
            expected = set(
                db.execute(f"SELECT t.id, j.value FROM {parent} AS t, json_each(t.{column}) AS j")
            )
            actual = set(db.execute(f"SELECT {key}, contact_id FROM {link}"))
            problems += [f"{link} lacks {row}" for row in expected - actual]
            problems += [f"{link} has stale {row}" for row in actual - expected]
    return problems
