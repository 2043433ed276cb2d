"""Mozilla's ical.js (the reader in Thunderbird and Nextcloud), run by node, as an oracle
for the .ics files we write: the occurrences it reads from a file, overrides applied.

ical.js is installed with npm into a cache folder the first time (`.ci/run` installs node
and npm); without node, npm or the package a test skips, and fails in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from required_tools import unavailable

SCRIPT = Path(__file__).with_name("ical_js") / "expand.mjs"
VERSION = "2.2.1"


def _package_root() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    root = cache / "sfa-desktop-tests" / f"ical.js-{VERSION}"
    if (root / "node_modules" / "ical.js" / "package.json").is_file():
        return root
    npm = shutil.which("npm")
    if npm is None:
        unavailable("needs npm to install ical.js")
    root.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(root), "--no-audit", "--no-fund", f"ical.js@{VERSION}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        unavailable(f"npm could not install ical.js: {done.stderr.strip()[-300:]}")
    return root


def ical_js_occurrences(path: Path, until: datetime) -> list[tuple[str, datetime]]:
    """(summary, UTC start) of every occurrence ical.js reads in `path` before `until`."""
    node = shutil.which("node")
    if node is None:
        unavailable("needs node to run ical.js")
    root = _package_root()
    done = subprocess.run(
        [node, str(SCRIPT), str(root / "node_modules"), str(path), until.isoformat()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [
        (item["summary"], datetime.fromisoformat(item["start"].replace("Z", "+00:00")))
        for item in json.loads(done.stdout)
    ]
