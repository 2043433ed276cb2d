"""Headless commands: `sfa-desktop login` and `sfa-desktop sync`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfa_desktop import paths
from sfa_desktop.core.cli_args import db_file, non_empty, one_line
from sfa_desktop.core.device_names import default_device_name

if TYPE_CHECKING:
    from sfa_desktop.sync.account import SyncAccount

CHECK = "check the server address, that the server is running, and this computer's network"
_KEYS: dict[Path, Any] = {}  # store keys this process has opened, by database file


def register(commands: Any) -> None:
    """Add the sync subcommands to the `sfa-desktop` parser."""
    login = commands.add_parser("login", help="sign this computer in to a sync server")
    login.add_argument(
        "--server",
        default=None,
        help="server URL, e.g. https://sfa.example.com (default: site file)",
    )
    login.add_argument("--user", type=non_empty, required=True)
    login.add_argument("--device-name", type=non_empty, default=default_device_name())
    login.add_argument(
        "--db", type=db_file, default=None, help="database file (default: user data)"
    )
    login.set_defaults(handler=_login)
    sync = commands.add_parser("sync", help="run one sync now, without the window")
    sync.add_argument("--db", type=db_file, default=None, help="database file (default: user data)")
    sync.set_defaults(handler=_sync)


def _account(db: Path | None) -> SyncAccount:
    """The store's sync account (imported here: `sfa-desktop` starts without the sync stack);
    the store's key from the keyring, or its passphrase asked on the terminal."""
    from sfa_desktop.security import store_key
    from sfa_desktop.store import Store
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials
    from sfa_desktop.sync.retry import interactive

    path = (db or paths.default_store()).resolve()
    key = _KEYS.get(path) or store_key.load(path, ask=store_key.console_ask, attempts=3)
    store = Store.open(path, key=key.key)
    _KEYS[path] = key  # a command that opens the store again does not ask again
    account = SyncAccount(store, Credentials(vault=store))
    account.retry = interactive(on_retry=lambda why: print(f"  {one_line(why)}…", flush=True))
    return account


def _open_account(db: Path | None) -> SyncAccount | None:
    """The sync account, or None once the reason the store cannot be opened is printed
    (one line; a rescued store's one-line note is printed too)."""
    from sfa_desktop.core.errors import DomainError

    try:
        account = _account(db)
    except DomainError as error:  # a wrong passphrase, a lost key, a wrong key, a damaged file
        print(f"The local database cannot be opened: {one_line(error)}", file=sys.stderr)
        return None
    if account.store.rescued is not None:  # a damaged file was set aside: say what was kept
        print(account.store.rescued.message, file=sys.stderr)
    return account


def _site_server() -> str:
    """The server URL the admin's site file sets, or "" (a broken site file is reported)."""
    from sfa_desktop.site_config import SiteConfigError, discover

    try:
        site = discover()
    except SiteConfigError as error:
        print(f"The site configuration was ignored: {one_line(error)}", file=sys.stderr)
        return ""
    return site.server_url if site else ""


def _locked_server() -> str:
    """The server the admin's site file locks, or "" (not locked, or no site file)."""
    from sfa_desktop.site_config import SiteConfigError, discover
    from sfa_desktop.sync.site_move import locked_server

    try:
        return locked_server(discover())
    except SiteConfigError:
        return ""  # reported by _site_server


def _login(args: argparse.Namespace) -> int:
    server = args.server or _site_server()
    locked = _locked_server()
    if locked and server.rstrip("/") != locked.rstrip("/"):
        print(
            f"Sign-in refused: this computer's site file locks the server to {locked}.",
            file=sys.stderr,
        )
        return 2
    if not server:
        print("Sign-in needs --server URL (no site file sets the server).", file=sys.stderr)
        return 2
    from sfa_desktop.core.addresses import check_server_url

    try:
        server = check_server_url(server)
    except ValueError as error:
        print(f"Sign-in refused: --server {one_line(error)}.", file=sys.stderr)
        return 2
    password = (
        getpass.getpass(f"Password for {args.user}: ")
        if sys.stdin.isatty()
        else (sys.stdin.readline().rstrip("\n"))
    )
    if not password:
        print(
            "Sign-in needs the password: type it, or give it as a line on stdin.", file=sys.stderr
        )
        return 2
    from sfa_desktop.sync.errors import SyncError

    account = _open_account(args.db)
    if account is None:
        return 1
    moved = _move_if_locked(account)
    if moved is False:
        return 1  # the edits for the old server are kept: said why
    if moved:  # the old server's copy is erased: sign in on a new store
        account = _open_account(args.db)
        if account is None:
            return 1
    print(f"Connecting to {server}…", flush=True)
    try:
        user = account.sign_in(server, args.user, password, args.device_name)
    except SyncError as error:
        print(f"Sign-in failed: {_failure(error, server)}", file=sys.stderr)
        return 1
    finally:
        account.store.close()
    print(f"Signed in as {user.name} on {server}.")
    print(f"Your sign-in is kept in {account.credentials.where}.")
    if account.credentials.message:
        print(account.credentials.message)
    return 0


def _move_if_locked(account: SyncAccount) -> bool | None:
    """None when the site file locks no other server than the account's. Otherwise the
    account leaves its server (sync_server.site_move) and closes: True when it moved (the
    store is erased: sign in next), False when edits for the old server are kept."""
    from sfa_desktop.site_config import SiteConfigError, discover
    from sfa_desktop.sync.site_move import leave_old_server, needed

    try:
        new = needed(account, discover())
    except SiteConfigError:
        return None  # reported by _site_server; a broken file locks nothing
    if not new:
        return None
    print(f"Sending unsynced edits to {account.server_url} before moving to {new}…", flush=True)
    move = leave_old_server(account, new)
    account.store.close()
    print(move.message(), file=sys.stdout if move.moved else sys.stderr)
    if move.moved:
        print(f"Sign in: sfa-desktop login --user {move.username or 'NAME'}")
    return move.moved


def _failure(error: Exception, server: str) -> str:
    """Why a command's call to `server` failed, in one line; a server that did not answer
    (or answered nonsense) is named, with what to check."""
    from sfa_desktop.sync.errors import Offline
    from sfa_desktop.sync.retry import TransientFailure

    if isinstance(error, TransientFailure | Offline):
        cause = error.__cause__ if isinstance(error, Offline) else error
        return one_line(f"no answer from {server} ({cause}): {CHECK}.")
    return one_line(error)


def _sync(args: argparse.Namespace) -> int:
    account = _open_account(args.db)
    if account is None:
        return 1
    try:
        code = server_sync(account)
    finally:
        account.close()
        account.store.close()
    return 1 if code is None else code


def server_sync(account: SyncAccount) -> int | None:
    """One sync with the server of an open account (the caller closes it), said in a few
    lines: the exit code, or None when the computer left its server (the store is closed
    then; sign in next, or edits are kept for the old server)."""
    from sfa_desktop.sync.errors import SyncError

    if _move_if_locked(account) is not None:
        return None  # moved (sign in next) or kept for the old server: said which
    if account.server_url:
        print(f"Syncing with {account.server_url}…", flush=True)
    try:
        report = account.engine().run_once()
    except SyncError as error:
        print(f"Sync failed: {_failure(error, account.server_url or '')}", file=sys.stderr)
        return 1
    print(
        f"Synced: {report.pushed} pushed, {report.pulled} pulled, "
        f"{report.conflicts} conflicts, {report.rejected} refused."
    )
    for warning in report.warnings:
        print(f"Warning: {warning}")
    return 0
