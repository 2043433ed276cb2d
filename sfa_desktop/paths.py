"""Where the desktop client keeps its files (per user, per platform)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "sfa-desktop"


def data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    return user_config_path(APP_NAME, appauthor=False)


def default_store() -> Path:
    """The signed-in user's local database."""
    return data_dir() / "sfa.db"
