"""Admin installers: `python -m installer build --site site.toml` makes the desktop bundle,
the Linux .deb and the Windows/macOS recipes from one site file (see docs/installers.md)."""
