"""The client's log file: a few rotated files in the user's log folder, never a secret.

Syncs (what went up and down, or why not), sign-ins, the app starting and stopping, and
unexpected errors are logged. Anything that looks like a token or key (a long run of
base64/hex characters) is masked before it is written, whatever logged it.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "sfa-desktop.log"
MAX_BYTES = 1_000_000  # per file; with BACKUPS old files at most ~4 MB in all
BACKUPS = 3
_SECRET = re.compile(r"[A-Za-z0-9_\-+/=.]{32,}")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskSecrets(logging.Filter):
    """Replaces token-like runs in a record's message with "[masked]"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET.sub("[masked]", message)
        if record.exc_info and record.exc_info[1] is not None:
            masked += "\n" + _SECRET.sub(
                "[masked]", logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = masked, None
        return True


def start_logging(folder: Path, level: int = logging.INFO) -> Path:
    """Log the app's own messages (`sfa_desktop.*`) to `folder`/sfa-desktop.log; returns
    the file. Calling it again with the same folder changes nothing."""
    path = folder / LOG_NAME
    logger = logging.getLogger("sfa_desktop")
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(MaskSecrets())
    logger.addHandler(handler)
    logger.setLevel(level)
    return path
