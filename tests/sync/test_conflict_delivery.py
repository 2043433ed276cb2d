"""Every conflict and refusal the server files reaches the losing device's inbox exactly
once, whatever answer was lost on the way; downloads finish after any admin change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sync_fixtures import Device

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.sync.account import SyncAccount
from sync_server.models import TeamMember
from sync_server.services import admin
from sync_server.services.pull import purge_log


class LoseNextPushAnswer(httpx.BaseTransport):
    """The server commits the next push, then its answer is lost (as in a server kill
    between commit and reply); every retry goes through."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.armed = False
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if self.armed and request.url.path.endswith("/sync/push"):
            self.armed = False
            self.lost += 1
            raise httpx.ReadError("answer lost after the server committed", request=request)
        return response


def _share(server: TestClient, account_id: str) -> None:
    """Put rob's account on a team with ria."""
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        admin.create_team(session, "acme", "north")
        admin.add_team_member(session, "north", "ria")
        admin.add_team_account(session, "north", account_id, datetime.now(UTC))


def _synced(*devices: SyncAccount) -> None:
    for one in devices:
        one.engine().run_once()


def _inbox(device: SyncAccount) -> list[tuple[str, str, object, object]]:
    return sorted(
        (c.entity_id, c.field, c.kept_value, c.lost_value) for c in device.store.conflicts()
    )


def test_a_conflict_reaches_the_loser_when_the_winners_answer_is_lost(
    server: TestClient, device: Device
) -> None:
    lossy = LoseNextPushAnswer(server._transport)
    rob, ria = device("rob"), device("ria", transport=lossy)
    account = rob.store.create(Account, {"name": "Acme", "city": "Oslo"}).value
    _synced(rob)
    _share(server, account.id)
    _synced(ria)
    rob.store.update(Account, account.id, {"city": "Bergen"})
    ria.store.update(Account, account.id, {"city": "Tromsø"})
    rob.engine().run_once()
    lossy.armed = True
    report = ria.engine().run_once()  # retried after the lost answer: "duplicate"
    assert lossy.lost == 1
    assert report.conflicts == 0  # the winner never saw the conflict answer
    _synced(rob, rob, ria)
    assert _inbox(rob) == [(account.id, "city", "Tromsø", "Bergen")]
    (conflict,) = rob.store.conflicts()
    assert conflict.reason == "replaced by a later change from Ria"
    assert _inbox(ria) == []


def test_a_refusal_reaches_the_sender_once_and_puts_its_copy_back(
    server: TestClient, device: Device
) -> None:
    lossy = LoseNextPushAnswer(server._transport)
    rob, ria = device("rob"), device("ria", transport=lossy)
    account = rob.store.create(Account, {"name": "Acme"}).value
    _synced(rob)
    _share(server, account.id)
    _synced(ria)
    ria.store.update(Account, account.id, {"city": "Ria's city"})
    contact = ria.store.create(Contact, {"last_name": "Kim", "account_id": account.id}).value
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(delete(TeamMember))  # ria leaves the team
        session.commit()
    lossy.armed = True
    ria.engine().run_once()
    ria.engine().run_once()
    assert lossy.lost == 1
    refusals = [c for c in ria.store.conflicts() if c.refused]
    assert sorted(c.entity_id for c in refusals) == sorted([account.id, contact.id])
    assert all("does not exist" in c.reason for c in refusals)
    lost_city = next(c for c in refusals if c.entity_id == account.id)
    assert lost_city.lost_value["fields"] == {"city": "Ria's city"}
    # Nothing refused stays behind on the device: it holds what the server says it may see.
    assert ria.store.get_many(Account, [account.id]) == []
    assert ria.store.get_many(Contact, [contact.id]) == []
    assert ria.store.outbox_count() == 0


def test_the_deleter_is_told_when_a_later_edit_revives_the_record(device: Device) -> None:
    rob, ria_view = device("rob", "laptop"), device("rob", "desktop")
    account = rob.store.create(Account, {"name": "Acme"}).value
    _synced(rob, ria_view)
    rob.store.delete(Account, account.id)
    ria_view.store.update(Account, account.id, {"city": "Still here"})
    _synced(rob, ria_view, rob)
    assert rob.store.get(Account, account.id).city == "Still here"
    assert _inbox(rob) == [(account.id, "_deleted", False, True)]
    assert _inbox(ria_view) == []
    (conflict,) = rob.store.conflicts()
    rob.store.restore_conflict(conflict.id)  # "delete it after all": a new delete that syncs
    _synced(rob, ria_view)
    assert ria_view.store.get_many(Account, [account.id]) == []


def test_a_delete_that_loses_to_an_earlier_edit_tells_the_deleter(device: Device) -> None:
    editor, deleter = device("rob", "laptop"), device("rob", "desktop")
    account = editor.store.create(Account, {"name": "Acme"}).value
    _synced(editor, deleter)
    editor.store.update(Account, account.id, {"city": "Edited"})
    deleter.store.delete(Account, account.id)
    _synced(editor, deleter, editor)
    assert deleter.store.get(Account, account.id).city == "Edited"
    assert _inbox(deleter) == [(account.id, "_deleted", False, True)]
    assert _inbox(editor) == []


def test_a_redownload_brings_no_conflict_twice(device: Device) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    account = laptop.store.create(Account, {"name": "Acme"}).value
    _synced(laptop, desktop)
    laptop.store.update(Account, account.id, {"city": "A"})
    desktop.store.update(Account, account.id, {"city": "B"})
    _synced(laptop, desktop, laptop)
    (conflict,) = laptop.store.conflicts()
    laptop.store.dismiss_conflict(conflict.id)
    laptop.store.reset_for_download()
    _synced(laptop)
    assert laptop.store.conflicts() == []
    assert len(laptop.store.conflicts(include_resolved=True)) == 1


def _small_pages(account: SyncAccount) -> SyncAccount:
    """Syncs of `account` read pages of 3 changes (scopes many pages long)."""
    original = account.engine

    def engine():  # type: ignore[no-untyped-def]
        made = original()
        made.pull_limit = made.download_limit = 3
        return made

    account.engine = engine  # type: ignore[method-assign]
    return account


@pytest.mark.parametrize("change", ["add-team-member", "set-manager", "purge", "reassign"])
def test_a_download_finishes_after_an_admin_change(
    server: TestClient, device: Device, change: str
) -> None:
    rob, ria = device("rob"), device("ria")
    for index in range(12):
        rob.store.create(Account, {"name": f"Rob {index}"})
        ria.store.create(Account, {"name": f"Ria {index}"})
    _synced(rob, ria)
    mia = _small_pages(device("mia"))
    mia.engine().run_once()
    sessions = server.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        now = datetime.now(UTC)
        if change == "add-team-member":
            admin.create_team(session, "acme", "north")
            admin.add_team_member(session, "north", "mia")
        elif change == "set-manager":
            admin.set_manager(session, "ria", None, now)
            admin.set_manager(session, "ria", "mia", now)
        elif change == "purge":
            rob.store.delete(Account, rob.store.ids(Account)[0])
            rob.engine().run_once()
            purge_log(session, timedelta(0), now + timedelta(seconds=1))
        else:
            admin.reassign_account(session, rob.store.ids(Account)[0], "ria", now)
    fresh = _small_pages(device("mia", "second laptop"))
    for each in (mia, fresh):
        report = each.engine().run_once()
        assert report.resets <= 1
        assert len(each.store.ids(Account)) == 24 - (change == "purge")
        assert not each.store.download_unfinished()
