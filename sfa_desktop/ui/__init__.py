"""The desktop user interface (Qt widgets): `app` starts it, `main_window` holds the pages,
and each feature a rep or manager sees has its own package (accounts, calendar, contacts,
duplicates, forecast, imports, leads, pipeline, plans, review, today), with the window
around them in `shell` and what they share in `common` (widgets, models, the record form,
the history panel, the activity dialog, formatting). Features import `common`, never each
other, except those listed under "Inside the UI" in docs/architecture.md."""

# The store (SQLAlchemy, pydantic and the entity models) is imported before PySide6:
# PySide6's import hook reads the source of each module imported after it (looking for
# `from __feature__`), which cost ~0.15 s of a cold start for these ~500 modules.
import sfa_desktop.store  # noqa: F401
