"""Signed Firebase ID tokens for the benchmark, verified by firebase-admin as in production.

firebase-admin verifies an ID token's RS256 signature against Google's public certificates,
which it fetches over HTTPS from a fixed address (and caches as the response's
``Cache-Control`` allows). The Auth emulator's tokens are unsigned (firebase-admin skips the
signature check when ``FIREBASE_AUTH_EMULATOR_HOST`` is set), so they would measure less
than production does. Instead this module:

* makes a local RSA signing key with its X.509 certificate, and signs ID tokens with it
  (``google.auth.jwt.encode``: the claims firebase-admin checks, ``kid`` in the header);
* serves that certificate as Google would, through a local HTTPS proxy: the workers get
  ``HTTPS_PROXY`` and ``REQUESTS_CA_BUNDLE`` (the environment variables ``requests``
  documents), so firebase-admin's ``CONNECT www.googleapis.com:443`` reaches this process,
  which answers with TLS under a certificate of its own local authority.

Nothing leaves 127.0.0.1, and firebase-admin runs unmodified: same code path, same cache.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

GOOGLE_HOST = "www.googleapis.com"
KEY_ID = "smartapp-benchmark-key"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name | None = None,
    issuer_key: rsa.RSAPrivateKey | None = None,
    authority: bool = False,
    dns_name: str | None = None,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
    )
    if dns_name:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


class LocalFirebaseKeys:
    """A signing key, its certificate as Google publishes it, and the proxy that serves it."""

    def __init__(self, project_id: str, folder: Path) -> None:
        self.project_id = project_id
        self.signing_key = _key()
        signing_certificate = _certificate("securetoken", self.signing_key)
        self.certificates = {
            KEY_ID: signing_certificate.public_bytes(serialization.Encoding.PEM).decode()
        }
        self.signer = crypt.RSASigner.from_string(_pem(self.signing_key), KEY_ID)
        authority_key = _key()
        authority = _certificate("smartapp benchmark authority", authority_key, authority=True)
        server_key = _key()
        server = _certificate(
            GOOGLE_HOST, server_key, authority.subject, authority_key, dns_name=GOOGLE_HOST
        )
        self.ca_bundle = folder / "benchmark-ca.pem"
        self.ca_bundle.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
        server_files = folder / "googleapis.pem"
        server_files.write_bytes(_pem(server_key) + server.public_bytes(serialization.Encoding.PEM))
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(server_files)
        self.fetches = 0

    def issue(self, uid: str, phone_number: str, lifetime: int = 3600) -> str:
        """An ID token as Firebase Auth issues after phone sign-in."""
        now = int(time.time())
        return jwt.encode(
            self.signer,
            {
                "iss": f"https://securetoken.google.com/{self.project_id}",
                "aud": self.project_id,
                "auth_time": now,
                "user_id": uid,
                "sub": uid,
                "iat": now,
                "exp": now + lifetime,
                "phone_number": phone_number,
                "firebase": {"identities": {"phone": [phone_number]}, "sign_in_provider": "phone"},
            },
        ).decode()

    @contextlib.contextmanager
    def serve(self) -> Iterator[dict[str, str]]:
        """Run the proxy; yields the environment the app's workers need."""
        keys = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_CONNECT(self) -> None:
                if self.path != f"{GOOGLE_HOST}:443":
                    self.send_error(403)
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self.connection = keys.tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                self.close_connection = False
                while not self.close_connection:
                    self.handle_one_request()

            def do_GET(self) -> None:
                keys.fetches += 1
                body = json.dumps(keys.certificates).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "public, max-age=3600")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield {
                "HTTPS_PROXY": f"http://127.0.0.1:{server.server_address[1]}",
                "REQUESTS_CA_BUNDLE": str(self.ca_bundle),
                "SMARTAPP_FIREBASE_PROJECT_ID": self.project_id,
            }
        finally:
            server.shutdown()
            server.server_close()
