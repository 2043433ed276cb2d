"""calendar and address-book connectors: what each linked record looked like, last summary

`dav_links.seen` is the record's mark (server version and last change time, with its
account's for a contact) when the connector last settled it: a later run compares only
the records whose mark moved, not every linked record. `dav_accounts.last_summary` is the
last run's one-line result, shown in Settings ▸ Connections.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-13 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("dav_links", sa.Column("seen", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "dav_accounts", sa.Column("last_summary", sa.Text(), server_default="", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("dav_accounts") as batch:
        batch.drop_column("last_summary")
    with op.batch_alter_table("dav_links") as batch:
        batch.drop_column("seen")
