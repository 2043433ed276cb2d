"""The `sfa-desktop` command."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from sfa_desktop import __version__, paths
from sfa_desktop.sync import commands as sync_commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sfa-desktop", description="Offline-first SFA client")
    parser.add_argument("--version", action="version", version=f"sfa-desktop {__version__}")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="open the app on a local store (the default)")
    run.add_argument("--db", type=Path, default=None, help="database file (default: user data)")
    run.add_argument("--page", default=None, help="page to start on, e.g. accounts")
    run.set_defaults(handler=_run)
    demo = commands.add_parser(
        "demo", help="run a demo server on loopback and open the app signed in to it"
    )
    demo.add_argument("--contacts", type=int, default=2_000, help="organisation size in contacts")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--fresh", action="store_true", help="start over with new demo data")
    demo.add_argument("--no-gui", action="store_true", help="sync and print, without the window")
    demo.add_argument("--page", default=None, help="page to start on, e.g. accounts")
    demo.set_defaults(handler=_demo)
    sync_commands.register(commands)
    return parser


def _demo(args: argparse.Namespace) -> int:
    """A demo server on loopback, the first demo rep signed in on a local store, the app."""
    import shutil

    from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity
    from sfa_desktop.store import Store
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials
    from sfa_desktop.sync.errors import SyncError
    from sfa_desktop.sync.local_server import DEMO_PASSWORD, LocalServer, demo_rep_username

    folder = paths.data_dir() / "demo"
    if args.fresh:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"Starting the demo server (first run builds its data, {args.contacts:,} contacts)…")
    try:
        with LocalServer(folder / "server", args.contacts, args.seed) as server:
            account = SyncAccount(Store.open(folder / "client.db"), Credentials())
            username = demo_rep_username(args.contacts, args.seed)
            user = account.sign_in(server.url, username, DEMO_PASSWORD, "demo laptop")
            report = account.engine().run_once()
            store = account.store
            counts = ", ".join(
                f"{store.count(model):,} {model.entity_name()}s"
                for model in (Account, Contact, Opportunity, Activity)
            )
            print(f"Signed in to {server.url} as {user.name} ({username} / {DEMO_PASSWORD}).")
            print(f"Synced {report.pulled:,} changes; local store {store.path}: {counts}")
            if args.no_gui:
                account.close()
                store.close()
                return 0
            from sfa_desktop.ui.app import run

            return run(store.path, args.page, account)
    except SyncError as error:
        print(f"The demo could not start: {error}")
        return 1


def _run(args: argparse.Namespace) -> int:
    from sfa_desktop.ui.app import run

    return run(args.db or paths.default_store(), args.page)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:  # no command: open the app on the user's store
        args = _parser().parse_args(["run", *(argv or [])])
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
