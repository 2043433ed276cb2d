"""The connectors' tests run against a real Radicale (tests/radicale_kit.py)."""

from radicale_kit import radicale

__all__ = ["radicale"]
