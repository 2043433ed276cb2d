"""The Today page: what is due, closing and behind plan, and the forecast-call reminder."""
