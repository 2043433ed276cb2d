"""`sfa-desktop plan-visits --week 2026-W50 [--json]`: the proposed week, nothing written."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sfa_desktop import paths
from sfa_desktop.core.cli_args import db_file, one_line
from sfa_desktop.core.errors import DomainError


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "plan-visits", help="print the visit planner's proposal for a week (writes nothing)"
    )
    parser.add_argument("--week", type=_week, required=True, help="ISO week such as 2026-W50")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--db", type=db_file, default=None, help="database file")
    parser.add_argument(
        "--zone", type=_zone, default=None, help="time zone of the working hours (default: local)"
    )
    parser.set_defaults(handler=_plan)


def _week(text: str) -> str:
    from sfa_desktop.operations.visit_plan import week_monday

    try:
        week_monday(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ValueError, OSError, KeyError):
        raise argparse.ArgumentTypeError(f"unknown time zone {text!r}") from None


def _local_zone() -> ZoneInfo:
    name = getattr(datetime.now().astimezone().tzinfo, "key", None)
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, OSError, KeyError):
        return ZoneInfo("UTC")


def _plan(args: argparse.Namespace) -> int:
    from sfa_desktop.app.settings import Settings
    from sfa_desktop.operations.visit_plan import (
        WeekFrame,
        planner_rules,
        propose_week,
        week_monday,
    )
    from sfa_desktop.operations.visit_report import plan_as_json, plan_as_text
    from sfa_desktop.site_config import SiteConfigError, discover
    from sfa_desktop.sync.commands import _open_account

    try:
        site = discover()
    except SiteConfigError:
        site = None
    settings = Settings(paths.config_dir() / "settings.json", site=site)
    try:
        rules = planner_rules({name: settings[name] for name in settings.schema})
    except DomainError as error:
        print(f"No plan: {one_line(error)}.", file=sys.stderr)
        return 2
    account = _open_account(args.db)
    if account is None:
        return 1
    frame = WeekFrame(week_monday(args.week), args.zone or _local_zone())
    try:
        plan = propose_week(account.store, frame, rules, now=datetime.now(UTC))
    except DomainError as error:
        print(f"No plan: {one_line(error)}.", file=sys.stderr)
        return 1
    finally:
        account.store.close()
    if args.json:
        print(json.dumps(plan_as_json(plan, frame), indent=2, ensure_ascii=False))
    else:
        print(plan_as_text(plan))
    return 0
