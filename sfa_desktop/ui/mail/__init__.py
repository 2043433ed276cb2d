"""Email capture: connecting the mailbox and its first-run review."""
