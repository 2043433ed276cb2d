"""The `sfa-desktop` command."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sfa_desktop import __version__, cli_export, cli_visits, paths, site_config
from sfa_desktop.connectors import commands as connector_commands
from sfa_desktop.core.cli_args import OneLineParser, db_file, guarded, positive_int
from sfa_desktop.site_config import SiteConfig, SiteConfigError
from sfa_desktop.sync import commands as sync_commands
from sfa_desktop.sync import passwd as passwd_command
from sfa_desktop.sync import reset as reset_command


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="sfa-desktop", description="Offline-first SFA client")
    parser.add_argument("--version", action="version", version=f"sfa-desktop {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="same as the self-test command (for installers)"
    )
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser(
        "self-test",
        help="check this installation: site file, database, keyring, Qt on this display; 0 if ok",
    )
    check.add_argument("--db", type=db_file, default=None, help="database (default: a temp)")
    check.set_defaults(handler=_self_test)
    run = commands.add_parser("run", help="open the app on a local store (the default)")
    run.add_argument("--db", type=db_file, default=None, help="database file (default: user data)")
    run.add_argument("--page", type=page_name, default=None, help="page to start on, e.g. accounts")
    run.set_defaults(handler=_run)
    demo = commands.add_parser(
        "demo", help="run a demo server on loopback and open the app signed in to it"
    )
    demo.add_argument(
        "--contacts", type=positive_int, default=2_000, help="organisation size in contacts"
    )
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--fresh", action="store_true", help="start over with new demo data")
    demo.add_argument("--no-gui", action="store_true", help="sync and print, without the window")
    demo.add_argument(
        "--page", type=page_name, default=None, help="page to start on, e.g. accounts"
    )
    demo.set_defaults(handler=_demo)
    sync_commands.register(commands)
    connector_commands.register(commands)  # after sync: `sync` runs the connections too
    reset_command.register(commands)
    passwd_command.register(commands)
    cli_visits.register(commands)
    cli_export.register(commands)
    return parser


def _self_test(args: argparse.Namespace) -> int:
    from sfa_desktop import self_test

    return self_test.run(args.db)


def site_or_none() -> tuple[SiteConfig | None, str]:
    """The site config in force, or None and why the site file was ignored (printed)."""
    try:
        return site_config.discover(), ""
    except SiteConfigError as error:
        problem = f"The site configuration was ignored:\n{error}"
        print(f"sfa-desktop: {problem}", file=sys.stderr)
        return None, problem


def _demo(args: argparse.Namespace) -> int:
    """A demo server on loopback, the first demo rep signed in on a local store, the app."""
    import shutil

    from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity
    from sfa_desktop.core.errors import DomainError
    from sfa_desktop.store import Store
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials
    from sfa_desktop.sync.errors import SyncError

    try:
        from sfa_desktop.sync.local_server import DEMO_PASSWORD, LocalServer, demo_rep_username
    except ImportError:  # the installed bundle leaves out the server and the demo generator
        print("The demo needs a source install: pip install 'sfa-desktop[all]'", file=sys.stderr)
        return 1

    if not args.no_gui:  # a window that cannot open says so now, not after the sync
        from sfa_desktop.app.platform_check import exit_if_unusable

        exit_if_unusable()
    folder = paths.data_dir() / "demo"
    if args.fresh:
        shutil.rmtree(folder, ignore_errors=True)
    key = _demo_store_key(folder / "client.db")
    print(f"Starting the demo server (first run builds its data, {args.contacts:,} contacts)…")
    try:
        with LocalServer(folder / "server", args.contacts, args.seed) as server:
            store = Store.open(folder / "client.db", key=key)
            account = SyncAccount(store, Credentials(vault=store))
            if account.store.rescued is not None:
                print(account.store.rescued.message)
            username = demo_rep_username(args.contacts, args.seed)
            user = account.sign_in(server.url, username, DEMO_PASSWORD, "demo laptop")
            report = account.engine().run_once()
            store = account.store
            counts = ", ".join(
                f"{store.count(model):,} {model.plural_name()}"
                for model in (Account, Contact, Opportunity, Activity)
            )
            print(f"Signed in to {server.url} as {user.name} ({username} / {DEMO_PASSWORD}).")
            print(f"Synced {report.pulled:,} changes; local store {store.path}: {counts}")
            if args.no_gui:
                account.close()
                store.close()
                return 0
            from sfa_desktop.app.app_log import start_logging
            from sfa_desktop.ui.app import run

            start_logging(paths.log_dir())
            return run(store.path, args.page, account, on_ready=_say_demo_ready)
    except (SyncError, DomainError) as error:  # DomainError: the local store cannot open
        print(f"The demo could not start: {error}")
        return 1


def _say_demo_ready(_window: object) -> None:
    print("The app is open: closing it or Ctrl+C here stops the demo server too.", flush=True)


def _demo_store_key(path: Path) -> bytes:
    """The demo store's key from the keyring; with no keyring the demo asks nothing (it is
    one command): a key held only in memory, and the demo store re-created on each run."""
    from sfa_desktop.security import store_key
    from sfa_desktop.store.encryption import remove_with_sidecars

    try:
        return store_key.load(path, ask=None).key
    except store_key.StoreKeyLost:  # encrypted with a key of an earlier run: start over
        remove_with_sidecars(path)
        with contextlib.suppress(store_key.StoreKeyError):
            return store_key.load(path, ask=None).key
    except store_key.StoreKeyError:
        pass
    print(
        "No system keyring: the demo's local store is encrypted with a key held only "
        "in memory, so it is downloaded again on each run."
    )
    store_key.forget(path)
    remove_with_sidecars(path)
    return store_key.in_memory().key


def _run(args: argparse.Namespace) -> int:
    from sfa_desktop.app.app_log import start_logging
    from sfa_desktop.ui.app import application, run

    start_logging(paths.log_dir())
    site, problem = site_or_none()
    if problem:
        from PySide6.QtWidgets import QMessageBox

        application()
        QMessageBox.warning(None, "SFA Desktop", f"{problem}\n\nThe app starts without it.")
    return run(args.db or paths.default_store(), args.page, site=site)


def page_name(text: str) -> str:
    """A page of the main window, named in any case; the list of them when it is not one."""
    from sfa_desktop.ui.shell.page_factory import PAGES

    for name in PAGES:
        if text.strip().casefold() == name.casefold():
            return name.lower()
    names = ", ".join(name.lower() for name in PAGES)
    raise argparse.ArgumentTypeError(f"no page is called {text!r}; the pages: {names}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sfa-desktop` console script (errors: one line on stderr)."""
    return guarded("sfa-desktop", lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in argv:  # the installers' spelling of the self-test command
        argv.remove("--self-test")
        argv.insert(0, "self-test")
    args = _parser().parse_args(argv)
    if args.command is None:  # no command: open the app on the user's store
        args = _parser().parse_args(["run", *(argv or [])])
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
