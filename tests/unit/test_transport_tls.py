"""The client's TLS: certificates are read at the first https connection, not at start-up (every
``kaltura-mm`` start paid 20-30 ms for them, plain http:// too; issue 20), and https is verified
as before: a server the trusted certificates do not vouch for is refused."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kaltura_mm.transport import clock


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on loopback with a self-signed certificate; yield its URL and cert."""
    cert, key = _self_signed(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/", cert
    server.shutdown()
    server.server_close()


def _get(url: str) -> httpx.Response:
    with httpx.Client(transport=clock.ClockedTransport(httpx.Limits())) as client:
        return client.get(url)


def test_certificates_are_read_at_the_first_https_connection(
    https: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the server's certificate
    loads: list[object] = []
    real = httpx.create_ssl_context

    def counted() -> ssl.SSLContext:
        loads.append(1)
        return real()

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    transport = clock.ClockedTransport(httpx.Limits())
    assert loads == []  # a client for http:// never reads them
    with httpx.Client(transport=transport) as client:
        assert client.get(url).text == "hello"
        assert client.get(url).text == "hello"
    assert loads == [1]


def test_https_is_verified_against_the_trusted_certificates(https: tuple[str, Path]) -> None:
    url, _ = https
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _get(url)  # the default bundle does not vouch for a self-signed certificate


def test_the_async_transport_reads_them_too(
    https: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https

    async def get() -> str:
        transport = clock.AsyncClockedTransport(httpx.Limits())
        async with httpx.AsyncClient(transport=transport) as client:
            return (await client.get(url)).text

    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(get())
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert asyncio.run(get()) == "hello"
