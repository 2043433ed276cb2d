"""The Leads page and lead conversion."""
