"""calendar and address-book connectors: accounts, server objects, record links

Device-local tables (never synced) for CalDAV/CardDAV: the connected collections, what
the server held at the last sync (ETag and body per href) and which CRM record is which
object or recurrence instance there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sfa_desktop.store.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dav_accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("collection_url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("sync_token", sa.Text(), nullable=True),
        sa.Column("last_sync_at", sfa_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dav_objects",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["dav_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "href"),
    )
    op.create_table(
        "dav_links",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("recurrence_id", sa.String(length=64), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["dav_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "record_id"),
    )
    with op.batch_alter_table("dav_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dav_links_href"), ["href"], unique=False)


def downgrade() -> None:
    op.drop_table("dav_links")
    op.drop_table("dav_objects")
    op.drop_table("dav_accounts")
