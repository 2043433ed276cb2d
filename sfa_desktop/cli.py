"""The `sfa-desktop` command."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
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
    demo = commands.add_parser("demo", help="build a local store with demo data and open the app")
    demo.add_argument("--contacts", type=int, default=2_000, help="organisation size in contacts")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--db", type=Path, default=None, help="database file (default: user data)")
    demo.add_argument("--fresh", action="store_true", help="replace an existing demo database")
    demo.add_argument("--no-gui", action="store_true", help="only build the store and print it")
    demo.add_argument("--page", default=None, help="page to start on, e.g. accounts")
    demo.set_defaults(handler=_demo)
    sync_commands.register(commands)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity
    from sfa_desktop.demo import DemoSize
    from sfa_desktop.store import Store
    from sfa_desktop.store.seed import seed_demo_store

    db: Path = args.db or paths.data_dir() / "demo.db"
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(db)
    if store.current_user_id() is None:
        result = seed_demo_store(
            store, DemoSize.scaled(args.contacts), seed=args.seed, today=date.today()
        )
        print(f"Demo data for {result.user.name} ({result.user.email}): {result.records:,} records")
    counts = ", ".join(
        f"{store.count(model):,} {model.entity_name()}s"
        for model in (Account, Contact, Opportunity, Activity)
    )
    print(f"Local store {db}: {counts}")
    store.close()
    if args.no_gui:
        return 0
    return _open(db, args.page)


def _run(args: argparse.Namespace) -> int:
    return _open(args.db or paths.data_dir() / "store.db", args.page)


def _open(db: Path, page: str | None) -> int:
    from sfa_desktop.ui.app import run

    return run(db, page)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:  # no command: open the app on the user's store
        args = _parser().parse_args(["run", *(argv or [])])
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
