"""A user's own password: the one-time set-up code, and changing it with the old one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_kit import PASSWORD, Org

from sync_server.cli import main

NEW = "a brand new passphrase"


def _login(client: TestClient, username: str, password: str) -> Any:
    body = {"username": username, "password": password, "device_name": "laptop"}
    return client.post("/api/v1/auth/login", json=body)


def _set_up(client: TestClient, username: str, code: str, password: str = NEW) -> Any:
    body = {"username": username, "setup_code": code, "new_password": password}
    return client.post("/api/v1/auth/setup", json=body)


def _import(db_url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SFA_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SFA_PASSWORD_MEMORY_KIB", "1024")
    users = folder / "users.csv"
    users.write_text("username,name,email\nnia,Nia,nia@example.com\nole,Ole,ole@example.com\n")
    codes = folder / "codes.csv"
    argv = ["--database-url", db_url, "admin", "import-users", str(users), "--codes", str(codes)]
    assert main([*argv, "--org", "acme"]) == 0
    with codes.open(encoding="utf-8") as handle:
        return {row["username"]: row["setup_code"] for row in csv.DictReader(handle)}


def test_a_set_up_code_sets_the_first_password_once(
    org: Org, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = _import(db_url, tmp_path, monkeypatch)
    client = org.client
    assert _login(client, "nia", codes["nia"]).status_code == 401  # a code is no password
    wrong = _set_up(client, "nia", codes["ole"])
    assert wrong.status_code == 400
    assert "wrong username or set-up code" in wrong.json()["detail"]
    short = _set_up(client, "nia", codes["nia"], "short")
    assert short.status_code == 400
    assert "at least 8 characters" in short.json()["detail"]
    typed = codes["nia"].lower().replace("-", " ")  # as a rep might type it
    assert _set_up(client, "nia", typed).status_code == 204
    assert _login(client, "nia", NEW).status_code == 200
    again = _set_up(client, "nia", codes["nia"], "yet another password")
    assert again.status_code == 400  # used once, gone
    assert _login(client, "nia", "yet another password").status_code == 401
    assert _login(client, "nia", codes["nia"]).status_code == 401
    assert _login(client, "nia", NEW).status_code == 200


def test_changing_the_password_needs_the_current_one(org: Org) -> None:
    client, headers = org.client, org.headers("rob")
    wrong = {"old_password": "not my password", "new_password": NEW}
    refused = client.post("/api/v1/auth/password", json=wrong, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "the current password is wrong"
    short = {"old_password": PASSWORD, "new_password": "short"}
    refused = client.post("/api/v1/auth/password", json=short, headers=headers)
    assert refused.status_code == 400
    assert "at least 8 characters" in refused.json()["detail"]
    assert _login(client, "rob", PASSWORD).status_code == 200  # nothing changed so far
    body = {"old_password": PASSWORD, "new_password": NEW}
    assert client.post("/api/v1/auth/password", json=body).status_code == 401  # no token
    assert client.post("/api/v1/auth/password", json=body, headers=headers).status_code == 204
    assert _login(client, "rob", PASSWORD).status_code == 401
    assert _login(client, "rob", NEW).status_code == 200
    assert _login(client, "ria", PASSWORD).status_code == 200  # others keep theirs


def test_wrong_current_passwords_are_limited(org: Org) -> None:
    client, headers = org.client, org.headers("rob")
    wrong = {"old_password": "not my password", "new_password": NEW}
    answers = [
        client.post("/api/v1/auth/password", json=wrong, headers=headers).status_code
        for _ in range(6)
    ]
    assert answers == [400] * 5 + [429]


def test_a_new_set_up_code_replaces_a_forgotten_password(
    org: Org, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SFA_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SFA_PASSWORD_MEMORY_KIB", "1024")
    capsys.readouterr()
    assert main(["--database-url", db_url, "admin", "setup-code", "rob"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 19
    assert _login(org.client, "rob", PASSWORD).status_code == 401  # the old one is gone
    assert _set_up(org.client, "rob", code).status_code == 204
    assert _login(org.client, "rob", NEW).status_code == 200
    assert main(["--database-url", db_url, "admin", "setup-code", "nobody"]) == 2
    assert capsys.readouterr().err == "error: user 'nobody' does not exist\n"
