"""Where things are: the repository, its resources, the installer's templates."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
RESOURCES = ROOT / "resources"
TEMPLATES = PACKAGE / "templates"
SERVER_RECIPE = PACKAGE / "server"

APP_NAME = "sfa-desktop"
DISPLAY_NAME = "SFA Desktop"
BUNDLE_ID = "com.sfa-desktop.app"
INSTALL_DIR = "/opt/sfa-desktop"
# The packaged site file (replaced on every upgrade, not a conffile) and the machine's own
# override, which wins when present and which the package never ships or touches.
SITE_FILE = "/opt/sfa-desktop/site.toml"
LOCAL_SITE_FILE = "/etc/sfa-desktop/site.toml"
