"""The Contacts page and the vCard export dialog."""
