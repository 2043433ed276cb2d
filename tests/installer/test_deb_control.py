"""The .deb's control text and changelog stay within lintian's limits for any organisation name
(issue 23, point 7: a long name made lintian warn)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from installer import deb
from installer.site import Site

LONG = "Acme Worldwide Industrial Holdings and Subsidiaries (Europe, Middle East and Africa) Ltd"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setattr(deb, "architecture", lambda: "amd64")
    monkeypatch.setattr(deb.debdeps, "depends", lambda folder: "libc6 (>= 2.36)")
    path = tmp_path / "site.toml"
    path.write_text(
        f'[site]\norganisation = "{LONG}"\ncontact = "Acme IT <it@acme.example>"\n',
        encoding="utf-8",
    )
    return Site.read(path)


def test_a_long_organisation_name_is_wrapped_in_the_description(site: Site, tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    text = deb.control(site, tmp_path / "root")
    lines = text.splitlines()
    synopsis = next(line for line in lines if line.startswith("Description: "))
    assert len(synopsis) <= 80  # lintian: synopsis-too-long
    extended = lines[lines.index(synopsis) + 1 :]
    assert extended, text
    for line in extended:
        assert line.startswith(" "), line
        assert len(line) <= 80, line  # lintian: extended-description-line-too-long
    assert LONG in " ".join(line.strip() for line in extended)
    assert "/opt/sfa-desktop/site.toml" in text


def test_a_long_organisation_name_is_wrapped_in_the_changelog(site: Site, tmp_path: Path) -> None:
    text = deb._changelog(site)
    entry = [line for line in text.splitlines() if line.startswith("  ")]
    assert entry[0].startswith("  * Built for ")
    for line in text.splitlines():
        assert len(line) <= 80, line  # debian-changelog-line-too-long
    assert LONG in " ".join(line.strip() for line in entry)
    deb._gzip(tmp_path / "changelog.gz", text)
    assert gzip.decompress((tmp_path / "changelog.gz").read_bytes()).decode() == text
