"""The sfa-desktop command: `demo` serves demo data on loopback and signs the app in to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sfa_desktop import cli
from sfa_desktop.ui import app


def test_demo_serves_syncs_and_opens_the_window_signed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert cli.main(["demo", "--no-gui", "--contacts", "300"]) == 0
    out = capsys.readouterr().out
    assert "Signed in to http://127.0.0.1:" in out
    assert "accounts" in out
    assert "opportunities" in out  # not "opportunitys"

    opened: list[tuple[Path, str | None, Any]] = []

    def fake_run(
        db: Path, page: str | None = None, account: Any = None, on_ready: Any = None
    ) -> int:
        opened.append((db, page, account))
        assert account.store.current_user_id() is not None
        assert account.store.state("server_url").startswith("http://127.0.0.1:")
        return 0

    monkeypatch.setattr(app, "run", fake_run)
    assert cli.main(["demo", "--contacts", "300", "--page", "accounts"]) == 0
    ((db, page, _account),) = opened
    assert db == tmp_path / "data" / "sfa-desktop" / "demo" / "client.db"
    assert page == "accounts"


def test_run_opens_the_window_on_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[Path, str | None]] = []
    monkeypatch.setattr(app, "run", lambda db, page=None, **_: opened.append((db, page)) or 0)
    db = tmp_path / "d.db"
    assert cli.main(["run", "--db", str(db), "--page", "accounts"]) == 0
    assert opened == [(db, "accounts")]
