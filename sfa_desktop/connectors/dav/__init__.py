"""What the CalDAV and CardDAV connectors share: the HTTP session, passwords, errors."""
