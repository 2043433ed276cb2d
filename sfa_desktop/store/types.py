"""The store's migrations name the column type by this path; it lives in `sfa_desktop.sql`."""

from sfa_desktop.sql.types import UTCDateTime

__all__ = ["UTCDateTime"]
