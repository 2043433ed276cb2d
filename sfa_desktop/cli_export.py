"""`sfa-desktop export contacts FILE.csv`: every record of a kind, every field (built-in
and custom), to CSV or XLSX, without opening the app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sfa_desktop.core.cli_args import db_file, one_line

KINDS = ("accounts", "contacts", "leads", "opportunities")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "export", help="write every account, contact, lead or opportunity to CSV or XLSX"
    )
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("file", type=_new_file, help="a new .csv or .xlsx file")
    parser.add_argument("--db", type=db_file, default=None, help="database file")
    parser.set_defaults(handler=_export)


def _new_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise argparse.ArgumentTypeError(f"{text}: name a .csv or .xlsx file")
    if path.exists():
        raise argparse.ArgumentTypeError(f"{text} exists; name a new file (nothing is overwritten)")
    if not path.parent.exists():
        raise argparse.ArgumentTypeError(f"{path.parent} is not a folder")
    return path


def _export(args: argparse.Namespace) -> int:
    from sfa_desktop.core.entities import Account, Contact, Lead, Opportunity, Record
    from sfa_desktop.core.errors import DomainError
    from sfa_desktop.operations.interchange import export_records
    from sfa_desktop.sync.commands import _open_account

    models: dict[str, type[Record]] = {
        "accounts": Account,
        "contacts": Contact,
        "leads": Lead,
        "opportunities": Opportunity,
    }
    model = models[args.kind]
    account = _open_account(args.db)
    if account is None:
        return 1
    store = account.store
    try:
        ids = store.ids(model)
        written = export_records(store, model.entity, ids, args.file)
    except (DomainError, OSError) as error:
        print(f"Not exported: {one_line(error)}.", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"{written:,} {args.kind} written to {args.file}")
    return 0
