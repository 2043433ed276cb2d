"""Email capture from the rep's mailbox over IMAP: messages with known contacts become
email activities, written through the outbox like any edit."""
