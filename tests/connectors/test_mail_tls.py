"""The mailbox over TLS and STARTTLS against a real Dovecot whose certificate comes from a
test CA: trusted, both work and the review reads the mail; untrusted (the system's store
alone), the connection is refused in one line and nothing is kept."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot_kit import PASSWORD, USER, Dovecot, running
from mail_scenario import Book, seed

from sfa_desktop.connectors.mail import capture
from sfa_desktop.connectors.mail.imap import MailError
from sfa_desktop.store import Store
from sfa_desktop.sync.credentials import Credentials


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    with running(tmp_path / "dovecot", tls=True) as server:
        seed(server)
        yield server


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_encrypted_connections(signed_in: Store, dovecot: Dovecot, security: str) -> None:
    Book(signed_in)
    port = dovecot.tls_port if security == "tls" else dovecot.port
    credentials = Credentials(vault=signed_in)
    with pytest.raises(MailError) as refused:  # the test CA is in no trust store
        capture.connect(signed_in, credentials, "127.0.0.1", port, security, USER, PASSWORD)
    assert "certificate is not trusted" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert signed_in.mail_accounts() == []
    trusted = ssl.create_default_context(cafile=str(dovecot.ca_pem))
    account = capture.connect(
        signed_in, credentials, "127.0.0.1", port, security, USER, PASSWORD,
        never_capture=["acme.test", "lawfirm.test"], context=trusted,
    )  # fmt: skip
    review = capture.scan(signed_in, credentials, account, context=trusted)
    assert len(review.proposals) == 3
