"""IMAP over TLS with a private CA: ``[mail] imap_ca_file`` instead of ``SSL_CERT_FILE``.

A real TLS server on loopback (a certificate for 127.0.0.1 signed by a CA made here with
``openssl``) speaks just enough IMAP for ``imaplib`` to log in; duebot's poller connects with
the verifying context it uses in production."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.adapters.mail_in import ImapPoller
from bot.config import parse_config
from bot.errors import ConfigError
from tests.conftest import SHIPPED

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not found")


def make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key): a private CA and a certificate for 127.0.0.1."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=duebot test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def _serve_imap(listener: socket.socket, context: ssl.SSLContext,
                stop: threading.Event) -> None:
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            raw, _ = listener.accept()
        except TimeoutError:
            continue
        try:
            with context.wrap_socket(raw, server_side=True) as conn:
                conn.sendall(b"* OK test IMAP ready\r\n")
                reader = conn.makefile("rb")
                for line in reader:
                    tag, _, command = line.decode().strip().partition(" ")
                    verb = command.split(" ", 1)[0].upper()
                    if verb == "CAPABILITY":
                        conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
                    elif verb == "LOGOUT":
                        conn.sendall(f"* BYE\r\n{tag} OK bye\r\n".encode())
                        break
                    conn.sendall(f"{tag} OK {verb} done\r\n".encode())
        except (ssl.SSLError, OSError):
            continue  # a client that refused our certificate


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    ca, cert, key = make_ca_and_server_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    thread = threading.Thread(target=_serve_imap, args=(listener, context, stop), daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], ca
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def poller(tmp_path: Path, port: int, ca_line: str) -> ImapPoller:
    config = parse_config(f"""
[mail]
address = "dates@example.org"
imap_host = "127.0.0.1"
imap_port = {port}
imap_user = "dates"
{ca_line}
[[schedules]]
path = "{SHIPPED}"
""", str(tmp_path / "duebot.toml"), env={"DUEBOT_IMAP_PASSWORD": "pw"}, base=tmp_path)
    # The poller needs only the bot's [mail] settings to connect.
    return ImapPoller(SimpleNamespace(config=config.mail))  # type: ignore[arg-type]


def test_imap_with_a_private_ca_connects_with_imap_ca_file(
        tmp_path: Path, imap_server: tuple[int, Path]) -> None:
    port, ca = imap_server
    client = poller(tmp_path, port, f'imap_ca_file = "{ca}"').connect()
    try:
        assert client.state == "AUTH"
    finally:
        client.logout()


def test_without_the_ca_file_the_private_certificate_is_refused(
        tmp_path: Path, imap_server: tuple[int, Path]) -> None:
    port, _ = imap_server
    with pytest.raises(ssl.SSLCertVerificationError):
        poller(tmp_path, port, "").connect()


def test_a_missing_ca_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"imap_ca_file.*no such file"):
        poller(tmp_path, 993, 'imap_ca_file = "nope.pem"')
