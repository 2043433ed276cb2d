"""custom fields in search: the text values of a record's custom fields join its body

The insert and update triggers of the searched kinds are made again with the body ending
in the values of the record's custom text fields (text, long text, e-mail, web address,
phone; choices, dates and numbers are filtered in lists instead), and the update trigger
also fires on `custom`. No row has
custom values yet (0012 added the column), so nothing needs indexing again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'bulk_load')"
# kind, table, title, body, columns the update trigger watches (as 0002 and 0006 made them)
SEARCHED = (
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
    (
        "event",
        "calendar_events",
        "{r}.title",
        "{r}.location || ' ' || {r}.notes",
        "title, location, notes",
    ),
)
TEXT_KINDS = "'text', 'long-text', 'email', 'url', 'phone'"


def with_custom(kind: str, body: str) -> str:
    return (
        f"{body} || ' ' || coalesce((SELECT group_concat(j.value, ' ')"
        " FROM json_each({r}.custom) AS j WHERE j.key IN (SELECT key FROM field_definitions"
        f" WHERE for_entity = '{kind}' AND field_type IN ({TEXT_KINDS}))), '')"
    )


def _retrigger(custom: bool) -> None:
    for kind, table, title, body, columns in SEARCHED:
        if custom:
            body, columns = with_custom(kind, body), f"{columns}, custom"
        doc = f"(SELECT docid FROM search_docs WHERE kind = '{kind}' AND ref = new.id)"
        new_title, new_body = title.format(r="new"), body.format(r="new")
        op.execute(f"DROP TRIGGER {table}_search_ai")
        op.execute(f"DROP TRIGGER {table}_search_au")
        op.execute(
            f"""CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} {PAUSED} BEGIN
            INSERT INTO search_docs(kind, ref) VALUES ('{kind}', new.id);
            INSERT INTO search_fts(rowid, title, body) VALUES ({doc}, {new_title}, {new_body});
        END"""
        )
        op.execute(
            f"""CREATE TRIGGER {table}_search_au AFTER UPDATE OF {columns} ON {table} BEGIN
            UPDATE search_fts SET title = {new_title}, body = {new_body} WHERE rowid = {doc};
        END"""
        )


def upgrade() -> None:
    _retrigger(custom=True)


def downgrade() -> None:
    _retrigger(custom=False)
