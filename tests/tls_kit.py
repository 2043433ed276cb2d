"""A real HTTPS sync server on a free loopback port, its certificate issued by a test CA
made here (trustme), for the tests of which certificates the client trusts."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme
import uvicorn
from sync_fixtures import seed_acme_users

from sync_server.app import create_app
from sync_server.config import ServerSettings

CA_NAME = "Acme Test Root CA"


@dataclass(frozen=True)
class TlsServer:
    url: str
    ca_pem: Path  # the test CA's certificate, trusted by nothing until a test says so


@contextmanager
def tls_server(folder: Path) -> Iterator[TlsServer]:
    """The real server app (org acme, SQLite in `folder`) behind uvicorn's TLS in a thread."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name=CA_NAME)
    issued = ca.issue_cert("127.0.0.1", "localhost")
    ca_pem, cert_pem, key_pem = (folder / name for name in ("ca.pem", "cert.pem", "key.pem"))
    ca.cert_pem.write_to_path(str(ca_pem))
    issued.cert_chain_pems[0].write_to_path(str(cert_pem))
    issued.private_key_pem.write_to_path(str(key_pem))
    settings = ServerSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{folder / 'server.db'}",
        secret_key=secrets.token_urlsafe(48),
        password_time_cost=1,
    )
    app = create_app(settings)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))  # a free port, held from here on
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, ssl_certfile=str(cert_pem), ssl_keyfile=str(key_pem), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the TLS test server did not start")
        time.sleep(0.02)
    with app.state.sessions() as session:
        seed_acme_users(session)
    try:
        yield TlsServer(f"https://127.0.0.1:{port}", ca_pem)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
