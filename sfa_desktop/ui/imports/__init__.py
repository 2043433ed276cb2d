"""The import wizard: file, format, column mapping, row check, duplicates, commit."""
