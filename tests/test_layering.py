"""The layers below the UI import without PySide6, and the server never imports it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCK_QT = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "PySide6" or name.startswith(("PySide6.", "shiboken6")):
                raise ImportError(f"{name} must not be imported here")
            return None

    sys.meta_path.insert(0, BlockQt())
    """
)


def _import_all_without_qt(*packages: str) -> subprocess.CompletedProcess[str]:
    script = BLOCK_QT + textwrap.dedent(
        f"""
        for top in {packages!r}:
            package = importlib.import_module(top)
            for info in pkgutil.walk_packages(package.__path__, top + "."):
                if ".migrations" not in info.name and not info.name.endswith("__main__"):
                    importlib.import_module(info.name)
        print("ok")
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


def test_core_store_and_sync_import_without_pyside6() -> None:
    result = _import_all_without_qt(
        "sfa_desktop.core",
        "sfa_desktop.store",
        "sfa_desktop.sync",
        "sfa_desktop.demo",
        "sfa_desktop.security",
        "sfa_desktop.interchange",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_sync_server_imports_without_pyside6() -> None:
    result = _import_all_without_qt("sync_server")
    assert result.returncode == 0, result.stderr
