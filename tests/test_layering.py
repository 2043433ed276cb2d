"""The layers below the UI import without PySide6, and the server imports without any of
the desktop extras (the allowed-imports map itself: tests/test_imports_map.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

QT = ("PySide6", "shiboken6")
# What only the `desktop` extra installs: a server install has none of it.
DESKTOP_EXTRAS = (
    *QT,
    "openpyxl",
    "keyring",
    "icalendar",
    "tenacity",
    "phonenumbers",
    "rapidfuzz",
    "charset_normalizer",
    "vobject",
    "sqlcipher3",
)


def _blocking(names: tuple[str, ...]) -> str:
    return textwrap.dedent(
        f"""
        import importlib, importlib.abc, pkgutil, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {names!r}:
                    raise ImportError(f"{{name}} must not be imported here")
                return None

        sys.meta_path.insert(0, Block())
        """
    )


def _import_all_without(
    blocked: tuple[str, ...], *packages: str
) -> subprocess.CompletedProcess[str]:
    script = _blocking(blocked) + textwrap.dedent(
        f"""
        for top in {packages!r}:
            package = importlib.import_module(top)
            for info in pkgutil.walk_packages(getattr(package, "__path__", []), top + "."):
                if ".migrations" not in info.name and not info.name.endswith("__main__"):
                    importlib.import_module(info.name)
        print("ok")
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


def test_everything_below_app_imports_without_pyside6() -> None:
    result = _import_all_without(
        QT,
        "sfa_desktop.core",
        "sfa_desktop.sql",
        "sfa_desktop.store",
        "sfa_desktop.sync",
        "sfa_desktop.demo",
        "sfa_desktop.security",
        "sfa_desktop.interchange",
        "sfa_desktop.operations",
        "sfa_desktop.settings_schema",
        "sfa_desktop.site_config",
        "sfa_desktop.paths",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_sync_server_imports_without_the_desktop_extras() -> None:
    result = _import_all_without(DESKTOP_EXTRAS, "sync_server")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
