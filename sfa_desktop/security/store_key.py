"""The key of the encrypted local store: random and kept in the OS keyring, or derived
from a passphrase the rep chooses when there is no keyring.

- Keyring: 32 random bytes per store file, in the entry `store-key:<absolute path>` of the
  service "sfa-desktop" (where the refresh tokens live too).
- No keyring (a headless box, a locked-down desktop): the rep chooses a passphrase, asked
  twice the first time; the key is derived from it with scrypt (N=2^17, r=8, p=1: 128 MiB,
  about half a second, once per start) and a random salt kept in `<store>.salt` beside the
  database. That file is not secret; it also holds a check value, so a wrong passphrase is
  told apart at once ("wrong passphrase") from a store whose key does not fit. A second
  copy, `<store>.salt-copy`, is written with it: a damaged or replaced salt file is
  answered from the copy (and mended), so a right passphrase still opens the store.
- `forget` removes both (a revoked device shreds its key with its data).

How to ask for a passphrase is the caller's: a dialog in the app, `console_ask` (getpass
or $SFA_STORE_PASSPHRASE) for the commands.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sfa_desktop.core.errors import DomainError
from sfa_desktop.security import keyring_backend

SERVICE = "sfa-desktop"
KEY_BYTES = 32
SALT_SUFFIX = ".salt"
SALT_COPY_SUFFIX = ".salt-copy"
ENV_PASSPHRASE = "SFA_STORE_PASSPHRASE"
MIN_PASSPHRASE = 8
# scrypt cost: RFC 7914 / OWASP's interactive profile (128 * r * N bytes = 128 MiB).
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
_CHECK = b"sfa-desktop store key check"
_PLAIN_HEADER = b"SQLite format 3\x00"


class StoreKeyError(DomainError):
    """The store's key cannot be had; the message says why, for the rep."""


class WrongPassphrase(StoreKeyError):
    def __init__(self) -> None:
        super().__init__("Wrong passphrase.")


class PassphraseNeeded(StoreKeyError):
    """A passphrase is needed and none was given (no way to ask, or the rep cancelled)."""


class StoreKeyLost(StoreKeyError):
    """The store is encrypted but its key is in neither the keyring nor a passphrase file."""


@dataclass(frozen=True)
class PassphraseRequest:
    path: Path
    new: bool  # no passphrase yet: the rep chooses one (ask twice)
    problem: str = ""  # why it is asked again ("Wrong passphrase."), or ""


# Returns the passphrase, or None when the rep gives up.
Ask = Callable[[PassphraseRequest], str | None]
Source = Literal["keyring", "passphrase", "memory"]


@dataclass(frozen=True)
class StoreKey:
    key: bytes = field(repr=False)  # never printed
    source: Source


def salt_file(path: Path) -> Path:
    return path.with_name(path.name + SALT_SUFFIX)


def salt_copy(path: Path) -> Path:
    return path.with_name(path.name + SALT_COPY_SUFFIX)


def entry(path: Path) -> str:
    """The keyring entry of the store at `path` (one per store file)."""
    return f"store-key:{Path(path).absolute()}"


def in_memory() -> StoreKey:
    """A random key kept nowhere: the store is readable only by this process."""
    return StoreKey(secrets.token_bytes(KEY_BYTES), "memory")


def load(path: Path, ask: Ask | None, attempts: int | None = None) -> StoreKey:
    """The key of the store at `path`, made on first use.

    From the keyring when it holds one; from the passphrase when the store has a salt
    file (and a database: a salt file alone is stale); otherwise a new random key in the
    keyring, or, with no keyring, a new passphrase. `ask` is called for passphrases (None:
    PassphraseNeeded); after a wrong one it is called again with the problem, up to
    `attempts` times (None: until the rep gives up), then WrongPassphrase.
    """
    path = Path(path)
    usable = _try(keyring_backend.usable) is True
    if usable:
        stored = _try(lambda: _keyring_get(path))
        if isinstance(stored, bytes):
            return StoreKey(stored, "keyring")
        usable = stored is None  # an error: treat the keyring as missing
    if (salt_file(path).exists() or salt_copy(path).exists()) and path.exists():
        return _from_passphrase(path, ask, attempts, new=False)
    if _encrypted(path):
        where = "system keyring" if usable else "system keyring, which is not available now"
        raise StoreKeyLost(
            f"The local database {path} is encrypted, but its key is not in the {where}, "
            "so it cannot be read and was left as it is: restore the key, or move the file "
            "aside and sign in again to download your data."
        )
    if usable:
        created = in_memory().key
        if _try(lambda: _keyring_set(path, created)) is True:
            return StoreKey(created, "keyring")
    return _from_passphrase(path, ask, attempts, new=True)


def remember(path: Path, key: bytes) -> None:
    """Keep `key` as the keyring entry of the store at `path` (KeyringError if it cannot)."""
    from keyring.errors import KeyringError

    if not _keyring_set(path, key):
        raise KeyringError("the keyring did not keep the store key")


def forget(path: Path) -> None:
    """Shred the key of the store at `path`: its keyring entry and its salt files."""
    salt_file(path).unlink(missing_ok=True)
    salt_copy(path).unlink(missing_ok=True)
    backend = _try(keyring_backend.secure)
    if backend is not None and not isinstance(backend, Exception):
        from keyring.errors import KeyringError

        with contextlib.suppress(KeyringError):
            backend.delete_password(SERVICE, entry(path))


def create_passphrase(path: Path, passphrase: str) -> StoreKey:
    """Choose the passphrase of the store at `path`: a new salt file, and the key."""
    problem = passphrase_problem(passphrase, passphrase)
    if problem:
        raise StoreKeyError(problem)
    salt = secrets.token_bytes(16)
    params = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
    key = _derive(passphrase, salt, params)
    content = {
        "version": 1,
        **params,
        "salt": base64.b64encode(salt).decode(),
        "check": base64.b64encode(_check(key)).decode(),
    }
    encoded = json.dumps(content, indent=1).encode()
    _write_atomically(salt_file(path), encoded)
    _write_atomically(salt_copy(path), encoded)
    return StoreKey(key, "passphrase")


def unlock(path: Path, passphrase: str) -> StoreKey:
    """The key of the store at `path` from its passphrase; WrongPassphrase if it is not.

    The salt file is tried, then its copy when they differ (one damaged or replaced); the
    one the passphrase fits is written back over the other."""
    tried: list[bytes] = []
    for file in (salt_file(path), salt_copy(path)):
        try:
            raw = file.read_bytes()
        except OSError:
            continue
        if raw in tried:
            continue
        tried.append(raw)
        try:
            content = json.loads(raw)
            salt = base64.b64decode(content["salt"], validate=True)
            check = base64.b64decode(content["check"], validate=True)
            params = {name: content[name] for name in ("kdf", "n", "r", "p")}
            key = _derive(passphrase, salt, params)
        except (ValueError, KeyError, TypeError, StoreKeyError):
            continue
        if hmac.compare_digest(_check(key), check):
            for other in (salt_file(path), salt_copy(path)):
                if other != file and _read_or_none(other) != raw:
                    _mend(other, raw)
            return StoreKey(key, "passphrase")
    if any(_parses(raw) for raw in tried):
        raise WrongPassphrase()
    raise StoreKeyError(
        f"The passphrase file {salt_file(path)} is damaged and has no readable copy, so "
        "the local database cannot be unlocked."
    )


def passphrase_problem(passphrase: str, repeated: str) -> str:
    """Why a new passphrase cannot be used, or "" (shared by the dialog and the console)."""
    if not passphrase:
        return "Enter a passphrase."
    if len(passphrase) < MIN_PASSPHRASE:
        return f"Use at least {MIN_PASSPHRASE} characters."
    if passphrase != repeated:
        return "The two passphrases differ."
    return ""


def console_ask(request: PassphraseRequest) -> str | None:
    """Ask on the terminal (getpass), or take $SFA_STORE_PASSPHRASE (for scripts)."""
    from_env = os.environ.get(ENV_PASSPHRASE)
    if from_env:
        if request.problem:  # the variable is wrong: asking again would loop
            raise WrongPassphrase()
        return from_env
    if not sys.stdin.isatty():
        raise PassphraseNeeded(
            "The local database needs its passphrase (there is no system keyring): "
            f"run in a terminal or set {ENV_PASSPHRASE}."
        )
    if request.problem:
        print(request.problem, file=sys.stderr)
    if not request.new:
        return getpass.getpass(f"Passphrase of the local database {request.path.name}: ") or None
    print(
        "There is no system keyring to keep the key of the local database: choose a "
        "passphrase for it. You will need it each time the app starts; if it is lost, "
        "data not yet synced is lost with it.",
        file=sys.stderr,
    )
    while True:
        first = getpass.getpass("New passphrase: ")
        if not first:
            return None
        problem = passphrase_problem(first, getpass.getpass("The same again: "))
        if not problem:
            return first
        print(problem, file=sys.stderr)


# -- helpers ----------------------------------------------------------------------------------


def _from_passphrase(path: Path, ask: Ask | None, attempts: int | None, new: bool) -> StoreKey:
    if ask is None:
        raise PassphraseNeeded(
            f"The local database {path} needs a passphrase (there is no system keyring)."
        )
    problem = ""
    tries = 0
    while attempts is None or tries < attempts:
        tries += 1
        passphrase = ask(PassphraseRequest(path, new, problem))
        if passphrase is None:
            raise PassphraseNeeded("No passphrase was given: the local database stays closed.")
        try:
            return create_passphrase(path, passphrase) if new else unlock(path, passphrase)
        except WrongPassphrase as error:
            problem = f"{error} Try again."
        except StoreKeyError as error:
            if not new:
                raise
            problem = str(error)
    raise WrongPassphrase()


def _mend(path: Path, content: bytes) -> None:
    """Write `content` to `path`, a damaged one kept aside as `<name>.damaged-<UTC time>`
    (or the copy made, for a salt file written before copies)."""
    if path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path.replace(path.with_name(f"{path.name}.damaged-{stamp}"))
    _write_atomically(path, content)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _parses(raw: bytes) -> bool:
    try:
        content = json.loads(raw)
        return bool(base64.b64decode(content["salt"], validate=True)) and "check" in content
    except (ValueError, KeyError, TypeError):
        return False


def _derive(passphrase: str, salt: bytes, params: dict[str, Any]) -> bytes:
    if params["kdf"] != "scrypt":
        raise StoreKeyError(f"Unknown key derivation {params['kdf']!r}.")
    n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
    return hashlib.scrypt(
        unicodedata.normalize("NFC", passphrase).encode(),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * r * n,  # twice the 128 * r * n scrypt needs
        dklen=KEY_BYTES,
    )


def _check(key: bytes) -> bytes:
    return hmac.new(key, _CHECK, hashlib.sha256).digest()


def _encrypted(path: Path) -> bool:
    """An existing, non-empty database file that is not plain SQLite."""
    try:
        with path.open("rb") as file:
            header = file.read(len(_PLAIN_HEADER))
    except FileNotFoundError:
        return False
    return bool(header) and header != _PLAIN_HEADER


def _keyring() -> Any:
    """The trusted keyring backend (keyring_backend.secure); NoKeyringError without one."""
    backend = keyring_backend.secure()
    if backend is None:
        from keyring.errors import NoKeyringError

        raise NoKeyringError("no trusted keyring backend")
    return backend


def _keyring_get(path: Path) -> bytes | None:
    stored = _keyring().get_password(SERVICE, entry(path))
    if stored is None:
        return None
    key = bytes.fromhex(stored)
    if len(key) != KEY_BYTES:
        raise ValueError("the keyring entry is not a store key")
    return key


def _keyring_set(path: Path, key: bytes) -> bool:
    """Store and read back (some backends accept and drop)."""
    _keyring().set_password(SERVICE, entry(path), key.hex())
    return _keyring_get(path) == key


def _try(call: Callable[[], Any]) -> Any:
    """`call()`, or the exception it raised (keyring backends raise more than KeyringError:
    D-Bus errors, a locked collection, a broken entry)."""
    try:
        return call()
    except Exception as error:
        return error


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    with temp.open("wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)
