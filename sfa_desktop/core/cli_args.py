"""What both command lines (`sfa-desktop`, `sfa-server`) share: a parser whose every
error is one line on stderr, argument types that say in one line what is wrong, and the
last guard that turns an unexpected error into one line instead of a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

DEBUG_ENV = "SFA_DEBUG"  # set to see the traceback of an unexpected error


def one_line(text: object) -> str:
    """`text` on one line (messages quote what a user typed, which may hold newlines)."""
    return " ".join(str(text).split())


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser that reports a bad command line in one line on stderr (exit 2),
    naming the command and where its help is, instead of usage lines and the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def positive_int(text: str) -> int:
    number = _int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text!r}")
    return number


def non_negative_int(text: str) -> int:
    number = _int(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return number


def port(text: str) -> int:
    number = _int(text)
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, got {text!r}")
    return number


def db_file(text: str) -> Path:
    """A database file to open or create, in a folder that exists: a mistyped folder is
    refused, never made (with a new, empty database in it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name")
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a database file")
    if not path.absolute().parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"the folder of {text!r} does not exist: create it first, or check the path"
        )
    return path


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def guarded(prog: str, run: Callable[[], int]) -> int:
    """`run()`, with Ctrl+C and any unexpected error reported in one line on stderr (exit
    130 and 1); the traceback only with $SFA_DEBUG set."""
    try:
        return run()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            raise
        kind = type(error).__name__
        print(
            f"{prog}: internal error ({kind}: {one_line(error)}); "
            f"run again with {DEBUG_ENV}=1 for the details",
            file=sys.stderr,
        )
        return 1
