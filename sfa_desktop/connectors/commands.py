"""Headless commands: `sfa-desktop connect-calendar`, `connect-contacts`, and the
connections' part of `sfa-desktop sync`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
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
        parser.set_defaults(handler=_connect, kind=kind)
    sync = commands.choices.get("sync")
    if sync is not None:
        server_sync: Callable[[argparse.Namespace], int] = sync.get_default("handler")
        sync.set_defaults(handler=lambda args: _sync_too(server_sync, args))
    from sfa_desktop.connectors.mail import commands as mail_commands

    mail_commands.register(commands)  # connect-mail, mail-review; `sync` captures mail last


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

    return connect_address_books(
        account.store, account.credentials, args.url, args.user, password, args.name
    )


def _sync_too(server_sync: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """The server's sync, then every connected calendar and address book."""
    code = server_sync(args)
    account = _open(args.db)
    if account is None:
        return code or 1
    try:
        if not account.store.dav_accounts():
            return code
        from sfa_desktop.connectors.runner import sync_connections

        summary = sync_connections(account.store, account.credentials)
    finally:
        account.store.close()
    for line in summary.lines:
        print(f"{line}.")
    for warning in summary.warnings:
        print(f"Warning: {one_line(warning)}")
    for failure in summary.failures:
        print(f"Not synced: {one_line(failure)}.", file=sys.stderr)
    return code or (1 if summary.failures else 0)
