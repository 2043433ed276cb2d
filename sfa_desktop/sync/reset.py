"""`sfa-desktop reset`: hand a laptop over. What can be pushed is pushed first, then the
local store, its key and the saved sign-in are erased.

Unsynced edits are never erased silently: when the server cannot take them the command
stops and says how many would be lost; `--force` erases them anyway.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sfa_desktop import paths
from sfa_desktop.core.cli_args import db_file, one_line


def register(commands: Any) -> None:
    """Add `reset` to the `sfa-desktop` parser."""
    reset = commands.add_parser(
        "reset",
        help="push what can be pushed, then erase this computer's local data, key and sign-in",
    )
    reset.add_argument(
        "--db", type=db_file, default=None, help="database file (default: user data)"
    )
    reset.add_argument(
        "--force", action="store_true", help="erase even unsynced edits the server cannot take now"
    )
    reset.set_defaults(handler=_reset)


def _reset(args: argparse.Namespace) -> int:
    from sfa_desktop.security import store_key
    from sfa_desktop.store.encryption import remove_with_sidecars
    from sfa_desktop.sync.commands import _open_account
    from sfa_desktop.sync.errors import AuthenticationRequired, SyncError

    path: Path = args.db or paths.default_store()
    if not path.exists():
        store_key.forget(path)  # a key left by an earlier store of that name
        print(f"Nothing to reset: there is no local database at {path}.")
        return 0
    account = _open_account(args.db)
    if account is None:
        if not args.force:
            print("Run again with --force to erase it anyway.", file=sys.stderr)
            return 1
        store_key.forget(path)
        remove_with_sidecars(path)
        print(f"Erased the local database {path} and its key.")
        return 0
    pending = account.store.outbox_count()
    if pending and account.server_url:
        print(f"Sending {pending} unsynced edits to {account.server_url}…", flush=True)
        try:
            account.engine().run_once()
        except (SyncError, AuthenticationRequired) as error:
            print(f"  could not send them: {one_line(error)}", file=sys.stderr)
        pending = account.store.outbox_count()
    if pending and not args.force:
        account.close()
        account.store.close()
        print(
            f"Not reset: {pending} edits made on this computer have not reached the server. "
            "Sync when the server can be reached, or run again with --force to erase them.",
            file=sys.stderr,
        )
        return 1
    account.end_session()  # the server shows this device as signed out
    account.wipe()  # the key first, then the store and its outbox copy, and the sign-in
    lost = f" ({pending} unsynced edits erased)" if pending else ""
    print(f"Reset: the local database {path}, its key and the saved sign-in are erased{lost}.")
    return 0
