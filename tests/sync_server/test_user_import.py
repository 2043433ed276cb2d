"""`sfa-server admin import-users`: 200 users at once, all or nothing, checked by queries."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sync_server.cli import main
from sync_server.db import make_engine, session_factory
from sync_server.models import Record, Team, TeamMember, User

HEADER = "username,name,email,role,manager,team,quota_period,quota_amount,quota_currency"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SFA_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SFA_PASSWORD_MEMORY_KIB", "1024")


def _run(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def _session(url: str) -> Session:
    return session_factory(make_engine(url))()


def _org(url: str) -> None:
    assert _run(url, "admin", "create-org", "acme") == 0
    assert _run(url, "admin", "create-team", "north", "--org", "acme") == 0  # already there


def _people(count: int) -> list[dict[str, str]]:
    """A director, ten managers under her, reps under the managers; the managers come
    after their reps in the file and the director last."""
    reps = [
        {
            "username": f"rep{n:03}",
            "name": f"Rép Nummer {n}",
            "email": f"rep{n}@example.com",
            "role": "rep",
            "manager": f"mgr{n % 10}",
            "team": "north" if n % 2 else f"team{n % 5}",
            "quota_period": "2026-Q4",
            "quota_amount": str(1000 + n),
            "quota_currency": "USD" if n % 3 == 0 else "",
        }
        for n in range(count - 11)
    ]
    managers = [
        {"username": f"mgr{n}", "name": f"Manager {n}", "email": f"mgr{n}@example.com"}
        | {"role": "manager", "manager": "boss", "team": "", "quota_period": ""}
        for n in range(10)
    ]
    boss = {"username": "boss", "name": "Boss", "email": "boss@example.com", "role": "admin"}
    return [*reps, *managers, boss]


def _write(path: Path, people: list[dict[str, str]], sep: str = ",", bom: bool = False) -> Path:
    columns = HEADER.split(",")
    lines = [sep.join(columns)] + [sep.join(p.get(c, "") for c in columns) for p in people]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count_users(url: str) -> int:
    with _session(url) as session:
        return len(session.scalars(select(User)).all())


def test_two_hundred_users_with_managers_teams_and_quotas(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _org(db_url)
    people = _people(200)
    users = _write(tmp_path / "users.csv", people, sep=";", bom=True)
    codes = tmp_path / "codes.csv"
    started = time.perf_counter()
    assert _run(db_url, "admin", "import-users", str(users), "--codes", str(codes)) == 0
    print(f"200 users imported in {time.perf_counter() - started:.2f} s")
    out = capsys.readouterr().out
    assert out.count("\tcreated") == 200
    assert "code " not in out  # the codes went to the file
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    handed_out = codes.read_text(encoding="utf-8").splitlines()
    assert len(handed_out) == 201
    assert len({line.rsplit(",", 1)[1] for line in handed_out[1:]}) == 200
    with _session(db_url) as session:
        rows = session.execute(
            text(
                "select u.username, u.name, u.email, u.role, m.username, u.password_hash "
                "from users u left join users m on m.id = u.manager_id"
            )
        ).all()
        got = {row[0]: row[1:] for row in rows}
        teams = session.execute(
            select(User.username, Team.name)
            .join(TeamMember, TeamMember.user_id == User.id)
            .join(Team, Team.id == TeamMember.team_id)
        ).all()
        team_count = session.scalar(text("select count(*) from teams"))
        quotas = {
            row.owner_id: row.data
            for row in session.scalars(select(Record).where(Record.entity == "quota"))
        }
        ids = {u.username: u.id for u in session.scalars(select(User))}
        mirrored = session.scalar(text("select count(*) from records where entity = 'user'"))
    assert len(got) == 200
    assert mirrored == 200
    for person in people:
        name, email, role, manager, secret = got[person["username"]]
        assert (name, email, role) == (person["name"], person["email"], person["role"])
        assert manager == (person.get("manager") or None)
        assert secret.startswith("setup:")  # no password until the code is used
    assert set(teams) == {(p["username"], p["team"]) for p in people if p.get("team")}
    assert team_count == 6  # north existed; team0..team4 were made
    reps = [p for p in people if p.get("quota_period")]
    assert len(quotas) == len(reps) == 189
    for person in reps:
        quota = quotas[ids[person["username"]]]
        assert quota["period"] == "2026-Q4"
        assert quota["amount"] == int(person["quota_amount"])
        assert quota["currency"] == (person["quota_currency"] or "EUR")


BAD_ROWS = {
    "unknown manager": ({"manager": "nobody"}, "manager 'nobody' is neither"),
    "bad email": ({"email": "not-an-email"}, "is not an email address"),
    "duplicate username": ({"username": "rep000"}, "is also on row 2"),
    "existing username": ({"username": "old"}, "user 'old' already exists"),
    "bad role": ({"role": "boss"}, "role 'boss' is not one of"),
    "bad quota period": ({"quota_period": "2026-Q5"}, "quota_period '2026-Q5'"),
    "bad quota amount": ({"quota_amount": "-5"}, "quota_amount '-5' is not a whole number"),
    "bad currency": ({"quota_currency": "EURO"}, "currency"),
    "NUL in a name": ({"name": "Ann\x00"}, "must not contain NUL"),
    "quota half given": ({"quota_amount": ""}, "needs both quota_period and quota_amount"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_one_bad_row_writes_nothing(
    case: str, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _org(db_url)
    old = ["--org", "acme", "--name", "Old", "--email", "old@example.com", "--password", "x" * 9]
    assert _run(db_url, "admin", "create-user", "old", *old) == 0
    people = _people(30)
    change, reason = BAD_ROWS[case]
    people[7] = {**people[7], **change}  # row 9: the header is row 1
    users = _write(tmp_path / "users.csv", people)
    codes = tmp_path / "codes.csv"
    capsys.readouterr()
    assert _run(db_url, "admin", "import-users", str(users), "--codes", str(codes)) == 2
    captured = capsys.readouterr()
    bad = [line for line in captured.out.splitlines() if not line.endswith("\tok")]
    assert len(bad) == 1, captured.out
    assert bad[0].startswith(f"row 9\t{people[7]['username']}\t"), bad
    assert reason in bad[0]
    assert captured.err == "error: nothing written: 1 of 30 rows have problems\n"
    assert _count_users(db_url) == 1  # old alone
    with _session(db_url) as session:
        assert session.scalar(text("select count(*) from teams")) == 1
        assert session.scalar(text("select count(*) from records")) == 1  # old's User record
    assert not codes.exists()


def test_a_manager_cycle_is_refused_on_each_of_its_rows(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _org(db_url)
    people = [
        {"username": "ann", "name": "Ann", "email": "ann@example.com", "manager": "bob"},
        {"username": "bob", "name": "Bob", "email": "bob@example.com", "manager": "cid"},
        {"username": "cid", "name": "Cid", "email": "cid@example.com", "manager": "ann"},
        {"username": "dan", "name": "Dan", "email": "dan@example.com", "manager": "ann"},
    ]
    users = _write(tmp_path / "users.csv", people)
    capsys.readouterr()
    assert _run(db_url, "admin", "import-users", str(users)) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "row 2\tann\tmanagers make a cycle: ann > bob > cid > ann"
    assert out[2].startswith("row 4\tcid\tmanagers make a cycle")
    assert out[3] == "row 5\tdan\tok"
    assert _count_users(db_url) == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"user,name\nann,Ann\n", "no column 'username'"),
        (b"username,name,email,colour\n", "unknown column 'colour'"),
        (HEADER.encode() + b"\n", "a header but no users"),
        (b"username,name,email\nann,\xe9,x\n", "line 2 is not UTF-8"),
    ],
)
def test_a_bad_file_is_one_line(
    content: bytes, reason: str, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _org(db_url)
    users = tmp_path / "users.csv"
    users.write_bytes(content)
    assert _run(db_url, "admin", "import-users", str(users)) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert reason in err
    assert _run(db_url, "admin", "import-users", str(tmp_path / "missing.csv")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_codes_file_is_never_overwritten(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _org(db_url)
    users = _write(tmp_path / "users.csv", _people(12))
    codes = tmp_path / "codes.csv"
    codes.write_text("keep me")
    assert _run(db_url, "admin", "import-users", str(users), "--codes", str(codes)) == 2
    assert "cannot create" in capsys.readouterr().err
    assert codes.read_text() == "keep me"
    assert _count_users(db_url) == 0
