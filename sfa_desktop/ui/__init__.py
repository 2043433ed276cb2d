"""The desktop user interface (Qt widgets): `app` starts it, `main_window` holds the pages,
and each feature a rep or manager sees has its own package (accounts, calendar, contacts,
duplicates, forecast, imports, leads, pipeline, plans, review, today), with the window
around them in `shell` and what they share in `common` (widgets, models, the record form,
the history panel, the activity dialog, formatting). Features import `common`, never each
other, except those listed under "Inside the UI" in docs/architecture.md."""
