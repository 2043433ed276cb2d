"""Use cases over a Session: no FastAPI here; they return pydantic/dataclass values."""
