"""The keyring backend: whether it keeps secrets, and a start-up shortcut that names the
backend found last time instead of finding it again.

keyring finds its backend by reading every installed package's entry points and asking
each backend whether it works: about 0.2 s, paid before the first page, since the key of
the store is in the keyring. The app remembers the backend it found in its config folder
and names it at the next start through keyring's own `PYTHON_KEYRING_BACKEND`. A
remembered backend that no longer loads (the desktop changed) is forgotten, and keyring
searches again. Only the operating systems' keyrings that keyring ships are remembered
(Windows, macOS, Secret Service, KWallet): never a file keyring (keyrings.alt, as the
tests set), which must not outlive the process that chose it.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PYTHON_KEYRING_BACKEND"
_OS_KEYRINGS = "keyring.backends."
_NOT_KEYRINGS = ("keyring.backends.fail.", "keyring.backends.null.", "keyring.backends.chainer.")


def usable() -> bool:
    """Whether keyring has a backend that keeps secrets (not its "fail" stand-in)."""
    import keyring

    backend = keyring.get_keyring()
    return getattr(backend, "priority", 0) > 0 and "fail" not in type(backend).__module__


def use_remembered(remembered: Path) -> bool:
    """Point keyring at the backend named in `remembered`, if it still loads; whether it
    did. A backend named in the environment already is left alone."""
    if ENV in os.environ or not remembered.is_file():
        return False
    name = remembered.read_text(encoding="utf-8").strip()
    from keyring.core import load_keyring

    try:
        load_keyring(name)  # imports the class and asks it whether it works here
    except Exception:  # any failure means: search again
        remembered.unlink(missing_ok=True)
        return False
    os.environ[ENV] = name
    return True


def remember(remembered: Path) -> None:
    """Keep the name of the keyring backend in use, when it is a working OS keyring."""
    import keyring

    backend = keyring.get_keyring()
    kind = type(backend)
    name = f"{kind.__module__}.{kind.__qualname__}"
    os_keyring = name.startswith(_OS_KEYRINGS) and not name.startswith(_NOT_KEYRINGS)
    if not (os_keyring and usable()):
        return
    if remembered.is_file() and remembered.read_text(encoding="utf-8").strip() == name:
        return
    remembered.parent.mkdir(parents=True, exist_ok=True)
    partial = remembered.with_name(remembered.name + ".partial")
    partial.write_text(name + "\n", encoding="utf-8")
    partial.replace(remembered)
