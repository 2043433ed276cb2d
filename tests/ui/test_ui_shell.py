"""The window's shell: the sign-in in the File menu and Settings, signing in (progress,
failure within ~10 s, cancel) and out, the Help menu, and the empty store's welcome."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PySide6.QtCore import QSize, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sync_fixtures import PASSWORD, SERVER_URL, Device, HeldSignIn
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account
from sfa_desktop.operations.records import create_record
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import free_port
from sfa_desktop.ui.app import build_context, start_sync
from sfa_desktop.ui.imports.import_wizard import ImportWizard
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.shell.help_dialogs import DataDialog
from sfa_desktop.ui.shell.sign_in_flow import SignInProgress

SIZES = (QSize(1280, 800), QSize(1024, 768))


@pytest.fixture
def shell(plain_ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    """A window over a store with only the signed-in rep: no records, not on a server."""
    window = MainWindow(plain_ctx)
    window.show()
    window.start()
    settle(qtbot, plain_ctx)
    yield window
    window.close()
    window.deleteLater()
    settle(qtbot, plain_ctx)


def visible_buttons(widget: object) -> set[str]:
    assert isinstance(widget, QWidget)
    return {b.text() for b in widget.findChildren(QPushButton) if b.isVisible()}


# -- the empty store -----------------------------------------------------------------------


def test_an_empty_store_greets_with_sign_in_and_import(
    shell: MainWindow, plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    assert shell.welcome.isVisible()
    assert not shell.stack.isVisible()
    assert {"Sign in…", "Import a file…"} <= visible_buttons(shell)
    for size in SIZES:
        shell.resize(size)
        shot = tmp_path / f"welcome-{size.width()}.png"
        screenshot(qtbot, plain_ctx, shell, shot)
    shell.welcome.import_button.click()
    wizards = [w for w in shell.findChildren(ImportWizard) if w.isVisible()]
    assert len(wizards) == 1
    wizards[0].reject()
    shell.welcome.sign_in_button.click()
    logins = [d for d in shell.findChildren(QLineEdit) if d.placeholderText().startswith("https")]
    assert logins
    assert logins[-1].isVisible()
    logins[-1].window().close()
    shell.go("Accounts")  # other pages show their own (empty) lists
    assert not shell.welcome.isVisible()
    assert shell.stack.isVisible()
    shell.go("Today")
    assert shell.welcome.isVisible()
    plain_ctx.run_op(lambda store: create_record(store, Account, {"name": "First GmbH"}))
    qtbot.waitUntil(lambda: not shell.welcome.isVisible(), timeout=5_000)
    assert shell.stack.isVisible()


def test_a_store_with_data_opens_on_today(window: MainWindow) -> None:
    assert not window.welcome.isVisible()
    assert window.stack.isVisible()


# -- the sign-in in the File menu and in Settings ------------------------------------------


def test_file_menu_and_settings_follow_the_sign_in(
    shell: MainWindow, plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    menu = shell.session_menu
    assert menu.sign_in_action.isVisible()
    assert not menu.sign_out_action.isVisible()
    assert menu.who.text() == "Working offline as Rita Rep"
    settings = shell.open_settings()
    server_box = settings.widgets["sync_server"]
    assert isinstance(server_box, QLineEdit)
    assert server_box.text() == ""
    settings.reject()

    plain_ctx.store.set_state(server_url="https://sfa.example.com", username="rita")
    menu.refresh()
    settle(qtbot, plain_ctx)
    assert not menu.sign_in_action.isVisible()
    assert menu.sign_out_action.isVisible()
    assert menu.who.text() == "Signed in as Rita Rep (rita) · https://sfa.example.com"
    settings = shell.open_settings()
    server_box = settings.widgets["sync_server"]
    assert isinstance(server_box, QLineEdit)
    assert server_box.text() == "https://sfa.example.com"
    assert server_box.isReadOnly()
    hints = [label.text() for label in settings.findChildren(QLabel)]
    assert any(h.startswith("Signed in as Rita Rep (rita).") for h in hints)
    screenshot(qtbot, plain_ctx, settings, tmp_path / "settings-signed-in.png")
    settings.accept()
    assert plain_ctx.settings["sync_server"] == ""  # shown, not saved as a preference


def test_a_server_address_without_its_scheme_is_refused(shell: MainWindow) -> None:
    login = shell.sign_in()
    login.server.setText("sfa.example.com")
    login.username.setText("rita")
    login.password.setText("secret")
    login.accept()
    assert login.isVisible()
    assert "https://" in login.server_error.text()
    login.reject()


# -- signing in and out against a server ---------------------------------------------------


class Unpluggable(httpx.HTTPTransport):
    """A real transport that refuses every request once the test is over."""

    unplugged = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.unplugged:
            raise RuntimeError("the test is over")
        return super().handle_request(request)


@contextmanager
def silent_server() -> Iterator[str]:
    """A loopback socket that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
        thread.join(5)


@contextmanager
def closed_port() -> Iterator[str]:
    yield f"http://127.0.0.1:{free_port()}"  # nothing listens there


def grab(widget: QWidget, path: Path) -> None:
    """Save what `widget` shows now (also to $SFA_UI_SHOTS), work still running or not."""
    assert widget.grab().save(str(path))
    shots = os.environ.get("SFA_UI_SHOTS")
    if shots:
        shutil.copy(path, Path(shots) / path.name)


def submit(window: MainWindow, server: str, username: str, password: str) -> None:
    login = window.sign_in()
    login.server.setText(server)
    login.username.setText(username)
    login.password.setText(password)
    login.accept()


@pytest.mark.slow
@pytest.mark.parametrize("where", [silent_server, closed_port], ids=["silent", "closed"])
def test_a_sign_in_that_gets_no_answer_fails_within_10_s_saying_what_to_check(
    shell: MainWindow, plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path, where: object
) -> None:
    transport = Unpluggable()
    sync = start_sync(plain_ctx, shell, SyncAccount(plain_ctx.store, Credentials(False), transport))
    try:
        with where() as server:  # type: ignore[operator]
            started = time.monotonic()
            submit(shell, server, "rita", "secret")
            progress = shell.session_menu.progress
            assert progress is not None
            assert progress.isVisible()
            assert visible_buttons(progress) == {"Cancel"}
            grab(progress, tmp_path / "sign-in-progress.png")  # (screenshot waits for idle)
            qtbot.waitUntil(lambda: shell.session_menu.failure is not None, timeout=15_000)
            waited = time.monotonic() - started
            print(f"sign-in to a {where.__name__} failed after {waited:.1f} s")  # type: ignore[attr-defined]
            assert waited < 11
            assert shell.session_menu.progress is None
            assert not [p for p in shell.findChildren(SignInProgress) if p.isVisible()]
            box = shell.session_menu.failure
            assert box is not None
            assert box.isVisible()
            assert box.headline.text() == f"{server} could not be reached"
            for check in (server, "online", "VPN", "proxy", "certificate"):
                assert check in box.details.text()
            assert visible_buttons(box) == {"Try again…", "Close"}
            grab(box, tmp_path / "sign-in-failed.png")
            assert plain_ctx.store.state("server_url") is None
            assert shell.session_menu.sign_in_action.isVisible()
            box.close()
    finally:
        transport.unplugged = True
        qtbot.waitUntil(plain_ctx.tasks.is_idle, timeout=20_000)  # the given-up call ends
        sync.shutdown()


def test_a_cancelled_sign_in_keeps_nothing_when_the_answer_comes_late(
    shell: MainWindow,
    plain_ctx: AppContext,
    qtbot: QtBot,
    server: TestClient,
    held_sign_in: HeldSignIn,
) -> None:
    credentials = Credentials(persistent=False)
    account = SyncAccount(plain_ctx.store, credentials, transport=server._transport)
    sync = start_sync(plain_ctx, shell, account)
    failures: list[object] = []
    sync.sign_in_failed.connect(failures.append)
    try:
        held_sign_in.hold()
        submit(shell, SERVER_URL, "rob", PASSWORD)
        assert held_sign_in.hashing.wait(10)
        progress = shell.session_menu.progress
        assert progress is not None
        next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel").click()
        assert shell.session_menu.progress is None
        held_sign_in.finish.set()  # the server answers after all
        qtbot.waitUntil(plain_ctx.tasks.is_idle, timeout=10_000)
        assert plain_ctx.store.state("server_url") is None
        assert credentials.load(SERVER_URL, "rob") is None
        assert failures == []
        assert shell.session_menu.failure is None
        assert shell.session_menu.sign_in_action.isVisible()
    finally:
        sync.shutdown()


def test_sign_out_keeps_the_data_and_the_changes_for_the_next_sign_in(
    device: Device, qtbot: QtBot, tmp_path: Path
) -> None:
    account = device("rob", "laptop")
    store: Store = account.store
    store.create(Account, {"name": "Made offline"})
    ctx = build_context(store, tmp_path / "settings.json")
    window = MainWindow(ctx)
    window.show()
    window.start()
    sync = start_sync(ctx, window, account)
    try:
        qtbot.waitUntil(lambda: window.session_menu.sign_out_action.isVisible(), timeout=5_000)
        status = window.sync

        def synced() -> bool:
            return status.status.last_sync is not None and not status.status.running

        qtbot.waitUntil(synced, timeout=15_000)  # the first sync has ended
        assert store.outbox_count() == 0
        store.create(Account, {"name": "Made before signing out"})
        box = window.session_menu.sign_out()
        assert "Your data stays on this computer" in box.informativeText()
        next(b for b in box.findChildren(QPushButton) if b.text() == "Sign out").click()
        qtbot.waitUntil(lambda: window.session_menu.sign_in_action.isVisible(), timeout=5_000)
        assert store.state("server_url") is None
        assert store.state("username") is None
        assert account.credentials.load(SERVER_URL, "rob") is None
        assert store.count(Account) == 2
        assert store.outbox_count() == 1
        assert not sync.active
        assert window.sync.status.signed_in is False

        login = window.sign_in()
        assert login.server.text() == SERVER_URL  # the server just left
        login.close()
        submit(window, SERVER_URL, "rob", PASSWORD)
        qtbot.waitUntil(lambda: window.session_menu.sign_out_action.isVisible(), timeout=10_000)
        qtbot.waitUntil(lambda: store.outbox_count() == 0, timeout=15_000)  # sent after all
        assert window.session_menu.who.text() == f"Signed in as Rob (rob) · {SERVER_URL}"
    finally:
        sync.shutdown()
        window.close()
        qtbot.wait(200)  # statuses and changes queued by the last sync
        qtbot.waitUntil(ctx.tasks.is_idle, timeout=10_000)
        ctx.tasks.shutdown()


# -- Help ----------------------------------------------------------------------------------


def test_shortcuts_come_from_the_actions(shell: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    native = QKeySequence.SequenceFormat.NativeText

    def listed() -> set[tuple[str, str, str]]:
        dialog = shell.show_shortcuts()
        rows = set()
        for index in range(dialog.tree.topLevelItemCount()):
            group = dialog.tree.topLevelItem(index)
            assert group is not None
            for child in (group.child(i) for i in range(group.childCount())):
                assert child is not None
                rows.add((group.text(0), child.text(0), child.text(1)))
        dialog.close()
        return rows

    def keys(text: str) -> str:
        return QKeySequence(text).toString(native)

    expected = {
        ("Edit", "Search everything", keys("Ctrl+K")),
        ("Edit", "Log activity", keys("Ctrl+L")),
        ("File", "Sync now", keys("F5")),
        ("File", "Quit", keys("Ctrl+Q")),
        ("Go", "Today", keys("Alt+1")),
        ("Help", "Keyboard shortcuts", keys("F1")),
    }
    assert expected <= listed()
    assert not any(name == "Find duplicates" for _, name, _ in listed())  # has no keys
    go_menu = next(a.menu() for a in shell.menuBar().actions() if a.text() == "&Go")
    added = QAction("&Somewhere new", shell)
    added.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    assert isinstance(go_menu, QMenu)
    go_menu.addAction(added)
    assert ("Go", "Somewhere new", keys("Ctrl+Shift+Y")) in listed()
    dialog = shell.show_shortcuts()
    screenshot(qtbot, shell.ctx, dialog, tmp_path / "help-shortcuts.png")
    dialog.close()


def test_about_and_where_the_data_is(
    shell: MainWindow, plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    about = shell.show_about()
    texts = [label.text() for label in about.findChildren(QLabel)]
    assert version("sfa-desktop") in texts
    assert any(qVersion() in t for t in texts)
    assert any(t.startswith(platform.python_version()) for t in texts)
    assert "Not signed in (working offline as Rita Rep)" in texts
    screenshot(qtbot, plain_ctx, about, tmp_path / "help-about.png")
    about.close()
    data = shell.show_data()
    assert isinstance(data, DataDialog)
    assert data.rows["Your data"] == str(plain_ctx.store.path)
    assert data.rows["Settings"] == str(tmp_path / "settings.json")
    assert {"Open folder"} == {b.text() for b in data.findChildren(QPushButton)} - {"Close"}
    screenshot(qtbot, plain_ctx, data, tmp_path / "help-data.png")
    data.close()


def test_a_busy_server_shows_why_the_sign_in_waits(
    shell: MainWindow, plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    """A server that queues a burst of sign-ins answers 503 with Retry-After: the progress
    dialog says so and when it tries again, instead of a blind spinner (issue 24)."""
    asked: list[str] = []

    def busy(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(503, headers={"Retry-After": "1"}, json={"detail": "busy"})

    account = SyncAccount(plain_ctx.store, Credentials(False), httpx.MockTransport(busy))
    sync = start_sync(plain_ctx, shell, account)
    try:
        submit(shell, "https://busy.example", "rita", "secret")
        progress = shell.session_menu.progress
        assert progress is not None
        qtbot.waitUntil(progress.retrying.isVisible, timeout=5_000)
        text = progress.retrying.text()
        assert text.startswith("Attempt 2: server busy or failing (503); trying again in ")
        assert text.endswith(" s.")
        qtbot.waitUntil(lambda: "Attempt 3" in progress.retrying.text(), timeout=5_000)
        grab(progress, tmp_path / "sign-in-busy.png")
        progress.reject()  # Cancel
        assert shell.session_menu.progress is None
        assert len(asked) >= 2
    finally:
        sync.shutdown()
