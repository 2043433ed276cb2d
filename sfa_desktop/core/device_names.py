"""The name a device signs in under unless the rep gives one."""

from __future__ import annotations

import getpass
import platform


def default_device_name() -> str:
    """Host, operating-system user and system, e.g. "lap-042 (jdoe, Linux)": an admin's
    device list then tells two laptops of one name, or two users of one machine, apart."""
    host = platform.node() or "desktop"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name known to the system
        user = ""
    details = ", ".join(part for part in (user, platform.system()) if part)
    return f"{host} ({details})" if details else host
