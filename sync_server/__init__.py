"""The sync server: FastAPI app, services, models and admin CLI for sfa-desktop."""

SCHEMA_VERSION = "1"
