"""calendar events in the search index

Events are searched by title (location and notes as body) like the other searchable
kinds: the same three triggers (the insert trigger pauses during a first download, as in
0003), and the events already stored are indexed now.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'bulk_load')"
TITLE, BODY = "{r}.title", "{r}.location || ' ' || {r}.notes"
DOC = "(SELECT docid FROM search_docs WHERE kind = 'event' AND ref = {r}.id)"


def upgrade() -> None:
    new_doc, old_doc = DOC.format(r="new"), DOC.format(r="old")
    title, body = TITLE.format(r="new"), BODY.format(r="new")
    op.execute(
        f"""CREATE TRIGGER calendar_events_search_ai AFTER INSERT ON calendar_events {PAUSED}
        BEGIN
            INSERT INTO search_docs(kind, ref) VALUES ('event', new.id);
            INSERT INTO search_fts(rowid, title, body) VALUES ({new_doc}, {title}, {body});
        END"""
    )
    op.execute(
        f"""CREATE TRIGGER calendar_events_search_au
        AFTER UPDATE OF title, location, notes ON calendar_events BEGIN
            UPDATE search_fts SET title = {title}, body = {body} WHERE rowid = {new_doc};
        END"""
    )
    op.execute(
        f"""CREATE TRIGGER calendar_events_search_ad AFTER DELETE ON calendar_events BEGIN
            DELETE FROM search_fts WHERE rowid = {old_doc};
            DELETE FROM search_docs WHERE kind = 'event' AND ref = old.id;
        END"""
    )
    op.execute("INSERT INTO search_docs(kind, ref) SELECT 'event', id FROM calendar_events")
    op.execute(
        f"""INSERT INTO search_fts(rowid, title, body)
        SELECT d.docid, {TITLE.format(r="t")}, {BODY.format(r="t")}
        FROM calendar_events AS t JOIN search_docs AS d ON d.kind = 'event' AND d.ref = t.id"""
    )


def downgrade() -> None:
    for suffix in ("ai", "au", "ad"):
        op.execute(f"DROP TRIGGER calendar_events_search_{suffix}")
    op.execute(
        "DELETE FROM search_fts WHERE rowid IN (SELECT docid FROM search_docs WHERE kind = 'event')"
    )
    op.execute("DELETE FROM search_docs WHERE kind = 'event'")
