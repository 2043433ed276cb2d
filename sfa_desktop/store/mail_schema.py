"""Tables of the mailbox connector (device-local, never synced): the connected mailboxes,
each watched folder's place (UIDVALIDITY, last UID, HIGHESTMODSEQ), and the Message-IDs
this device captured or was told not to log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sfa_desktop.store.schema import Base


class MailAccountRow(Base):
    """One connected IMAP mailbox (its password is kept apart, like the sign-in's)."""

    __tablename__ = "mail_accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    security: Mapped[str] = mapped_column(String(16))  # "tls", "starttls" or "none"
    username: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(320))  # the rep's own address here
    folders: Mapped[list[Any]]  # the folders watched
    never_capture: Mapped[list[Any]]  # domains and addresses never logged
    state: Mapped[str] = mapped_column(String(16))  # "review" until the rep accepted
    since: Mapped[datetime]  # mail before this is never captured
    last_check_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)


class MailFolderRow(Base):
    """Where the last check of a watched folder stopped."""

    __tablename__ = "mail_folders"
    account_id: Mapped[str] = mapped_column(
        ForeignKey("mail_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(1000), primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    highest_modseq: Mapped[int | None] = mapped_column(BigInteger)


class MailMessageRow(Base):
    """A message this device dealt with: captured (its activities) or not to be logged."""

    __tablename__ = "mail_messages"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # see mail capture's key
    message_id: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # "captured" or "dropped"
    activity_ids: Mapped[list[Any]]
    seen_at: Mapped[datetime]
