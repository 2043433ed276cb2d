"""server_bench's seeded database: an org of reps, each rep's book pushed through the
server's own push service; made once per schema version and book (a PostgreSQL template
database or a cached SQLite file) and copied for every run."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from benchdata import cache_name, cache_path
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sfa_desktop.core.entities import Record
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import EntityKind, Role
from sfa_desktop.core.protocol import (
    MAX_PUSH_MUTATIONS,
    LoginRequest,
    Mutation,
    MutationOp,
    PushRequest,
)
from sfa_desktop.demo import DemoSize, generate
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.migrate import upgrade
from sync_server.models import User
from sync_server.services import admin, auth, sync
from sync_server.services.auth import hash_password
from sync_server.services.tokens import read_access

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "benchmark-password"
TODAY = date(2026, 11, 23)
SEED = 100
SERVER_OWNED = {EntityKind.USER, EntityKind.QUOTA}


def rep_book(contacts: int) -> DemoSize:
    """One rep's book in the demo generator's benchmark mix (DemoSize.scaled), with
    `contacts` contacts (500: 2,000 records of the WORK_KINDS)."""
    mix = DemoSize.scaled(100_000)
    kinds = ("accounts", "opportunities", "activities", "events", "tasks", "leads")
    counts = {name: round(getattr(mix, name) * contacts / mix.contacts) for name in kinds}
    return DemoSize(reps=1, contacts=contacts, **counts)


def pg_reachable() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def seed(url: str, names: list[str], book: DemoSize) -> int:
    """The org: a manager and the reps (cheap password hashes), then each rep's book pushed
    by the rep's first device through the server's push service (records, field versions,
    audit entries, forecast facts as a real push writes them); returns the records pushed."""
    settings = ServerSettings(
        database_url=url, password_time_cost=1, password_memory_kib=1024, secret_key="seed"
    )
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        admin.create_org(session, "bench", now)
        for name in ["boss", *names]:
            admin.create_user(
                session,
                "bench",
                name,
                name=name.title(),
                email=f"{name}@example.com",
                password=PASSWORD,
                role=Role.MANAGER if name == "boss" else Role.REP,
                manager=None if name == "boss" else "boss",
                now=now,
                settings=settings,
            )
    pushed, started = 0, time.perf_counter()
    for index, name in enumerate(names):
        pushed += _push_book(
            sessions, settings, name, generate(book, seed=SEED + index, today=TODAY)
        )
        if (index + 1) % 25 == 0 or index + 1 == len(names):
            spent = time.perf_counter() - started
            print(f"  seeded {index + 1} of {len(names)} reps, {pushed:,} records, {spent:.0f} s")
    engine.dispose()
    return pushed


def _push_book(
    sessions: sessionmaker[Session], settings: ServerSettings, name: str, book: Iterable[Record]
) -> int:
    """Sign `name` in on a first device and push `book` from it, as the app's outbox
    would (batches of MAX_PUSH_MUTATIONS); returns the records pushed."""
    now = datetime.now(UTC)
    request = LoginRequest(username=name, password=PASSWORD, device_name="first laptop")
    with sessions() as session:
        tokens = auth.login(session, settings, request, "127.0.0.1", now)
    claims = read_access(settings.secret_key, tokens.access_token, now)
    batch: list[Mutation] = []
    seq = 0

    def flush() -> None:
        with sessions() as session:
            request = PushRequest(device_id=tokens.device_id, mutations=batch)
            answer = sync.push(session, claims, request, now)
        refused = [r for r in answer.results if r.status.value != "applied"]
        if refused:
            raise RuntimeError(f"seeding {name}: the server refused {refused[:3]}")
        batch.clear()

    for record in book:
        if record.entity in SERVER_OWNED:
            continue
        seq += 1
        batch.append(
            Mutation(
                seq=seq,
                mutation_id=new_id(),
                entity=record.entity,
                entity_id=record.id,
                op=MutationOp.UPSERT,
                fields=record.data_fields() | {"owner_id": tokens.user.id},
            )
        )
        if len(batch) == MAX_PUSH_MUTATIONS:
            flush()
    if batch:
        flush()
    return seq


@contextmanager
def seeded_database(args: argparse.Namespace, names: list[str], workdir: str) -> Iterator[str]:
    """A URL to a fresh copy of the seeded database (seeded first if not cached)."""
    book = rep_book(args.contacts)
    params = {"reps": len(names), "book": dataclasses.asdict(book), "seed": SEED, "today": TODAY}
    if args.sqlite:
        cached = cache_path("server-bench", ".db", **params)
        if args.fresh_seed or not cached.exists():
            partial = cached.with_suffix(".partial")
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            _seed_timed(f"sqlite:///{partial}", names, book)
            partial.replace(cached)
        else:
            print(f"seeded database: {cached}")
        copy = Path(workdir) / "server.db"
        shutil.copyfile(cached, copy)
        yield f"sqlite:///{copy}"
        return
    template = cache_name("server", **params)
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": template}
            )
            if exists and args.fresh_seed:
                connection.execute(text(f"DROP DATABASE {template}"))
            if not exists or args.fresh_seed:
                partial = f"{template}_partial"
                connection.execute(text(f"DROP DATABASE IF EXISTS {partial}"))
                connection.execute(text(f"CREATE DATABASE {partial}"))
                _seed_timed(_pg_database(partial), names, book)
                _analyze(_pg_database(partial))
                connection.execute(text(f"ALTER DATABASE {partial} RENAME TO {template}"))
            else:
                print(f"seeded database: PostgreSQL template database {template}")
            run = f"sfa_bench_run_{uuid.uuid4().hex[:10]}"
            started = time.perf_counter()
            connection.execute(text(f"CREATE DATABASE {run} TEMPLATE {template}"))
            print(f"copied it for this run in {time.perf_counter() - started:.0f} s")
        try:
            yield _pg_database(run)
        finally:
            with admin_engine.connect() as connection:
                connection.execute(text(f"DROP DATABASE {run} WITH (FORCE)"))
    finally:
        admin_engine.dispose()


def _analyze(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum does on a live server: without statistics the
    planner reads the whole records table for every pull page."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _pg_database(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _seed_timed(url: str, names: list[str], book: DemoSize) -> None:
    print(f"seeding {len(names)} reps' books (once for this schema and size) ...")
    started = time.perf_counter()
    pushed = seed(url, names, book)
    spent = time.perf_counter() - started
    print(f"seeded {pushed:,} records in {spent:.0f} s ({pushed / spent:,.0f} records/s)")


def use_real_hashes(url: str) -> None:
    """Every user's password hash at the server's default cost (one hash computed here
    and shared: hashing 500 would take minutes)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
        session.commit()
    engine.dispose()


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL to a new, empty PostgreSQL schema, dropped at the end."""
    schema = f"sfa_bench_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin_engine.dispose()
