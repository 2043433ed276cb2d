"""SQLAlchemy pieces shared by the local store and the sync server: the UTC datetime
column type and the Alembic helper. Qt-free, engine-neutral (SQLite and PostgreSQL), and
needing only SQLAlchemy and Alembic, so a server install imports it without the desktop
extras."""
