"""The desktop user interface (Qt widgets): `app` starts it, `main_window` holds the pages,
and each feature a rep or manager sees has its own package (accounts, activities, calendar,
contacts, duplicates, forecast, history, imports, leads, pipeline, plans, review, today),
with the window around them in `shell` and what they share in `common`. Features import
`common` (and `shell` only for the search popup's page opening), never each other, except
where one page opens another's dialog (listed in tests/test_imports_map.py)."""
