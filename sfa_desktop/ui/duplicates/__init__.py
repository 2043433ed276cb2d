"""Finding and merging duplicate accounts and contacts."""
