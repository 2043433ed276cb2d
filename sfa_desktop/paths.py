"""Where the desktop client keeps its files (per user, per platform)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_documents_path, user_log_path

APP_NAME = "sfa-desktop"
SITE_FILE = "site.toml"


def data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    return user_config_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    """Where the app's log files go (sfa_desktop.app.app_log)."""
    return user_log_path(APP_NAME, appauthor=False)


def documents_dir() -> Path:
    """Where files the user saves or opens start out: Documents, else the home folder."""
    folder = user_documents_path()
    return folder if folder.is_dir() else Path.home()


def default_store() -> Path:
    """The signed-in user's local database."""
    return data_dir() / "sfa.db"


def system_site_file(platform: str = sys.platform) -> Path:
    """Where an installer or device management puts the site file for every user."""
    if platform.startswith("win"):
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / APP_NAME / SITE_FILE
    if platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME / SITE_FILE
    return Path("/etc") / APP_NAME / SITE_FILE


def bundled_site_files() -> list[Path]:
    """Site files beside a frozen (PyInstaller) executable: the Windows/macOS installers' place."""
    if not getattr(sys, "frozen", False):
        return []
    folder = Path(sys.executable).resolve().parent
    # A macOS .app keeps the executable in Contents/MacOS and data in Contents/Resources.
    return [folder / SITE_FILE, folder.parent / "Resources" / SITE_FILE]


def admin_site_files() -> list[Path]:
    """Site files only an administrator can write, in order; the first found is the admin's."""
    return [system_site_file(), *bundled_site_files()]


def user_site_file() -> Path:
    """The user's own site file (`$SFA_SITE_CONFIG` names another): unlocked defaults only."""
    return config_dir() / SITE_FILE
