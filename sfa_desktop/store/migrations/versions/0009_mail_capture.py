"""email capture: what an activity keeps of a message, and the mailbox's own state

Activities captured from the rep's mailbox keep the message's direction ("in"/"out"),
Message-ID (indexed: every device and re-scan finds it), the thread it belongs to (the
root Message-ID of its References/In-Reply-To chain, indexed) and its attachments'
names and sizes. Device-local tables (never synced): the connected mailboxes, each
watched folder's UIDVALIDITY, last UID and HIGHESTMODSEQ, and every Message-ID this
device captured or was told not to log.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-11 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sfa_desktop.sql.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (a batch would copy the table and lose its triggers).
    table = "activities"
    op.add_column(table, sa.Column("direction", sa.String(8), server_default="", nullable=False))
    op.add_column(table, sa.Column("message_id", sa.Text(), server_default="", nullable=False))
    op.add_column(table, sa.Column("thread_id", sa.Text(), server_default="", nullable=False))
    op.add_column(table, sa.Column("attachments", sa.JSON(), server_default="[]", nullable=False))
    op.create_index("ix_activities_message_id", table, ["message_id"])
    op.create_index("ix_activities_thread_id", table, ["thread_id"])
    op.create_table(
        "mail_accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("folders", sa.JSON(), nullable=False),
        sa.Column("never_capture", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("last_check_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "mail_folders",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("highest_modseq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["mail_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "name"),
    )
    op.create_table(
        "mail_messages",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("activity_ids", sa.JSON(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("mail_messages")
    op.drop_table("mail_folders")
    op.drop_table("mail_accounts")
    op.drop_index("ix_activities_thread_id", "activities")
    op.drop_index("ix_activities_message_id", "activities")
    for column in ("attachments", "thread_id", "message_id", "direction"):
        op.drop_column("activities", column)
