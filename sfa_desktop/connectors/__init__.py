"""Connectors to the rep's own calendar (CalDAV) and address book (CardDAV): Qt-free,
beside the sync client; they write records only through Store use cases."""
