"""Insight views on PostgreSQL at scale: medians per view for a top manager and a
first-line manager, and the plans of each view's slowest statements.

    .venv/bin/python benchmarks/insight_bench.py --scale 0.1 [--runs 5] [--keep]

Scale 1 is issue 20's target: 1,000 reps (a director, 10 regional and 100 first-line
managers), 200,000 accounts, 1M opportunities (2 years back, 9 months ahead), ~3M stage
changes, 5M activities over 2 years, 2 years of weekly snapshots for everyone, account
plans for the A-C accounts and quotas. Data is made in SQL (INSERT ... SELECT
generate_series) in a schema of its own, then ANALYZEd. Deal snapshots are not made (no
view reads them); opportunity records only for deals pushed twice or more (the slipping
list reads their names). Targets: < 300 ms a view for the top manager, < 100 ms for a
first-line manager.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Activity
from sfa_desktop.core.enums import EntityKind
from sync_server.migrate import upgrade
from sync_server.models import AccountFact, User
from sync_server.services import insight_accuracy, insight_coverage, insight_pipeline
from sync_server.services.records import VersionBlock, end_prefetch, prefetch_rows, save

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)

# Each statement: one kind of row, made from the scale's counts (:reps, :accounts, ...).
_DATA = [
    (
        "people",
        """
        INSERT INTO orgs (id, name, created_at, currency) VALUES ('org', 'bench', now(), 'EUR');
        INSERT INTO users (id, org_id, username, name, email, role, manager_id, password_hash,
                           active, resync_floor, created_at)
        SELECT 'u' || i, 'org', 'u' || i, 'Person ' || i, 'u' || i || '@x.test',
               CASE WHEN i > :managers THEN 'rep' ELSE 'manager' END,
               CASE WHEN i = 1 THEN NULL
                    WHEN i <= 1 + :regions THEN 'u1'
                    WHEN i <= :managers THEN 'u' || (2 + (i - 2 - :regions) % :regions)
                    ELSE 'u' || (2 + :regions + (i - :managers - 1) % (:managers - 1 - :regions))
               END,
               'x', true, 0, now()
        FROM generate_series(1, :managers + :reps) AS i;
        """,
    ),
    (
        "accounts",
        """
        INSERT INTO account_facts (id, org_id, owner_id, name, grade, potential, currency)
        SELECT 'a' || i, 'org', 'u' || (:managers + 1 + i % :reps), 'Account ' || i,
               (ARRAY['A','B','B','B','C','C','C','C','C','C','D','D','D','D','D','D','E',
                      'E','E','E'])[1 + (i * 7) % 20],
               (1 + (i * 37) % 100) * 1000000, 'EUR'
        FROM generate_series(CAST(1 AS bigint), :accounts) AS i;
        """,
    ),
    (
        "opportunities",
        """
        INSERT INTO opportunity_facts (id, org_id, owner_id, close_date, category, amount,
                                       currency, account_id, stage, close_pushes)
        SELECT 'o' || i, 'org', 'u' || (:managers + 1 + a % :reps), d,
               CASE WHEN d >= CAST(:today AS date) THEN
                        (ARRAY['pipeline','pipeline','best_case','commit','commit'])[1 + i % 5]
                    WHEN i % 9 < 4 THEN 'closed' ELSE 'omitted' END,
               (1 + (i * 13) % 200) * 100000, 'EUR', 'a' || a,
               CASE WHEN d >= CAST(:today AS date) THEN
                        (ARRAY['prospecting','qualification','needs_analysis','proposal',
                               'negotiation'])[1 + i % 5]
                    WHEN i % 9 < 4 THEN 'closed_won' ELSE 'closed_lost' END,
               CASE WHEN i % 10 < 8 THEN 0 ELSE 1 + i % 3 END
        FROM (SELECT i, 1 + (i * 7919) % :accounts AS a,
                     CAST(:today AS date) - 730 + CAST((i * 104729) % 1000 AS int) AS d
              FROM generate_series(CAST(1 AS bigint), :opportunities) AS i) AS s;
        """,
    ),
    (
        "stage changes",
        """
        INSERT INTO stage_facts (id, org_id, opportunity_id, to_stage, changed_at, left_at)
        SELECT o.id || '-' || n, 'org', o.id,
               CASE WHEN n = steps AND o.stage LIKE 'closed%' THEN o.stage
                    ELSE (ARRAY['prospecting','qualification','needs_analysis','proposal',
                                'negotiation'])[n] END,
               (o.close_date - (steps - n + 1) * 12)::timestamptz,
               CASE WHEN n < steps THEN (o.close_date - (steps - n) * 12)::timestamptz END
        FROM (SELECT id, stage, close_date,
                     CASE WHEN stage LIKE 'closed%' THEN 2 + length(id) % 4
                          ELSE array_position(ARRAY['prospecting','qualification',
                               'needs_analysis','proposal','negotiation'], stage) END AS steps
              FROM opportunity_facts) AS o,
             generate_series(1, o.steps) AS n;
        """,
    ),
    (
        "activities",
        """
        INSERT INTO activity_facts (id, org_id, owner_id, account_id, channel, occurred_on)
        SELECT 'x' || i, 'org', 'u' || (:managers + 1 + a % :reps), 'a' || a,
               (ARRAY['visit','call','call','email','email','email','event','mail','note'])
                   [1 + (i * 31) % 9],
               CAST(:today AS date) - CAST((i * 7907) % 730 AS int)
        FROM (SELECT i, 1 + (i * 6007) % :accounts AS a
              FROM generate_series(CAST(1 AS bigint), :activities) AS i) AS s;
        """,
    ),
    (
        "snapshots",
        """
        INSERT INTO forecast_snapshots (org_id, user_id, period, taken_at, closed, commit,
            best_case, pipeline, omitted, quota, submitted_commit, submitted_best_case,
            projected, projection_source)
        SELECT 'org', u.id,
               extract(year FROM w)::int || '-Q' || extract(quarter FROM w)::int, w,
               k * 1000000, k * 500000, k * 300000, k * 900000, 0, k * 3000000,
               k * 1400000, k * 1800000, k * 1500000, 'rep'
        FROM users AS u,
             generate_series(TIMESTAMPTZ '2024-12-02 06:00+00',
                             CAST(:now AS timestamptz), INTERVAL '7 days') AS w,
             LATERAL (SELECT 1 + (length(u.id) * 17 + extract(week FROM w)::int) % 40 AS k) AS f;
        """,
    ),
    (
        "plans and quotas",
        """
        INSERT INTO records (entity, id, org_id, owner_id, account_id, version, deleted, data,
                             field_versions, updated_by, changed_at)
        SELECT 'account_plan', 'p' || a.id, 'org', a.owner_id, a.id,
               row_number() OVER (), false,
               json_build_object('account_id', a.id, 'fiscal_year', 2026, 'coverage',
                   json_build_array(
                       json_build_object('quarter', 4, 'channel', 'visit', 'planned', 3),
                       json_build_object('quarter', 4, 'channel', 'call', 'planned', 6),
                       json_build_object('quarter', 4, 'channel', 'email', 'planned', 12))),
               '{}', NULL, now()
        FROM account_facts AS a WHERE a.grade IN ('A', 'B', 'C');
        INSERT INTO plan_facts (plan_id, quarter, channel, org_id, owner_id, account_id,
                                fiscal_year, planned)
        SELECT 'p' || a.id, 4, c.channel, 'org', a.owner_id, a.id, 2026, c.planned
        FROM account_facts AS a,
             (VALUES ('visit', 3), ('call', 6), ('email', 12)) AS c (channel, planned)
        WHERE a.grade IN ('A', 'B', 'C');
        INSERT INTO records (entity, id, org_id, owner_id, account_id, version, deleted, data,
                             field_versions, updated_by, changed_at)
        SELECT 'quota', 'q' || u.id || '-' || q, 'org', u.id, NULL,
               (SELECT max(version) FROM records) + row_number() OVER (), false,
               json_build_object('period', '2026-Q' || q, 'amount', 30000000, 'currency', 'EUR'),
               '{}', NULL, now()
        FROM users AS u, generate_series(1, 4) AS q;
        INSERT INTO records (entity, id, org_id, owner_id, account_id, version, deleted, data,
                             field_versions, updated_by, changed_at)
        SELECT 'opportunity', o.id, 'org', o.owner_id, o.account_id,
               (SELECT max(version) FROM records) + row_number() OVER (), false,
               json_build_object('name', 'Deal ' || o.id), '{}', NULL, now()
        FROM opportunity_facts AS o WHERE o.close_pushes >= 2;
        """,
    ),
]


def counts(scale: float) -> dict[str, Any]:
    reps = max(20, round(1000 * scale))
    regions = max(1, reps // 100)
    first_line = max(2, reps // 10)
    return {
        "reps": reps,
        "regions": regions,
        "managers": 1 + regions + first_line,
        "accounts": round(200_000 * scale),
        "opportunities": round(1_000_000 * scale),
        "activities": round(5_000_000 * scale),
        "today": TODAY.isoformat(),
        "now": NOW.isoformat(),
    }


def build(engine: Engine, scale: float) -> None:
    """The facts at 0006, then the later migrations (0008 back-fills the summaries)."""
    upgrade(engine, "0006")
    params = counts(scale)
    with engine.begin() as connection:
        for name, sql in _DATA:
            started = time.perf_counter()
            for statement in (s for s in sql.split(";\n") if s.strip()):
                connection.execute(
                    text(statement), {k: params[k] for k in params if f":{k}" in statement}
                )
            print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    upgrade(engine)
    print(f"  summaries (migrations): {time.perf_counter() - started:.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        started = time.perf_counter()
        connection.execute(text("VACUUM ANALYZE"))
        print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s", flush=True)


class Statements:
    """The statements a view runs, each with its time (for EXPLAIN of the slowest)."""

    def __init__(self, engine: Engine) -> None:
        self.found: list[tuple[float, str, Any]] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any
    ) -> None:
        self.found.append((time.perf_counter() - self._started, statement, parameters))


VIEWS: dict[str, Callable[[Session, User], Any]] = {
    "accuracy": lambda s, u: insight_accuracy.accuracy(s, u, 4, NOW),
    "backtest": lambda s, u: insight_accuracy.backtest(s, u, 4, NOW),
    "coverage": lambda s, u: insight_coverage.coverage(s, u, None, NOW),
    "pipeline": lambda s, u: insight_pipeline.pipeline(s, u, NOW),
}


def measure(engine: Engine, scale: float, runs: int, explain: bool) -> None:
    statements = Statements(engine)
    params = None
    with Session(engine) as session:
        director = session.get(User, "u1")
        reps_first_line = session.get(User, f"u{counts(scale)['managers']}")
        assert director is not None
        assert reps_first_line is not None
        people = {"top manager": director, "first-line manager": reps_first_line}
        for view, run in VIEWS.items():
            for role, user in people.items():
                times = []
                for _ in range(runs):
                    statements.found.clear()
                    started = time.perf_counter()
                    run(session, user)
                    times.append((time.perf_counter() - started) * 1000)
                    session.expire_all()
                load = os.getloadavg()[0]
                print(
                    f"{view:9} {role:18} median {statistics.median(times):8.1f} ms "
                    f"(min {min(times):.1f}, {len(statements.found)} statements, load {load:.1f})",
                    flush=True,
                )
                if explain and role == "top manager":
                    params = statements.found
                    _explain(engine, sorted(params, key=lambda f: -f[0])[:2])


def _explain(engine: Engine, slowest: list[tuple[float, str, Any]]) -> None:
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        for seconds, statement, parameters in slowest:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
            cursor.close()
            raw.rollback()
            key = [
                ln
                for ln in lines
                if any(w in ln for w in ("Scan", "Join", "Sort", "Aggregate", "Execution"))
            ]
            first = " ".join(statement.split())[:110]
            print(f"    {seconds * 1000:.1f} ms: {first}")
            for line in key[:7]:
                print(f"      {line.strip()[:150]}")


def push(engine: Engine, scale: float, runs: int, count: int = 500) -> None:
    """The write cost: a push of `count` activities by one rep on 50 of their accounts
    through the one write path (as sync.push: a version block, rows prefetched), flushed
    and rolled back; median of `runs`."""
    rep = f"u{counts(scale)['managers'] + 1}"
    times = []
    for _ in range(runs):
        with Session(engine) as session:
            accounts = session.scalars(
                select(AccountFact.id).where(AccountFact.owner_id == rep).limit(50)
            ).all()
            channels = ["visit", "call", "email", "email", "note"]
            touches = [
                Activity(
                    channel=channels[n % 5],
                    subject="bench",
                    occurred_at=NOW - timedelta(days=n % 60),
                    account_id=accounts[n % len(accounts)],
                    owner_id=rep,
                    created_at=NOW,
                )
                for n in range(count)
            ]
            # The built data never moved the version counter past its records'.
            session.execute(text("UPDATE counter SET value = (SELECT max(version) FROM records)"))
            started = time.perf_counter()
            block = VersionBlock(session)
            prefetch_rows(session, {(EntityKind.ACTIVITY.value, t.id) for t in touches})
            for touch in touches:
                save(session, "org", touch, actor=rep, now=NOW, device="bench")
            block.close()
            end_prefetch(session)
            session.flush()
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    print(
        f"push of {count} activities: median {statistics.median(times):.1f} ms "
        f"(min {min(times):.1f}, load {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1 = the issue's target")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="reuse (or keep) this schema instead of a new one")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--push", type=int, default=0, help="runs of a 500-activity push")
    parser.add_argument(
        "--push-only", action="store_true", help="only the push, on the schema as it is"
    )
    parser.add_argument(
        "--as-is", action="store_true", help="no migrations on a kept schema (older code)"
    )
    args = parser.parse_args()
    schema = args.keep or f"insight_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"),
            {"s": schema},
        )
        if not exists:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        if not exists:
            print(f"scale {args.scale}: {counts(args.scale)} (load {os.getloadavg()[0]:.1f})")
            started = time.perf_counter()
            build(engine, args.scale)
            print(f"built in {time.perf_counter() - started:.0f} s")
        elif args.push_only:
            push(engine, args.scale, args.push or 5)
            return
        elif not args.as_is:
            started = time.perf_counter()
            upgrade(engine)  # what later migrations add (0008: the summaries), kept schema
            print(f"upgraded in {time.perf_counter() - started:.1f} s", flush=True)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        measure(engine, args.scale, args.runs, not args.no_explain)
        if args.push:
            push(engine, args.scale, args.push)
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
