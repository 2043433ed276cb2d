"""Settings ▸ Connections: the rep's own calendars and address books."""
