"""Tables of the calendar and address-book connectors (device-local, never synced): the
connected collections, what the server held at the last sync, and which record is which
object there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sfa_desktop.store.schema import Base


class DavAccountRow(Base):
    """One connected CalDAV calendar or CardDAV address book (its password is kept apart)."""

    __tablename__ = "dav_accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "calendar" or "contacts"
    url: Mapped[str] = mapped_column(Text)  # what the rep typed (the server's root)
    username: Mapped[str] = mapped_column(String(200))
    collection_url: Mapped[str] = mapped_column(Text)  # the calendar or address book found
    name: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]]  # push_crm, account or grade filters
    sync_token: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    last_summary: Mapped[str] = mapped_column(Text, server_default="")  # the last run's line


class DavObjectRow(Base):
    """A calendar object or vCard as the server held it at the last sync."""

    __tablename__ = "dav_objects"
    account_id: Mapped[str] = mapped_column(
        ForeignKey("dav_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    href: Mapped[str] = mapped_column(String(1000), primary_key=True)
    uid: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)


class DavLinkRow(Base):
    """A CRM record and the object (and, for a recurring series, the instance) it is on the
    server; `base` holds the mapped values both sides agreed on at the last sync."""

    __tablename__ = "dav_links"
    account_id: Mapped[str] = mapped_column(
        ForeignKey("dav_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    href: Mapped[str] = mapped_column(String(1000), index=True)
    recurrence_id: Mapped[str] = mapped_column(String(64))  # "" for a whole object
    base: Mapped[dict[str, Any]]
    seen: Mapped[str] = mapped_column(Text, server_default="")  # the record's mark then
