"""The caller's reports, walked down the hierarchy by one recursive query."""

from __future__ import annotations

from server_kit import Org
from sqlalchemy import update

from sync_server.models import User
from sync_server.services.scope import load_scope


def test_reports_are_transitive_and_stay_in_the_org(org: Org) -> None:
    with org.session() as session:
        boss = session.get_one(User, org.ids["boss"])
        assert load_scope(session, boss).reports == {
            org.ids["mia"],
            org.ids["rob"],
            org.ids["ria"],
        }
        rob = session.get_one(User, org.ids["rob"])
        assert load_scope(session, rob).reports == frozenset()


def test_a_cycle_in_the_hierarchy_ends_the_walk(org: Org) -> None:
    with org.session() as session:
        session.execute(
            update(User).where(User.id == org.ids["boss"]).values(manager_id=org.ids["rob"])
        )
        session.commit()
        rob = session.get_one(User, org.ids["rob"])
        reports = load_scope(session, rob).reports
        assert reports == {org.ids["boss"], org.ids["mia"], org.ids["ria"]}
