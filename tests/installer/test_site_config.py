"""The site file: a good one read back, each kind of mistake named with its key and line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import trustme

from sfa_desktop import paths, site_config
from sfa_desktop.site_config import SiteConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "installer" / "site.example.toml"
GOOD = """\
locked = ["sync_server", "stale_days"]

[site]
organisation = "Acme Ltd"

[sync]
server_url = "https://sfa.acme.example/"
interval_minutes = 30

[settings]
stale_days = 45
default_channel = "visit"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(SiteConfigError) as caught:
        site_config.load(path)
    return [p.replace(str(path), "site.toml") for p in caught.value.problems]


def test_a_good_file_gives_defaults_and_locks(tmp_path: Path) -> None:
    site = site_config.load(write(tmp_path, GOOD))
    assert site.organisation == "Acme Ltd"
    assert site.server_url == "https://sfa.acme.example"  # trailing slash dropped
    assert dict(site.defaults) == {
        "sync_server": "https://sfa.acme.example",
        "sync_interval": 30,
        "stale_days": 45,
        "default_channel": "visit",
    }
    assert site.locked == {"sync_server", "stale_days"}
    assert "locked: stale_days, sync_server" in site.describe()


def test_the_shipped_example_is_valid() -> None:
    assert site_config.load(EXAMPLE).server_url.startswith("https://")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("interval_minutes = 30", "interval_minutes = 0"),
            "site.toml:8: sync.interval_minutes must be between 1 and 1440, got 0",
        ),
        (
            GOOD.replace("https://sfa.acme.example/", "http://sfa.acme.example"),
            "site.toml:7: sync.server_url must use https:// (http:// is allowed only for a "
            "loopback address), got 'http://sfa.acme.example'",
        ),
        (
            GOOD.replace("https://sfa.acme.example/", "sfa.acme.example"),
            "site.toml:7: sync.server_url must be an address such as https://sfa.example.com, "
            "got 'sfa.acme.example'",
        ),
        (
            GOOD.replace("interval_minutes = 30", "interval_minutes = 30\nintervall = 5"),
            "site.toml:9: sync.intervall is not a known key (check the spelling against "
            "site.example.toml)",
        ),
        (
            GOOD + "\n[colours]\ntheme = 'dark'\n",
            "site.toml:14: colours is not a known key (check the spelling against "
            "site.example.toml)",
        ),
        (
            GOOD.replace('locked = ["sync_server", "stale_days"]', 'locked = ["sync_sever"]'),
            "site.toml:1: locked names 'sync_sever', not a setting",
        ),
        (
            GOOD.replace("stale_days = 45", "stale_days = 'soon'"),
            "site.toml:11: settings.stale_days must be a whole number, got 'soon'",
        ),
        (
            GOOD.replace('default_channel = "visit"', 'default_channel = "pigeon"'),
            "site.toml:12: settings.default_channel must be one of visit, call, email, event, "
            "mail, note, got 'pigeon'",
        ),
        (
            GOOD.replace("stale_days = 45", "colour = 'red'"),
            "site.toml:11: settings.colour is not a setting",
        ),
        (  # issue 23, point 7: phone_region accepted any text
            GOOD.replace("stale_days = 45", "phone_region = 'Germany'"),
            "site.toml:11: settings.phone_region must be a two-letter country code such as "
            "DE, GB or US, got 'Germany'",
        ),
        (
            GOOD.replace("stale_days = 45", "sync_interval = 5"),
            "site.toml:11: settings.sync_interval is set in [sync]: use sync.interval_minutes",
        ),
        (
            GOOD.replace('organisation = "Acme Ltd"', 'name = "Acme"'),
            "site.toml:3: site.organisation is required",
        ),
        (
            GOOD.replace('[site]\norganisation = "Acme Ltd"\n', ""),
            'site.toml: site is required: add a [site] table with organisation = "…"',
        ),
        (
            GOOD.replace("interval_minutes = 30", 'interval_minutes = "30"'),
            "site.toml:8: sync.interval_minutes must be a whole number, got '30'",
        ),
        (
            GOOD.replace('locked = ["sync_server", "stale_days"]\n', "")
            + 'locked = ["stale_days"]\n',
            "site.toml:12: settings.locked is not known: put `locked = [...]` at the top, "
            "before the first [table]",
        ),
        (
            GOOD.replace('server_url = "https://sfa.acme.example/"\n', ""),
            "site.toml:1: locked locks sync_server, so sync.server_url must be set",
        ),
        ("[site\norganisation = 1", "site.toml: is not valid TOML: "),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_loopback_servers_may_use_http(tmp_path: Path) -> None:
    for url in ("http://127.0.0.1:8765", "http://localhost:8000", "http://[::1]:8000"):
        site = site_config.load(write(tmp_path, GOOD.replace("https://sfa.acme.example/", url)))
        assert site.server_url == url


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """(/etc file, /opt file, the user's file), none written yet."""
    system, bundled = tmp_path / "etc" / "site.toml", tmp_path / "opt" / "site.toml"
    user = tmp_path / "user" / "site.toml"
    for path in (system, bundled, user):
        path.parent.mkdir()
    monkeypatch.setattr(paths, "admin_site_files", lambda: [system, bundled])
    monkeypatch.setattr(paths, "user_site_file", lambda: user)
    return system, bundled, user


def test_discovery_order(tmp_path: Path, places: tuple[Path, Path, Path]) -> None:
    system, bundled, user = places
    assert site_config.find_site_files({}) == (None, None)
    user.write_text(GOOD)
    assert site_config.find_site_files({}) == (None, user)
    bundled.write_text(GOOD)
    assert site_config.find_site_files({}) == (bundled, user)
    system.write_text(GOOD)
    assert site_config.find_site_files({}) == (system, user)  # /etc overrides /opt
    named = write(tmp_path, GOOD)
    assert site_config.find_site_files({site_config.ENV_VAR: str(named)}) == (system, named)
    with pytest.raises(SiteConfigError, match=r"SFA_SITE_CONFIG names .* which is not a file"):
        site_config.find_site_files({site_config.ENV_VAR: str(tmp_path / "missing.toml")})


USERS_OWN = """\
locked = ["default_channel"]

[site]
organisation = "Me"

[sync]
server_url = "https://evil.example"
interval_minutes = 5

[settings]
stale_days = 1
default_channel = "call"
"""


def test_a_users_file_cannot_drop_the_admins_locks(
    tmp_path: Path, places: tuple[Path, Path, Path]
) -> None:
    """SFA_SITE_CONFIG (or the user's own file) adds unlocked defaults only (issue 23, point 3)."""
    _, bundled, user = places
    bundled.write_text(GOOD)  # locks sync_server and stale_days
    named = tmp_path / "mine.toml"
    named.write_text(USERS_OWN)
    for env in ({site_config.ENV_VAR: str(named)}, {}):
        user.write_text(USERS_OWN)
        site = site_config.discover(env)
        assert site is not None
        assert site.path == bundled
        assert site.organisation == "Acme Ltd"
        assert site.server_url == "https://sfa.acme.example"
        assert dict(site.defaults) == {
            "sync_server": "https://sfa.acme.example",  # the admin's, locked
            "stale_days": 45,  # the admin's, locked
            "sync_interval": 5,  # the user's: the admin left it open
            "default_channel": "call",
        }
        assert site.locked == {"sync_server", "stale_days", "default_channel"}
        assert "with the user's" in site.describe()


def test_without_an_admin_file_the_users_file_is_used_as_it_is(
    places: tuple[Path, Path, Path],
) -> None:
    _, _, user = places
    user.write_text(USERS_OWN)
    site = site_config.discover({})
    assert site is not None
    assert site.path == user
    assert site.server_url == "https://evil.example"


def test_system_site_file_per_platform() -> None:
    assert paths.system_site_file("linux") == Path("/etc/sfa-desktop/site.toml")
    assert paths.system_site_file("darwin").parts[:3] == ("/", "Library", "Application Support")
    assert paths.system_site_file("win32").name == "site.toml"


def test_site_config_is_qt_free() -> None:
    script = (
        "import sys\n"
        "import sfa_desktop.site_config, sfa_desktop.settings_schema, installer.site\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def with_bundle(name: str) -> str:
    return GOOD.replace("interval_minutes = 30", f'interval_minutes = 30\nca_bundle = "{name}"')


def test_a_ca_bundle_is_read_back_and_described(tmp_path: Path) -> None:
    bundle = tmp_path / "corp.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    site = site_config.load(write(tmp_path, with_bundle(str(bundle))))
    assert site.ca_bundle == bundle
    assert site.describe().endswith(f"CA bundle {bundle}")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("corp.pem", "must be an absolute path such as /etc/ssl/certs/corp.pem, got 'corp.pem'"),
        ("{tmp}/missing.pem", "names {tmp}/missing.pem, which is not a file"),
        ("{tmp}/notes.txt", "names {tmp}/notes.txt, which holds no readable PEM certificate"),
        ("{tmp}", "names {tmp}, which holds no readable PEM certificate"),
    ],
)
def test_a_ca_bundle_that_cannot_be_used_is_named_with_its_line(
    tmp_path: Path, name: str, says: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    name, says = name.format(tmp=tmp_path), says.format(tmp=tmp_path)
    assert problems(tmp_path, with_bundle(name)) == [f"site.toml:9: sync.ca_bundle {says}"]
