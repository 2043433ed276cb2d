"""`sfa-server`: serve, migrate, administer, seed demo data."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from sfa_desktop.core.cli_args import (
    OneLineParser,
    guarded,
    non_negative_int,
    one_line,
    port,
    positive_int,
)
from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.enums import Role
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.forecast_wire import RateInfo, RateSheet
from sync_server import cli_checks as checks
from sync_server import cli_fields
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.errors import BadRequestError, ServiceError
from sync_server.migrate import upgrade
from sync_server.services import admin, passwords, user_import
from sync_server.services import currency as currencies
from sync_server.services.pull import purge_log

DEMO_PASSWORD = "demo-password"


def _admin_commands(sub: Any) -> None:
    def add(name: str, help_text: str, *args: tuple[str, dict[str, Any]]) -> None:
        parser = sub.add_parser(name, help=help_text)
        for flag, options in args:
            parser.add_argument(flag, **options)
        parser.set_defaults(admin_command=name)

    add(
        "create-org",
        "create an organisation",
        ("name", {}),
        ("--currency", {"default": None, "help": "corporate currency (default: the server's)"}),
    )
    org = ("--org", {"default": None, "help": "the organisation (needed when there are several)"})
    add(
        "set-rate",
        "set what one unit of a currency is worth in the corporate currency from a day on",
        ("currency", {"help": "three-letter code, e.g. USD"}),
        ("valid_from", {"help": "first day the rate applies, YYYY-MM-DD"}),
        ("rate", {"help": "corporate units per unit, e.g. 0.92"}),
        org,
    )
    add(
        "remove-rate",
        "remove the rate of a currency from a day",
        ("currency", {}),
        ("valid_from", {}),
        org,
    )
    add("list-rates", "list the corporate currency and every exchange rate", org)
    add(
        "set-currency", "set the corporate currency (before any rate is set)", ("currency", {}), org
    )
    add(
        "create-user",
        "create a user who can sign in",
        ("username", {}),
        ("--org", {"required": True}),
        ("--name", {"required": True}),
        ("--email", {"required": True}),
        ("--password", {"required": True}),
        ("--role", {"choices": [r.value for r in Role], "default": Role.REP.value}),
        ("--manager", {"default": None}),
    )
    add("create-team", "create a team", ("name", {}), ("--org", {"required": True}))
    add("add-team-member", "put a user on a team", ("team", {}), ("username", {}))
    add("add-team-account", "put an account on a team", ("team", {}), ("account_id", {}))
    add(
        "set-manager",
        "set (or clear with --none) a user's manager",
        ("username", {}),
        ("manager", {"nargs": "?", "default": None}),
        ("--none", {"action": "store_true", "help": "clear the manager"}),
    )
    add(
        "set-quota",
        "set a user's quota for a period",
        ("username", {}),
        ("period", {"type": checks.period, "help": "2026-11, 2026-Q4 or 2026"}),
        ("amount", {"type": non_negative_int, "help": "in whole units, 0 or more"}),
        ("--currency", {"default": "EUR"}),
    )
    add("reassign-account", "give an account to another user", ("account_id", {}), ("username", {}))
    add("revoke-device", "revoke a device (it wipes its data)", ("device_id", {}))
    add("list-devices", "list a user's devices", ("username", {}))
    add("reset-password", "set a new password", ("username", {}), ("password", {}))
    add("list-users", "list users", ("--org", {"default": None}))
    add(
        "import-users",
        "create users from a CSV file, all or none; each gets a one-time set-up code",
        ("csv_file", {"help": "UTF-8 CSV, header: " + ",".join(user_import.COLUMNS)}),
        org,
        ("--codes", {"default": None, "help": "write the set-up codes to this new CSV file"}),
        ("--valid-days", {"type": positive_int, "default": 14, "help": "codes expire after"}),
    )
    add(
        "setup-code",
        "give a user a new one-time set-up code instead of their password (printed)",
        ("username", {}),
        ("--valid-days", {"type": positive_int, "default": 14, "help": "the code expires after"}),
    )


def _run_admin(session: Session, args: argparse.Namespace, settings: ServerSettings) -> None:
    now = utcnow()
    commands: dict[str, Callable[[], Any]] = {
        "create-org": lambda: print(
            admin.create_org(session, args.name, now, args.currency or settings.base_currency).id
        ),
        "set-rate": lambda: _print_rate(
            currencies.set_rate(
                session,
                currencies.org_for(session, args.org),
                args.currency,
                _day(args.valid_from),
                args.rate,
                now,
            )
        ),
        "remove-rate": lambda: currencies.remove_rate(
            session, currencies.org_for(session, args.org), args.currency, _day(args.valid_from)
        ),
        "list-rates": lambda: _print_rates(
            currencies.rate_sheet(session, currencies.org_for(session, args.org))
        ),
        "set-currency": lambda: currencies.set_corporate_currency(
            session, currencies.org_for(session, args.org), args.currency
        ),
        "create-user": lambda: print(
            admin.create_user(
                session,
                args.org,
                args.username,
                name=args.name,
                email=args.email,
                password=args.password,
                role=Role(args.role),
                manager=args.manager,
                now=now,
                settings=settings,
            ).id
        ),
        "create-team": lambda: print(admin.create_team(session, args.org, args.name).id),
        "add-team-member": lambda: admin.add_team_member(session, args.team, args.username),
        "add-team-account": lambda: admin.add_team_account(
            session, args.team, args.account_id, now
        ),
        "set-manager": lambda: admin.set_manager(session, args.username, _manager(args), now),
        "set-quota": lambda: print(
            admin.set_quota(session, args.username, args.period, args.amount, args.currency, now)
        ),
        "reassign-account": lambda: print(
            f"{admin.reassign_account(session, args.account_id, args.username, now)} records moved"
        ),
        "revoke-device": lambda: admin.revoke_device(session, args.device_id, now),
        "list-devices": lambda: [
            print(line) for line in admin.device_lines(session, args.username, now)
        ],
        "reset-password": lambda: admin.reset_password(
            session, args.username, args.password, settings
        ),
        "list-users": lambda: [
            print(f"{u.username}\t{u.name}\t{u.email}\t{u.role}\t{u.manager or '-'}\t{u.id}")
            for u in admin.list_users(session, args.org)
        ],
        "import-users": lambda: _import_users(session, args, settings),
        "setup-code": lambda: print(
            passwords.new_code_for(
                session, settings, admin.user_by_name(session, args.username), now, args.valid_days
            )
        ),
    }
    if args.admin_command in cli_fields.COMMANDS:
        cli_fields.run(session, args, now)
        return
    commands[args.admin_command]()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"{text!r} is not a day: write it as YYYY-MM-DD") from None


def _print_rate(rate: RateInfo) -> None:
    print(f"{rate.currency}\t{rate.valid_from}\t{rate.rate}")


def _print_rates(sheet: RateSheet) -> None:
    print(f"corporate currency\t{sheet.base}")
    for rate in sheet.rates:
        _print_rate(rate)


def _manager(args: argparse.Namespace) -> str | None:
    """set-manager's manager: a name, or None with --none (one of the two)."""
    if args.none == (args.manager is not None):
        raise BadRequestError("give the manager's username, or --none to clear it (not both)")
    return None if args.none else str(args.manager)


def _import_users(session: Session, args: argparse.Namespace, settings: ServerSettings) -> None:
    """Check every row, report each, write all or none; the codes go to --codes or out."""
    try:
        text = user_import.decode(Path(args.csv_file).read_bytes())
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or error
        raise BadRequestError(f"cannot read {args.csv_file!r}: {reason}") from None
    rows = user_import.read_rows(text)
    org = currencies.org_for(session, args.org)
    codes = _codes_file(args.codes) if args.codes else None
    try:
        result = user_import.import_users(session, settings, org, rows, utcnow(), args.valid_days)
        for row in result.rows:
            status = "; ".join(row.problems) or ("ok" if result.failed else "created")
            shown = f"\tcode {row.code}" if row.code and codes is None else ""
            print(f"row {row.line}\t{row.username or '-'}\t{status}{shown}")
        if result.failed:
            raise BadRequestError(
                f"nothing written: {len(result.failed)} of {len(rows)} rows have problems"
            )
        if codes is not None:
            writer = csv.writer(codes)
            writer.writerow(["username", "name", "email", "setup_code"])
            writer.writerows([r.username, r.get("name"), r.get("email"), r.code] for r in rows)
            codes.close()
        session.commit()
    except BaseException:
        session.rollback()
        if codes is not None:
            codes.close()
            Path(args.codes).unlink(missing_ok=True)
        raise
    where = f"; their set-up codes are in {args.codes}" if codes else ""
    print(f"{len(rows)} users created{where}")


def _codes_file(path: str) -> TextIO:
    """A new file only its owner reads (an existing one is never overwritten)."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise BadRequestError(f"cannot create {path!r}: {reason}") from None
    return open(handle, "w", encoding="utf-8", newline="")


def _demo_seed(session: Session, args: argparse.Namespace, settings: ServerSettings) -> None:
    from sfa_desktop.demo import DemoSize
    from sync_server.services import demo

    if demo.is_seeded(session):
        print("the demo organisation already exists")
        return
    logins = demo.seed_demo(
        session,
        DemoSize.scaled(args.contacts),
        password=args.password,
        today=utcnow().date(),
        now=utcnow(),
        seed=args.seed,
        settings=settings,
    )
    for login in logins:
        print(f"{login.username}\t{login.role}\t{login.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="sfa-server", description="sfa-desktop sync server")
    parser.add_argument("--database-url", help="overrides SFA_DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port, default=8765)
    serve.add_argument(
        "--workers", type=positive_int, default=1, help="server processes sharing the port"
    )
    serve.add_argument(
        "--backlog", type=positive_int, default=2048, help="connections queued before accept"
    )
    serve.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop when stdin closes (the process that started this server has ended)",
    )
    sub.add_parser("migrate", help="apply database migrations")
    purge = sub.add_parser("purge-log", help="drop tombstones older than the retention")
    purge.add_argument("--days", type=positive_int, default=None)
    demo = sub.add_parser("demo-seed", help="create the demo organisation (once)")
    demo.add_argument("--contacts", type=positive_int, default=2_000, help="organisation size")
    demo.add_argument("--password", default=DEMO_PASSWORD, help="every demo user's password")
    demo.add_argument("--seed", type=int, default=7)
    admin_parser = sub.add_parser("admin", help="administration commands")
    admin_sub = admin_parser.add_subparsers(dest="admin_command", required=True)
    _admin_commands(admin_sub)
    cli_fields.add_commands(admin_sub)
    return parser


def _tune_interpreter() -> None:
    """A request thread back from the database gets the GIL within 1 ms, not 5: a push
    holding the version lock waits less behind threads busy serialising other answers."""
    sys.setswitchinterval(0.001)


def worker_app() -> Any:
    """The app of one `serve --workers N` process (settings come from the environment)."""
    from sync_server.app import create_app

    _tune_interpreter()
    return create_app()


def _serve_workers(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Several processes: migrated once here; they share the database and the token key."""
    import os

    import uvicorn

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    os.environ.update(
        SFA_DATABASE_URL=settings.database_url,
        SFA_SECRET_KEY=settings.secret_key,
        SFA_MIGRATE_ON_START="false",
    )
    uvicorn.run(
        "sync_server.cli:worker_app",
        factory=True,
        workers=args.workers,
        **_uvicorn_options(settings, args),
    )
    return 0


def _uvicorn_options(settings: ServerSettings, args: argparse.Namespace) -> dict[str, Any]:
    """uvloop and httptools when installed (the `server` extra has them, bar Windows), no
    access log, and a keep-alive longer than any client reuses an idle connection: at
    uvicorn's 5 s (httpx's too) a request sent on a connection the server was just closing
    is lost ("Server disconnected without sending a response"). X-Forwarded-For is read by
    the app from SFA_TRUSTED_PROXIES alone, not by uvicorn."""
    return {
        "host": args.host,
        "port": args.port,
        "backlog": args.backlog,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "access_log": False,
        "log_level": "warning",
        "proxy_headers": False,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sfa-server` console script (errors: one line on stderr)."""
    return guarded("sfa-server", lambda: _checked(argv))


def _checked(argv: Sequence[str] | None) -> int:
    """`_main`, with its settings, database and address problems told in one line."""
    from pydantic import ValidationError

    args = build_parser().parse_args(argv)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    try:
        settings = ServerSettings(**overrides)
        if args.command == "serve":
            settings = checks.check_secret(settings, args.host)
            checks.check_database(settings.database_url)
            where = checks.check_listen(args.host, args.port)
            print(f"sfa-server: serving on {where} (Ctrl+C stops it)", flush=True)
        return _main(args, settings)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"sfa-server: error: the server settings (SFA_...): {problems}", file=sys.stderr)
    except (checks.CommandFailed, DomainError) as error:  # DomainError: a value a record refuses
        print(f"sfa-server: error: {one_line(error)}", file=sys.stderr)
    except checks.database_errors() as error:
        problem = checks.database_problem(settings.database_url, error)
        print(f"sfa-server: error: {problem}", file=sys.stderr)
    return 2


def _main(args: argparse.Namespace, settings: ServerSettings) -> int:
    if args.command == "serve":
        import uvicorn

        from sync_server.app import create_app

        if args.stop_with_parent:
            from sync_server.parent_watch import stop_when_stdin_closes

            stop_when_stdin_closes()

        if args.workers <= 1:
            _tune_interpreter()
            uvicorn.run(create_app(settings), **_uvicorn_options(settings, args))
            return 0
        return _serve_workers(settings, args)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        if args.command == "migrate":
            print("database is up to date")
            return 0
        with session_factory(engine)() as session:
            if args.command == "demo-seed":
                _demo_seed(session, args, settings)
            elif args.command == "purge-log":
                days = args.days or settings.log_retention_days
                print(f"purged through {purge_log(session, timedelta(days=days), utcnow())}")
            else:
                _run_admin(session, args, settings)
        return 0
    except ServiceError as exc:
        print(f"error: {one_line(exc.detail)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
