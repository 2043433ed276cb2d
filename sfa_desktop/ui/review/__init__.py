"""Review changes: the conflict inbox (values that lost, refused writes) and restoring them."""
