"""Seed a server with the demo organisation, so the desktop demo has someone to sync with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.demo import DemoSize, demo_users, generate
from sync_server.config import ServerSettings
from sync_server.models import Org
from sync_server.services import admin
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
    """Create the demo org, its people (all with `password`) and their records."""
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
    org_id = admin.org_by_name(session, DEMO_ORG).id
    lock_versions(session)
    for count, record in enumerate(generate(size, seed=seed, today=today), start=1):
        if record.entity is not EntityKind.USER:
            save(session, org_id, record, actor=None, now=now)
        if count % 2_000 == 0:
            session.flush()
    session.commit()
    return [DemoLogin(names[u.id], u.name, u.role.value) for u in users]
