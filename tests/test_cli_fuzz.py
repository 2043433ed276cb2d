"""Bad command lines of both CLIs (`sfa-desktop`, `sfa-server`) end in one line on stderr
and a non-zero exit, never a traceback.

- A table: every option and positional of every command, found by walking the parsers
  (so a new option is covered), gets the bad values of its type (numbers, ports, periods,
  page names, database files in a missing folder, choices), goes missing when required,
  loses its value, and meets an unknown option; plus bad values the commands check when
  they run (server addresses, database URLs). Run in-process through `main(argv)`.
- Hypothesis: the admin commands of `sfa-server` with random text for every argument,
  against a real SQLite database, and `sfa-desktop login` with random names and addresses.
- A few of the same as real subprocesses.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfa_desktop import cli as desktop_cli
from sfa_desktop.core import cli_args
from sync_server import cli as server_cli
from sync_server import cli_checks

Main = Callable[[Sequence[str] | None], int]
MISSING_FOLDER = "/no/such/dir/x.db"
BAD_BY_TYPE: dict[object, list[str]] = {
    cli_args.positive_int: ["0", "-1", "abc", "", "1.5", "1e3", "٣x"],
    cli_args.non_negative_int: ["-1", "abc", "", "2.0"],
    cli_args.port: ["0", "65536", "-1", "http", ""],
    cli_args.non_empty: ["", "  \n"],
    cli_args.db_file: [MISSING_FOLDER, "", "{folder}"],
    int: ["abc", "", "1.5"],
    desktop_cli.page_name: ["bogus", "", "accounts and more"],
    cli_checks.period: ["2026-Q5", "2026-13", "Q4", "", "20261"],
}
GOOD_BY_TYPE: dict[object, str] = {
    cli_args.positive_int: "1",
    cli_args.non_negative_int: "0",
    cli_args.port: "8765",
    cli_args.non_empty: "x",
    cli_args.db_file: "{folder}/ok.db",
    int: "1",
    desktop_cli.page_name: "accounts",
    cli_checks.period: "2026-Q4",
}
# Checked when the command runs, not by the parser.
BAD_SERVERS = ["sfa.example.com", "ftp://sfa.example.com", "http://", "https://:443", "http://[::1"]
BAD_DATABASES = [
    "nonsense",
    "sqlite:////no/such/dir/x.db",
    "mysql://nobody/nothing",
    "postgresql+psycopg://u:secret@127.0.0.1:1/db",
]


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    """(command path, parser) of every command that takes no further command."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _leaves(sub, (*path, name))


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0 and not isinstance(action, argparse._HelpAction)


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if _takes_value(a) and a.dest != "help"]


def _good(action: argparse.Action) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    return GOOD_BY_TYPE.get(action.type, "x")


def _argv(path: tuple[str, ...], actions: list[argparse.Action], values: dict[str, str | None]):
    """`path`, then every required argument (and those in `values`): the value in `values`
    (None: the option without its value, at the end), else a good one."""
    positionals: list[str] = []
    options: list[str] = []
    dangling: list[str] = []
    for action in actions:
        wanted = action.dest in values
        if not (action.required or wanted):
            continue
        value = values.get(action.dest, _good(action))
        if action.option_strings:
            if value is None:
                dangling = [action.option_strings[0]]
            else:
                options += [action.option_strings[0], value]
        elif value is not None:
            positionals.append(value)
    return [*path, *positionals, *options, *dangling]


def _cases(parser: argparse.ArgumentParser, prefix: list[str]) -> Iterator[list[str]]:
    """Bad command lines for every command of `parser`."""
    for path, leaf in _leaves(parser):
        actions = _arguments(leaf)
        yield [*prefix, *_argv(path, actions, {}), "--no-such-option"]
        for action in actions:
            bad = ["bogus"] if action.choices else BAD_BY_TYPE.get(action.type, [])
            for value in bad:
                yield [*prefix, *_argv(path, actions, {action.dest: value})]
            if action.option_strings:
                yield [*prefix, *_argv(path, actions, {action.dest: None})]
            if action.required:
                rest = [a for a in actions if a is not action]
                yield [*prefix, *_argv(path, rest, {})]
    yield [*prefix, "no-such-command"]


def _run(main: Main, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def _one_clear_line(code: int, err: str, argv: list[str]) -> None:
    lines = err.splitlines()
    assert code != 0, argv
    assert len(lines) == 1, (argv, err)
    assert lines[0].strip(), argv
    assert "Traceback" not in err
    assert "internal error" not in err, (argv, err)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def server_db(folder: Path) -> Iterator[str]:
    """A migrated SQLite server database with org acme and users rob and mia; cheap
    password hashing for the fuzzed create-user and reset-password."""
    url = f"sqlite:///{folder / 'server.db'}"
    saved = dict(os.environ)
    os.environ.update(SFA_PASSWORD_TIME_COST="1", SFA_PASSWORD_MEMORY_KIB="1024")
    base = ["--database-url", url]
    assert server_cli.main([*base, "admin", "create-org", "acme"]) == 0
    for name in ("rob", "mia"):
        user = [name, "--org", "acme", "--name", name, "--email", f"{name}@example.com"]
        assert server_cli.main([*base, "admin", "create-user", *user, "--password", "x" * 12]) == 0
    yield url
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def quiet_stdin(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no password typed
    monkeypatch.chdir(folder)  # a relative --db never lands in the repository


def _desktop_cases(folder: Path) -> list[list[str]]:
    cases = [
        [part.replace("{folder}", str(folder)) for part in case]
        for case in _cases(desktop_cli._parser(), [])
    ]
    login = ["login", "--user", "rob", "--db", str(folder / "ok.db")]
    return cases + [[*login, "--server", server] for server in BAD_SERVERS]


def _server_cases(folder: Path, url: str) -> list[list[str]]:
    cases = [
        [part.replace("{folder}", str(folder)) for part in case]
        for case in _cases(server_cli.build_parser(), ["--database-url", url])
    ]
    for database in BAD_DATABASES:
        cases += [["--database-url", database, "migrate"]]
        cases += [["--database-url", database, "admin", "list-users"]]
    return cases


@pytest.mark.usefixtures("quiet_stdin")
def test_every_bad_option_of_both_clis_is_one_line(folder: Path, server_db: str) -> None:
    desktop = _desktop_cases(folder)
    server = _server_cases(folder, server_db)
    for main, cases in ((desktop_cli.main, desktop), (server_cli.main, server)):
        for argv in cases:
            code, _out, err = _run(main, argv)
            _one_clear_line(code, err, argv)
    print(f"{len(desktop)} sfa-desktop and {len(server)} sfa-server command lines")
    assert len(desktop) + len(server) > 150
    assert not Path(MISSING_FOLDER).parent.exists()  # never made


_TEXT = st.one_of(
    st.sampled_from(["acme", "rob", "mia", "2026-Q4", "2026-01-01", "USD", "0.9", "-1", "1", ""]),
    st.text(max_size=24),
)
_NAMES = {  # arguments that name something: mostly what exists, so commands get further
    "username": ["rob", "mia"],
    "manager": ["rob", "mia"],
    "org": ["acme"],
    "name": ["acme"],
}
ADMIN = [leaf for leaf in _leaves(server_cli.build_parser()) if leaf[0][0] == "admin"]


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    """Random text, biased to values that pass the parser and name what exists."""
    if action.type in GOOD_BY_TYPE:
        good = GOOD_BY_TYPE[action.type]
        return st.sampled_from([good] * 5 + BAD_BY_TYPE[action.type])
    if action.choices:
        return st.sampled_from([*map(str, action.choices), "bogus"])
    if action.dest in _NAMES:
        return st.one_of(st.sampled_from(_NAMES[action.dest]), _TEXT)
    return _TEXT


@pytest.mark.parametrize(("path", "leaf"), ADMIN, ids=[" ".join(path) for path, _ in ADMIN])
def test_admin_commands_with_random_arguments_never_trace(
    path: tuple[str, ...], leaf: argparse.ArgumentParser, server_db: str
) -> None:
    actions = _arguments(leaf)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        chosen = [a for a in actions if a.required or data.draw(st.booleans())]
        values = {a.dest: data.draw(_value(a)) for a in chosen}
        argv = ["--database-url", server_db, *_argv(path, actions, values)]
        code, _out, err = _run(server_cli.main, argv)
        if code != 0:
            _one_clear_line(code, err, argv)
        else:
            assert err == "", argv

    check()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(server=st.one_of(st.text(max_size=30), st.just("http://127.0.0.1:1")), user=_TEXT)
@pytest.mark.usefixtures("quiet_stdin")
def test_login_with_random_names_and_addresses_never_traces(
    server: str, user: str, folder: Path
) -> None:
    argv = ["login", "--server", server, "--user", user, "--db", str(folder / "ok.db")]
    code, _out, err = _run(desktop_cli.main, argv)
    _one_clear_line(code, err, argv)  # no password on stdin: never signs in


SUBPROCESS_CASES = [
    (("sfa_desktop", "login", "--server", "sfa.example.com", "--user", "rob"), "https://"),
    (("sfa_desktop", "sync", "--db", MISSING_FOLDER), "does not exist"),
    (("sfa_desktop", "run", "--page", "bogus"), "the pages: today, accounts"),
    (("sfa_desktop", "demo", "--contacts", "-5"), "must be 1 or more"),
    (("sync_server", "admin", "set-quota", "rob", "2026-Q5", "1"), "is not a period"),
    (("sync_server", "admin", "set-quota", "rob", "2026-Q4", "-5"), "must be 0 or more"),
    (("sync_server", "--database-url", "nonsense", "migrate"), "check --database-url"),
    (("sync_server", "serve", "--port", "0"), "port from 1 to 65535"),
    (("sync_server", "admin", "set-manager", "rob"), "--none to clear it"),
]


@pytest.mark.parametrize(("argv", "says"), SUBPROCESS_CASES, ids=lambda v: " ".join(v)[:40])
def test_bad_command_lines_as_real_processes(
    argv: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-m", *argv],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    _one_clear_line(result.returncode, result.stderr, list(argv))
    assert says in result.stderr
