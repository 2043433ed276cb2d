"""The sfa-desktop command: `demo --no-gui` prints the store; `run` and `demo` open the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfa_desktop import cli
from sfa_desktop.ui import app


def test_demo_no_gui_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--no-gui", "--contacts", "300", "--db", str(tmp_path / "d.db")]) == 0
    out = capsys.readouterr().out
    assert "Local store" in out
    assert "accounts" in out


def test_run_and_demo_open_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[Path, str | None]] = []
    monkeypatch.setattr(app, "run", lambda db, page=None: opened.append((db, page)) or 0)
    db = tmp_path / "d.db"
    assert cli.main(["run", "--db", str(db), "--page", "accounts"]) == 0
    assert cli.main(["demo", "--contacts", "300", "--db", str(db)]) == 0
    assert opened == [(db, "accounts"), (db, None)]
