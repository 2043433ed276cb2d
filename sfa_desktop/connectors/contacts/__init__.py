"""The rep's CRM contacts in a CardDAV address book, edits from the phone back as CRM edits."""
