"""sfa-desktop: offline-first sales-force automation client."""

__version__ = "0.1.0"
