"""A real Dovecot IMAP server (Debian's `dovecot-imapd`) on a free loopback port: a
throwaway config, a passwd-file user and a maildir in temporary folders, started as
`dovecot -F -c CONF` and stopped at the end; plus "the other side", an imapclient that
APPENDs messages built with the stdlib `email` package.

Dovecot refuses to run a mailbox as root: when the tests run as root the mailbox belongs
to the `dovecot` system user (its maildir in a folder of its own under the temp dir)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient
from required_tools import unavailable

USER, PASSWORD = "rep@acme.test", "mail-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dovecot() -> str:
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
    if found is None:
        unavailable("needs dovecot (apt-get install dovecot-imapd)")
    assert found is not None
    return found


class Dovecot:
    """A Dovecot process serving one user with INBOX, Sent (\\Sent) and Drafts."""

    def __init__(self, folder: Path, tls: bool = False) -> None:
        """`tls`: also TLS on `tls_port` and STARTTLS on `port`, with a certificate for
        127.0.0.1 from a test CA (`ca_pem`, trusted by nothing until a test says so)."""
        self.binary = _dovecot()
        if os.geteuid() == 0:  # dovecot's own users must reach the files: not under tmp_path
            owner = pwd.getpwnam("dovecot")
            uid, gid = owner.pw_uid, owner.pw_gid
            folder = Path(tempfile.mkdtemp(prefix="sfa-dovecot-"))
            folder.chmod(0o755)
            self.throwaway: Path | None = folder
        else:
            uid, gid = os.getuid(), os.getgid()
            folder.mkdir(parents=True, exist_ok=True)
            self.throwaway = None
        self.folder = folder
        self.mail_root = folder / "mail"
        self.mail_root.mkdir()
        os.chown(self.mail_root, uid, gid)
        self.port = _free_port()
        self.tls_port = _free_port() if tls else 0
        self.ca_pem = folder / "ca.pem"
        if tls:
            _certificate(folder)
        (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:::::\n")
        self.config = folder / "dovecot.conf"
        self.config.write_text(_config(folder, self.mail_root, self.port, uid, gid, self.tls_port))
        self.log_path = folder / "dovecot.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start in 20 s")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # the master and its own children
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def close(self) -> None:
        self.stop()
        if self.throwaway is not None:
            shutil.rmtree(self.throwaway, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text()[-2000:]
        except OSError:
            return "(no log)"

    def client(self) -> IMAPClient:
        """The other side: signed in as the user, to put mail in."""
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, folder: str, message: EmailMessage, when: datetime | None = None) -> int:
        """Put `message` into `folder`; its UID."""
        with self.client() as client:
            answer = client.append(folder, message.as_bytes(), msg_time=when)
        # "[APPENDUID <validity> <uid>] ..." (UIDPLUS)
        return int(answer.split(b"]")[0].split()[-1])

    def renumber(self, folder: str, uidvalidity: int) -> None:
        """Give `folder` a new UIDVALIDITY, as a server does that rebuilt its index."""
        subprocess.run(
            [
                shutil.which("doveadm", path="/usr/bin:/usr/sbin:/bin:/sbin") or "doveadm",
                "-c",
                str(self.config),
                "mailbox",
                "update",
                "-u",
                USER,
                "--uid-validity",
                str(uidvalidity),
                folder,
            ],
            check=True,
            capture_output=True,
        )


def _certificate(folder: Path) -> None:
    import trustme

    ca = trustme.CA(organization_name="Acme Test Mail CA")
    issued = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    issued.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    issued.private_key_pem.write_to_path(str(folder / "key.pem"))


def _config(folder: Path, mail_root: Path, port: int, uid: int, gid: int, tls_port: int = 0) -> str:
    ssl = (
        f"ssl = yes\nssl_cert = <{folder / 'cert.pem'}\nssl_key = <{folder / 'key.pem'}"
        if tls_port
        else "ssl = no"
    )
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder / "run"}
state_dir = {folder / "state"}
log_path = {folder / "dovecot.log"}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail_root}/%u
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder / "passwd"}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail_root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
}}
"""


@contextmanager
def running(folder: Path, tls: bool = False) -> Iterator[Dovecot]:
    """A Dovecot for the length of a `with` block (a test module's `dovecot` fixture)."""
    server = Dovecot(folder, tls)
    try:
        yield server
    finally:
        server.close()


def mail(
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    when: datetime,
    *,
    message_id: str | None,
    cc: Sequence[str] = (),
    in_reply_to: str = "",
    references: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes]] = (),
    html: str = "",
) -> EmailMessage:
    """A message as a mail program builds it (subject encoded per RFC 2047 when needed)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    if message_id is not None:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message
