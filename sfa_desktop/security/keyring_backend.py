"""Which keyring backend may keep secrets, and a start-up shortcut that names the backend
found last time instead of finding it again.

The rule (`trusted`): a backend keeps secrets only when it hands them to something that
protects them by itself: the operating system's keyring (keyring's Windows, macOS,
Secret Service, KWallet, libsecret backends) or a backend the user installed on purpose.
These count as no keyring, and the app then uses a passphrase (store_key, credentials):
- keyring's own stand-ins: `fail`, `null`, and any backend of priority <= 0 (or one whose
  priority raises, i.e. that does not work here);
- everything of keyrings.alt: its plain-text file, its files "encrypted" with a key kept
  beside them or with the Windows API, its registry and old GNOME backends. A
  `pip install` pulls it in without the user choosing it, its plain file is readable by
  any process of the user, and its passphrase-encrypted file asks on a terminal the GUI
  does not have; what it would protect the app's own passphrase protects already;
- keyring's `chainer` stands for the backends it chains: the first trusted one of them
  is used directly (so a write never falls through to a plain file), or none.

keyring finds its backend by reading every installed package's entry points and asking
each backend whether it works: about 0.2 s, paid before the first page, since the key of
the store is in the keyring. The app remembers the trusted backend it found in its config
folder and names it at the next start through keyring's `PYTHON_KEYRING_BACKEND`. A
remembered backend that no longer loads (the desktop changed) is forgotten, and keyring
searches again. Only keyring's own OS backends are remembered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENV = "PYTHON_KEYRING_BACKEND"
_OS_KEYRINGS = "keyring.backends."
_NOT_KEYRINGS = (
    "keyring.backends.fail.",
    "keyring.backends.null.",
    "keyring.backends.chainer.",
    "keyrings.alt.",
)
_works: dict[type, bool] = {}  # a backend's priority can cost a D-Bus round trip: asked once


def name(backend: Any) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def trusted(backend: Any) -> bool:
    """Whether `backend` (a keyring backend, not a chainer) may keep the app's secrets."""
    if name(backend).startswith(_NOT_KEYRINGS):
        return False
    kind = type(backend)
    if kind not in _works:
        try:
            _works[kind] = float(backend.priority) > 0
        except Exception:  # keyring's way of saying "does not work here"
            _works[kind] = False
    return _works[kind]


def secure() -> Any | None:
    """The backend secrets go to, or None when there is no trusted one (see the module)."""
    import keyring
    from keyring.backends.chainer import ChainerBackend

    found = keyring.get_keyring()
    if isinstance(found, ChainerBackend):
        try:
            chained = list(found.backends)  # highest priority first
        except Exception:
            return None
        return next((backend for backend in chained if trusted(backend)), None)
    return found if trusted(found) else None


def usable() -> bool:
    """Whether there is a trusted keyring backend."""
    return secure() is not None


def describe() -> str:
    """The keyring in words: its backend's name, or why there is none (for --self-test)."""
    backend = secure()
    if backend is not None:
        return str(getattr(backend, "name", name(backend)))
    import keyring

    return f"none ({name(keyring.get_keyring())} does not count: plain file or stand-in)"


def use_remembered(remembered: Path) -> bool:
    """Point keyring at the backend named in `remembered`, if it still loads and is
    trusted; whether it did. A backend named in the environment already is left alone."""
    if ENV in os.environ or not remembered.is_file():
        return False
    named = remembered.read_text(encoding="utf-8").strip()
    from keyring.core import load_keyring

    try:
        loaded = load_keyring(named)  # imports the class and asks it whether it works here
    except Exception:  # any failure means: search again
        loaded = None
    if loaded is None or not trusted(loaded):
        remembered.unlink(missing_ok=True)
        return False
    os.environ[ENV] = named
    return True


def remember(remembered: Path) -> None:
    """Keep the name of the keyring backend in use, when it is one of keyring's OS ones."""
    backend = secure()
    if backend is None or not name(backend).startswith(_OS_KEYRINGS):
        return
    named = name(backend)
    if remembered.is_file() and remembered.read_text(encoding="utf-8").strip() == named:
        return
    remembered.parent.mkdir(parents=True, exist_ok=True)
    partial = remembered.with_name(remembered.name + ".partial")
    partial.write_text(named + "\n", encoding="utf-8")
    partial.replace(remembered)
