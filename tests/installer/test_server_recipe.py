"""The server deployment recipe names real settings and commands, its systemd units verify
cleanly, and PostgreSQL allows the connections the documented processes can open."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from required_tools import needs

from sync_server.cli import build_parser
from sync_server.config import ServerSettings

RECIPE = Path(__file__).resolve().parents[2] / "installer" / "server"
UNITS = [
    "sfa-server@.service",
    "sfa-server-migrate.service",
    "sfa-server.target",
    "sfa-server-purge.service",
    "sfa-server-purge.timer",
]


def recipe_text() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in RECIPE.iterdir()}


def test_every_sfa_variable_is_a_server_setting() -> None:
    fields = {f"SFA_{name.upper()}" for name in ServerSettings.model_fields}
    for name, text in recipe_text().items():
        used = set(re.findall(r"\bSFA_[A-Z_]+\b", text)) - {"SFA_DB_PASSWORD"}  # compose's own
        assert used <= fields, (name, used - fields)


def test_every_sfa_server_command_parses() -> None:
    commands = []
    for text in recipe_text().values():
        commands += re.findall(r"/opt/sfa-server/bin/sfa-server ([^\n\"]+)", text)
        commands += [
            shlex.join(json.loads(array)[1:])
            for array in re.findall(r'\["sfa-server"[^\]]*\]', text)
        ]
    assert len(commands) >= 5, commands
    for command in commands:
        args = build_parser().parse_args(shlex.split(command.replace("%i", "8001")))
        assert args.command in ("serve", "migrate", "purge-log"), command


def test_postgres_allows_the_documented_processes() -> None:
    conf = (RECIPE / "postgresql-sfa.conf").read_text()
    max_connections = int(re.search(r"^max_connections = (\d+)", conf, re.M).group(1))  # type: ignore[union-attr]
    pool = ServerSettings.model_fields["db_pool_size"].default
    per_process = pool + max(4, pool // 4)  # sync_server.db.make_engine's pool + overflow
    assert max_connections >= 4 * per_process + 10 + 3
    assert "4 processes -> 113" in conf  # the worked example matches the formula
    assert 4 * per_process + 10 + 3 == 113


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """The units with ExecStart and EnvironmentFile pointed at files that exist here."""
    server = shutil.which("sfa-server") or str(Path(sys.executable).with_name("sfa-server"))
    (tmp_path / "env").write_text((RECIPE / "env.example").read_text())
    for name in UNITS:
        text = (RECIPE / name).read_text()
        text = text.replace("/opt/sfa-server/bin/sfa-server", server)
        text = text.replace(
            "EnvironmentFile=/etc/sfa-server/env", f"EnvironmentFile={tmp_path}/env"
        )
        (tmp_path / name.replace("@.", "@8001.")).write_text(text)
    return tmp_path


def test_systemd_units_verify_without_warnings(units: Path) -> None:
    needs("systemd-analyze")
    files = sorted(str(path) for path in units.iterdir() if path.name != "env")
    result = subprocess.run(
        ["systemd-analyze", "verify", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # unknown keys and bad values only warn
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(units / "sfa-server@8001.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure, security.stdout + security.stderr
    assert float(exposure.group(1)) <= 2.5, security.stdout
