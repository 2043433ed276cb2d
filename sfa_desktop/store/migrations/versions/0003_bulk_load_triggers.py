"""insert triggers of the search index and link tables pause during a first download

While sync_state holds the key 'bulk_load', rows inserted into the searchable tables and
the link parents are not indexed one by one; the download indexes them all at its end
(sfa_desktop.store.search.finish_bulk_load) and removes the key in the same transaction.
Update and delete triggers keep working (a row without an index entry is a no-op for them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'bulk_load')"

# kind, table, title expression, body expression (as in 0002)
SEARCHABLE = (
    (
        "account",
        "accounts",
        "new.name",
        "new.domain || ' ' || new.industry || ' ' || new.city || ' ' || new.country",
    ),
    (
        "contact",
        "contacts",
        "trim(new.first_name || ' ' || new.last_name)",
        "coalesce(new.email, '') || ' ' || new.title || ' ' || coalesce(new.phone, '')",
    ),
    (
        "opportunity",
        "opportunities",
        "new.name",
        "new.next_step || ' ' || new.competitor",
    ),
    (
        "lead",
        "leads",
        "trim(new.first_name || ' ' || new.last_name || ' ' || new.company)",
        "coalesce(new.email, '') || ' ' || new.title || ' ' || new.source || ' ' || new.campaign",
    ),
)

# link table, parent table, parent key column, JSON list column
LINKS = (
    ("activity_contacts", "activities", "activity_id", "contact_ids"),
    ("event_attendees", "calendar_events", "event_id", "attendee_ids"),
)


def _search_ai(kind: str, table: str, title: str, body: str, when: str) -> str:
    doc = f"(SELECT docid FROM search_docs WHERE kind = '{kind}' AND ref = new.id)"
    return f"""CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} {when} BEGIN
        INSERT INTO search_docs(kind, ref) VALUES ('{kind}', new.id);
        INSERT INTO search_fts(rowid, title, body) VALUES ({doc}, {title}, {body});
    END"""


def _link_ai(link: str, parent: str, key: str, column: str, when: str) -> str:
    return f"""CREATE TRIGGER {parent}_{link}_ai AFTER INSERT ON {parent} {when} BEGIN
        INSERT INTO {link}({key}, contact_id) SELECT new.id, value FROM json_each(new.{column});
    END"""


def _recreate(when: str) -> None:
    for kind, table, title, body in SEARCHABLE:
        op.execute(f"DROP TRIGGER {table}_search_ai")
        op.execute(_search_ai(kind, table, title, body, when))
    for link, parent, key, column in LINKS:
        op.execute(f"DROP TRIGGER {parent}_{link}_ai")
        op.execute(_link_ai(link, parent, key, column, when))


def upgrade() -> None:
    _recreate(PAUSED)


def downgrade() -> None:
    paused = op.get_bind().exec_driver_sql("SELECT 1 FROM sync_state WHERE key = 'bulk_load'")
    if paused.first() is not None:  # 0002 would never index the rows downloaded so far
        raise RuntimeError("a first download is unfinished: sync (or finish it) first")
    _recreate("")
