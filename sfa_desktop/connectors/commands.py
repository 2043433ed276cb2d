"""Headless commands: `sfa-desktop connect-calendar`, `connect-contacts`, `phone-contacts`
(cards made on the phone, listed or imported), and the connections' part of
`sfa-desktop sync`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from sfa_desktop.core.cli_args import db_file, non_empty, one_line

PASSWORD_VARIABLES = {
    "calendar": ("SFA_CALDAV_PASSWORD",),
    "contacts": ("SFA_CARDDAV_PASSWORD", "SFA_CALDAV_PASSWORD"),
}


def register(commands: Any) -> None:
    """Add the connect commands, and make `sync` run the connections after the server."""
    for kind, name, what in (
        ("calendar", "connect-calendar", "a CalDAV calendar"),
        ("contacts", "connect-contacts", "a CardDAV address book"),
    ):
        variable = PASSWORD_VARIABLES[kind][0]
        parser = commands.add_parser(
            name,
            help=f"connect {what} (password from ${variable} or asked)",
        )
        parser.add_argument("--url", type=non_empty, required=True, help="the server's address")
        parser.add_argument("--user", type=non_empty, required=True)
        parser.add_argument(
            "--name", type=non_empty, default=None, help="only the collection of this name"
        )
        parser.add_argument("--db", type=db_file, default=None, help="database file")
        if kind == "contacts":
            parser.add_argument(
                "--account",
                type=non_empty,
                action="append",
                default=[],
                help="only the contacts of this account (repeat for more)",
            )
            parser.add_argument(
                "--grade",
                type=_grade,
                action="append",
                default=[],
                help="only the contacts of accounts of this grade (repeat for more)",
            )
        parser.set_defaults(handler=_connect, kind=kind)
    phone = commands.add_parser(
        "phone-contacts", help="list the contacts made on the phone, or import them"
    )
    phone.add_argument("--import", dest="take", action="store_true", help="import them all")
    phone.add_argument("--db", type=db_file, default=None, help="database file")
    phone.set_defaults(handler=_phone_contacts)
    sync = commands.choices.get("sync")
    if sync is not None:
        sync.set_defaults(handler=_sync_too)
    from sfa_desktop.connectors.mail import commands as mail_commands

    mail_commands.register(commands)  # connect-mail, mail-review; `sync` captures mail last


def _grade(text: str) -> str:
    grade = text.strip().upper()
    if len(grade) != 1 or grade not in "ABCDEFG":
        raise argparse.ArgumentTypeError(f"{text!r} is not a grade (A to G)")
    return grade


def _password(kind: str, user: str) -> str:
    for variable in PASSWORD_VARIABLES[kind]:
        if os.environ.get(variable):
            return os.environ[variable]
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ")
    return sys.stdin.readline().rstrip("\n")


def _open(db: Any) -> Any:
    from sfa_desktop.sync.commands import _open_account

    return _open_account(db)


def _connect(args: argparse.Namespace) -> int:
    from sfa_desktop.connectors.dav.session import ConnectorError, check_url

    try:
        check_url(args.url)
    except ConnectorError as error:
        print(f"Not connected: --url {one_line(error)}.", file=sys.stderr)
        return 2
    password = _password(args.kind, args.user)
    if not password:
        variable = PASSWORD_VARIABLES[args.kind][0]
        print(f"Connecting needs the password: type it, or set {variable}.", file=sys.stderr)
        return 2
    account = _open(args.db)
    if account is None:
        return 1
    try:
        found = _connect_kind(account, args, password)
    except ConnectorError as error:
        print(f"Not connected: {one_line(error)}.", file=sys.stderr)
        return 1
    except ValueError as error:  # a chosen account that does not exist
        print(f"Not connected: {one_line(error)}.", file=sys.stderr)
        return 2
    finally:
        account.store.close()
    for connection in found:
        print(f"Connected {connection.name} ({connection.collection_url}).")
    print(f"The password is kept in {account.credentials.where}.")
    print("`sfa-desktop sync` (and the app, in the background) keeps it in step.")
    return 0


def _connect_kind(account: Any, args: argparse.Namespace, password: str) -> list[Any]:
    if args.kind == "calendar":
        from sfa_desktop.connectors.calendar.connect import connect_calendars

        return connect_calendars(
            account.store, account.credentials, args.url, args.user, password, args.name
        )
    from sfa_desktop.connectors.contacts.connect import connect_address_books

    options = {"accounts": _account_ids(account.store, args.account), "grades": args.grade}
    return connect_address_books(
        account.store, account.credentials, args.url, args.user, password, args.name, options
    )


def _account_ids(store: Any, names: list[str]) -> list[str]:
    """The ids of the accounts named (any case); ValueError naming one that is not there."""
    from sfa_desktop.core.entities import Account

    if not names:
        return []
    by_name: dict[str, list[str]] = {}
    for account in store.records(Account):
        by_name.setdefault(account.name.casefold(), []).append(account.id)
    missing = [name for name in names if name.strip().casefold() not in by_name]
    if missing:
        raise ValueError(f"--account: there is no account named {missing[0]!r}")
    return sorted({i for name in names for i in by_name[name.strip().casefold()]})


def _phone_contacts(args: argparse.Namespace) -> int:
    """List the cards made on the phone (every connected address book), or import them."""
    from sfa_desktop.connectors.contacts.offered import import_offered, offered_contacts

    account = _open(args.db)
    if account is None:
        return 1
    try:
        books = account.store.dav_accounts("contacts")
        if not books:
            print("No address book is connected: sfa-desktop connect-contacts first.")
            return 1
        for book in books:
            if args.take:
                result = import_offered(account.store, book.id)
                for line in result.lines:
                    print(f"{book.name}: {one_line(line)}.")
                print(f"{book.name}: {result.added} imported.")
                continue
            offered = offered_contacts(account.store, book.id)
            for card in offered:
                details = ", ".join(x for x in (card.company, card.email, card.phone) if x)
                print(f"{book.name}: {card.name}" + (f" ({details})" if details else ""))
            print(f"{book.name}: {len(offered)} made on the phone, not in the CRM.")
    finally:
        account.store.close()
    if not args.take:
        print("`sfa-desktop phone-contacts --import` imports them (after `sfa-desktop sync`).")
    return 0


def _sync_too(args: argparse.Namespace) -> int:
    """The server's sync, then every connected calendar and address book, then every
    mailbox: the store opened once (its passphrase asked once)."""
    from sfa_desktop.connectors.mail.commands import capture_after_sync
    from sfa_desktop.sync.commands import server_sync

    account = _open(args.db)
    if account is None:
        return 1
    try:
        code = server_sync(account)
        if code is None:  # the computer left its server: its store is closed (or erased)
            return 1
        code = _calendars_and_address_books(account, code)
        return capture_after_sync(account, code)
    finally:
        account.close()
        account.store.close()


def _calendars_and_address_books(account: Any, code: int) -> int:
    if not account.store.dav_accounts():
        return code
    from sfa_desktop.connectors.runner import sync_connections

    summary = sync_connections(account.store, account.credentials)
    for line in summary.lines:
        print(f"{line}.")
    for warning in summary.warnings:
        print(f"Warning: {one_line(warning)}")
    for failure in summary.failures:
        print(f"Not synced: {one_line(failure)}.", file=sys.stderr)
    return code or (1 if summary.failures else 0)
