"""Skip a test for a missing tool or service on a developer machine; in CI it is a failure
(.ci/run installs every tool the tests use and starts their services)."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = bool(os.environ.get("CI"))


def unavailable(problem: str) -> None:
    """Skip the running test for `problem`, or fail it in CI."""
    if IN_CI:
        pytest.fail(f"{problem} (in CI)")
    pytest.skip(problem)


def needs(tool: str) -> None:
    """Stop the running test unless the command `tool` is installed."""
    if shutil.which(tool) is None:
        unavailable(f"needs {tool}")
