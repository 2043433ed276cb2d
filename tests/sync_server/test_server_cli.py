"""The sfa-server admin CLI, in-process and as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sfa_desktop.sync.local_server import free_port
from sync_server.cli import main
from sync_server.db import make_engine, session_factory
from sync_server.services import admin


def test_admin_commands_in_process(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> str:
        assert main(["--database-url", db_url, *args]) == 0
        return capsys.readouterr().out.strip()

    run("migrate")
    run("admin", "create-org", "acme")
    boss = run(
        "admin",
        "create-user",
        "boss",
        "--org",
        "acme",
        "--name",
        "Boss",
        "--email",
        "boss@example.com",
        "--password",
        "longpassword",
        "--role",
        "manager",
    )
    run(
        "admin",
        "create-user",
        "rob",
        "--org",
        "acme",
        "--name",
        "Rob",
        "--email",
        "rob@example.com",
        "--password",
        "longpassword",
        "--manager",
        "boss",
    )
    run("admin", "create-team", "north", "--org", "acme")
    run("admin", "add-team-member", "north", "rob")
    run("admin", "set-quota", "rob", "2026-Q4", "120000")
    run("admin", "reset-password", "rob", "anotherpassword")
    assert main(["--database-url", db_url, "admin", "set-manager", "rob"]) == 2  # say which
    assert "or --none to clear it" in capsys.readouterr().err
    run("admin", "set-manager", "rob", "--none")
    listing = run("admin", "list-users", "--org", "acme")
    assert "boss\tBoss\tboss@example.com\tmanager\t-\t" + boss in listing
    assert "rob\tRob\trob@example.com\trep\t-" in listing
    assert main(["--database-url", db_url, "admin", "set-quota", "nobody", "2026-Q4", "1"]) == 2
    assert "user 'nobody' does not exist" in capsys.readouterr().err
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        assert [u.username for u in admin.list_users(session)] == ["boss", "rob"]
    engine.dispose()


def test_cli_as_a_subprocess(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    command = [sys.executable, "-m", "sync_server.cli", "--database-url", url]
    for args in (["admin", "create-org", "acme"], ["admin", "list-users"]):
        result = subprocess.run(
            [*command, *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
    missing = subprocess.run(
        [*command, "admin", "revoke-device", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert "device nope does not exist" in missing.stderr


def test_serve_says_where_it_listens_and_refuses_a_taken_port(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "sync_server",
        "--database-url",
        f"sqlite:///{tmp_path / 's.db'}",
    ]
    serving = subprocess.Popen(
        [*command, "serve", "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert serving.stdout is not None
        line = serving.stdout.readline()
        assert line == f"sfa-server: serving on http://127.0.0.1:{port} (Ctrl+C stops it)\n"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # it answers there
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server never answered")
        taken = subprocess.run(
            [*command, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert taken.returncode == 2
        assert taken.stdout == ""
        assert taken.stderr.strip().endswith("is another server using the port?")
        assert len(taken.stderr.splitlines()) == 1
    finally:
        serving.terminate()
        serving.wait(30)
