"""Seed a server with the demo organisation, so the desktop demo has someone to sync with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.demo import DemoRun, DemoSize, demo_users
from sync_server.config import ServerSettings
from sync_server.models import Org
from sync_server.services import admin
from sync_server.services.demo_fields import define_demo_fields, with_demo_values
from sync_server.services.demo_history import seed_snapshots
from sync_server.services.records import lock_versions, save

DEMO_ORG = "demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str


def username_for(email: str) -> str:
    return email.split("@", 1)[0]


def is_seeded(session: Session) -> bool:
    return session.scalar(select(Org.id).where(Org.name == DEMO_ORG)) is not None


def seed_demo(
    session: Session,
    size: DemoSize,
    *,
    password: str,
    today: date,
    now: datetime,
    seed: int = 7,
    settings: ServerSettings | None = None,
) -> list[DemoLogin]:
    """Create the demo org, its people (all with `password`), their records (deals whose
    close date was pushed saved once per date) and the weekly snapshots of the past quarters."""
    admin.create_org(session, DEMO_ORG, now)
    users = demo_users(size, seed=seed, today=today)
    names = {user.id: username_for(user.email) for user in users}
    for user in users:  # managers come before their reports
        admin.create_user(
            session,
            DEMO_ORG,
            names[user.id],
            name=user.name,
            email=user.email,
            password=password,
            role=user.role,
            manager=names[user.manager_id] if user.manager_id else None,
            now=now,
            settings=settings,
            user_id=user.id,
        )
    org = admin.org_by_name(session, DEMO_ORG)
    define_demo_fields(session, org, now)
    org_id = org.id
    lock_versions(session)
    run = DemoRun(size, seed=seed, today=today)
    for count, generated in enumerate(run.records(), start=1):
        record = with_demo_values(generated, today)
        if isinstance(record, Opportunity):  # pushed later: each earlier date saved first
            for earlier in run.history.earlier_close_dates(record.id):
                moved = record.model_copy(update={"close_date": earlier})
                save(session, org_id, moved, actor=None, now=now)
        if record.entity is not EntityKind.USER:
            save(session, org_id, record, actor=None, now=now)
        if count % 2_000 == 0:
            session.flush()
    session.commit()
    seed_snapshots(session, admin.org_by_name(session, DEMO_ORG), run.history)
    return [DemoLogin(names[u.id], u.name, u.role.value) for u in users]
