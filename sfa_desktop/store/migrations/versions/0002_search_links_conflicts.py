"""search index (FTS5), contact link tables and the conflict inbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sfa_desktop.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind, table, title expression, body expression, columns whose change re-indexes the row
SEARCHABLE = (
    (
        "account",
        "accounts",
        "{r}.name",
        "{r}.domain || ' ' || {r}.industry || ' ' || {r}.city || ' ' || {r}.country",
        "name, domain, industry, city, country",
    ),
    (
        "contact",
        "contacts",
        "trim({r}.first_name || ' ' || {r}.last_name)",
        "coalesce({r}.email, '') || ' ' || {r}.title || ' ' || coalesce({r}.phone, '')",
        "first_name, last_name, email, title, phone",
    ),
    (
        "opportunity",
        "opportunities",
        "{r}.name",
        "{r}.next_step || ' ' || {r}.competitor",
        "name, next_step, competitor",
    ),
    (
        "lead",
        "leads",
        "trim({r}.first_name || ' ' || {r}.last_name || ' ' || {r}.company)",
        "coalesce({r}.email, '') || ' ' || {r}.title || ' ' || {r}.source || ' ' || {r}.campaign",
        "first_name, last_name, company, email, title, source, campaign",
    ),
)

# link table, parent table, parent key column, JSON list column
LINKS = (
    ("activity_contacts", "activities", "activity_id", "contact_ids"),
    ("event_attendees", "calendar_events", "event_id", "attendee_ids"),
)


def _search_sql(kind: str, table: str, title: str, body: str, columns: str) -> list[str]:
    doc = "(SELECT docid FROM search_docs WHERE kind = '{k}' AND ref = {r}.id)"
    new_doc, old_doc = doc.format(k=kind, r="new"), doc.format(k=kind, r="old")
    new_title, new_body = title.format(r="new"), body.format(r="new")
    return [
        f"""CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO search_docs(kind, ref) VALUES ('{kind}', new.id);
            INSERT INTO search_fts(rowid, title, body) VALUES ({new_doc}, {new_title}, {new_body});
        END""",
        f"""CREATE TRIGGER {table}_search_au AFTER UPDATE OF {columns} ON {table} BEGIN
            UPDATE search_fts SET title = {new_title}, body = {new_body} WHERE rowid = {new_doc};
        END""",
        f"""CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN
            DELETE FROM search_fts WHERE rowid = {old_doc};
            DELETE FROM search_docs WHERE kind = '{kind}' AND ref = old.id;
        END""",
        f"INSERT INTO search_docs(kind, ref) SELECT '{kind}', id FROM {table}",
        f"""INSERT INTO search_fts(rowid, title, body)
            SELECT d.docid, {title.format(r="t")}, {body.format(r="t")}
            FROM {table} AS t JOIN search_docs AS d ON d.kind = '{kind}' AND d.ref = t.id""",
    ]


def _link_sql(link: str, parent: str, key: str, column: str) -> list[str]:
    fill = (
        f"INSERT INTO {link}({key}, contact_id) SELECT new.id, value FROM json_each(new.{column})"
    )
    return [
        f"CREATE TRIGGER {parent}_{link}_ai AFTER INSERT ON {parent} BEGIN {fill}; END",
        f"""CREATE TRIGGER {parent}_{link}_au AFTER UPDATE OF {column} ON {parent} BEGIN
            DELETE FROM {link} WHERE {key} = new.id; {fill};
        END""",
        f"""INSERT INTO {link}({key}, contact_id)
            SELECT p.id, j.value FROM {parent} AS p, json_each(p.{column}) AS j""",
    ]


def upgrade() -> None:

    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=False),
        sa.Column("lost_value", sa.JSON(), nullable=False),
        sa.Column("detected_at", sfa_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", sfa_desktop.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflicts_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "activity_contacts",
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("activity_id", "contact_id"),
    )
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_contacts_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "event_attendees",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["calendar_events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "contact_id"),
    )
    with op.batch_alter_table("event_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_attendees_contact_id"), ["contact_id"], unique=False
        )

    op.execute(
        "CREATE TABLE search_docs (docid INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
        "ref TEXT NOT NULL, UNIQUE (kind, ref))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
    )
    for spec in SEARCHABLE:
        for statement in _search_sql(*spec):
            op.execute(statement)
    for link in LINKS:
        for statement in _link_sql(*link):
            op.execute(statement)


def downgrade() -> None:
    for _kind, table, *_rest in SEARCHABLE:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER {table}_search_{suffix}")
    for link, parent, *_rest in LINKS:
        for suffix in ("ai", "au"):
            op.execute(f"DROP TRIGGER {parent}_{link}_{suffix}")
    op.execute("DROP TABLE search_fts")
    op.execute("DROP TABLE search_docs")
    with op.batch_alter_table("event_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_attendees_contact_id"))

    op.drop_table("event_attendees")
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_contacts_contact_id"))

    op.drop_table("activity_contacts")
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflicts_entity_id"))

    op.drop_table("conflicts")
