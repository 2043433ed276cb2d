"""The Accounts page and an account's overview, tables and record view."""
