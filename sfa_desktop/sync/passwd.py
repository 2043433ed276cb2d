"""`sfa-desktop passwd`: change the signed-in user's password, or (`--setup`) set the first
one with the administrator's one-time set-up code. Secrets are typed on the terminal (or
given as lines on stdin), never on the command line."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sfa_desktop.core.cli_args import db_file, non_empty
from sfa_desktop.core.protocol import MIN_PASSWORD_LENGTH
from sfa_desktop.sync import commands


def register(commands_parser: Any) -> None:
    """Add `passwd` to the `sfa-desktop` parser."""
    passwd = commands_parser.add_parser(
        "passwd", help="change your password, or set the first one with --setup"
    )
    passwd.add_argument(
        "--setup", action="store_true", help="set the first password with your set-up code"
    )
    passwd.add_argument("--user", type=non_empty, default=None, help="with --setup: who")
    passwd.add_argument("--server", default=None, help="with --setup (default: site file)")
    passwd.add_argument("--db", type=db_file, default=None, help="database (default: user data)")
    passwd.set_defaults(handler=_passwd)


def _ask(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def _secrets(setup: bool) -> tuple[str, str] | str:
    """(current password or code, new password), or the one line saying what is wrong."""
    first = _ask("Set-up code: " if setup else "Current password: ")
    new = _ask("New password: ")
    if not first or not new:
        what = "set-up code" if setup else "current password"
        return f"passwd needs the {what} and the new password (typed, or lines on stdin)."
    if len(new) < MIN_PASSWORD_LENGTH:
        return f"The new password needs at least {MIN_PASSWORD_LENGTH} characters."
    if sys.stdin.isatty() and getpass.getpass("New password again: ") != new:
        return "The two new passwords differ; nothing changed."
    return first, new


def _passwd(args: argparse.Namespace) -> int:
    from sfa_desktop.sync.errors import SyncError

    server = (args.server or commands._site_server()) if args.setup else ""
    if args.setup and not (args.user and server):
        print(
            "passwd --setup needs --user NAME and --server URL (or a site file).", file=sys.stderr
        )
        return 2
    typed = _secrets(args.setup)
    if isinstance(typed, str):
        print(typed, file=sys.stderr)
        return 2
    account = commands._open_account(args.db)
    if account is None:
        return 1
    try:
        if args.setup:
            account.set_up_password(server, args.user, *typed)
        elif not account.server_url:
            print(
                "Not signed in: sign in first, or use --setup with a set-up code.", file=sys.stderr
            )
            return 2
        else:
            account.client().change_password(*typed)
    except SyncError as error:
        where = server or account.server_url or ""
        print(f"Password not changed: {commands._failure(error, where)}", file=sys.stderr)
        return 1
    finally:
        account.close()
        account.store.close()
    print("Password set: sign in with it now." if args.setup else "Password changed.")
    return 0
