"""Thin, Qt-free operations over the Store: a value, the Changes, and how to undo it."""
