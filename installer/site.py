"""The site file as the installers see it: the checked config plus package metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sfa_desktop import __version__
from sfa_desktop.site_config import SiteConfig, load

DEFAULT_MAINTAINER = "SFA Desktop administrators <root@localhost>"


@dataclass(frozen=True)
class Site:
    """A checked site file and what the packages are named and numbered after it."""

    config: SiteConfig
    text: str

    @classmethod
    def read(cls, path: Path) -> Site:
        """Load and check `path` (SiteConfigError names every problem)."""
        config = load(path)
        return cls(config, path.read_text(encoding="utf-8"))

    @property
    def version(self) -> str:
        """The app's version, e.g. 0.1.0."""
        return __version__

    @property
    def package_version(self) -> str:
        """Debian-style `version-revision`; bump `site.package_revision` to ship a new file."""
        return f"{__version__}-{self.config.package_revision}"

    @property
    def numeric_version(self) -> str:
        """Four numbers for Windows file versions and macOS bundle versions."""
        numbers = [int(part) for part in __version__.split(".")[:3] if part.isdigit()]
        numbers += [0] * (3 - len(numbers))
        return ".".join(str(n) for n in [*numbers, self.config.package_revision])

    @property
    def maintainer(self) -> str:
        return self.config.contact or DEFAULT_MAINTAINER

    @property
    def publisher(self) -> str:
        return self.config.organisation
