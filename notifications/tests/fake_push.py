"""A local stand-in for a browser's push service (FCM, Mozilla autopush), for tests and the
bench: an HTTP server on 127.0.0.1 that checks each request as a push service and the browser
would, and records it.

For every POST it verifies the ``Authorization: vapid t=<JWT>, k=<public key>`` header (the
ES256 signature with that key, ``aud`` = the endpoint's origin, ``sub`` = the expected contact,
``exp`` in the future, the key = the server's VAPID public key) and decrypts the aes128gcm body
with the browser-side private key and auth secret made here, as a phone would. Each device can be
told to answer 201 (default), 410, 500, ...
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeDevice:
    """The browser side of one subscription: its key pair and auth secret."""

    token: str
    endpoint: str
    key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    answer: int = 201

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_fields(self) -> dict[str, str]:
        return {"endpoint": self.endpoint, "p256dh": self.p256dh, "auth": self.auth}


@dataclass
class Received:
    token: str
    status: int
    payload: dict[str, Any] | None
    ttl: str | None
    urgency: str | None
    claims: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


def _verify_vapid(header: str, *, origin: str, contact: str, public_key: str) -> tuple[dict, list]:
    """Check a ``vapid t=..., k=...`` header. Returns the JWT claims and a list of problems."""
    problems: list[str] = []
    if not header.startswith("vapid "):
        return {}, [f"not a vapid Authorization header: {header[:40]!r}"]
    parts = dict(part.strip().split("=", 1) for part in header[len("vapid ") :].split(","))
    token, key = parts.get("t", ""), parts.get("k", "")
    if key != public_key:
        problems.append("k is not the server's VAPID public key")
    try:
        head, body, signature = token.split(".")
        verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        verifier.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        if json.loads(unb64url(head)).get("alg") != "ES256":
            problems.append("JWT alg is not ES256")
        claims = json.loads(unb64url(body))
    except (ValueError, InvalidSignature) as error:
        return {}, [*problems, f"bad JWT: {type(error).__name__}"]
    if claims.get("aud") != origin:
        problems.append(f"aud {claims.get('aud')!r} is not {origin!r}")
    if claims.get("sub") != contact:
        problems.append(f"sub {claims.get('sub')!r} is not {contact!r}")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        problems.append("exp is not in the future")
    elif claims["exp"] > time.time() + 24 * 60 * 60:
        problems.append("exp is more than 24 hours ahead")
    return claims, problems


class FakePushService:
    """Start with ``with FakePushService(contact=..., public_key=...) as service:``."""

    def __init__(self, *, contact: str, public_key: str, delay: float = 0.0) -> None:
        self.contact = contact
        self.public_key = public_key
        self.delay = delay  # seconds each request takes, like a real service's latency
        self.devices: dict[str, FakeDevice] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakePushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def new_device(self, *, answer: int = 201) -> FakeDevice:
        token = secrets.token_urlsafe(12)
        device = FakeDevice(
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            answer=answer,
        )
        self.devices[token] = device
        return device

    def delivered(self) -> list[Received]:
        """The requests that were accepted (201) and checked out."""
        return [item for item in self.received if item.status == 201 and not item.problems]

    def _handle(self, path: str, headers: Any, body: bytes) -> int:
        token = path.rsplit("/", 1)[-1]
        device = self.devices.get(token)
        if device is None:
            status, payload, claims, problems = 404, None, None, ["unknown endpoint"]
        else:
            claims, problems = _verify_vapid(
                headers.get("Authorization", ""),
                origin=self.origin,
                contact=self.contact,
                public_key=self.public_key,
            )
            payload = None
            if headers.get("Content-Encoding") != "aes128gcm":
                problems.append(f"Content-Encoding {headers.get('Content-Encoding')!r}")
            try:
                clear = http_ece.decrypt(
                    body,
                    private_key=device.key,
                    auth_secret=device.auth_secret,
                    version="aes128gcm",
                )
                payload = json.loads(clear)
            except Exception as error:  # recorded as a problem for the test to show
                problems.append(f"cannot decrypt: {type(error).__name__}: {error}")
            status = device.answer
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.received.append(
                Received(
                    token=token,
                    status=status,
                    payload=payload,
                    ttl=headers.get("TTL"),
                    urgency=headers.get("Urgency"),
                    claims=claims,
                    problems=problems,
                )
            )
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as push services offer

            def do_POST(self) -> None:  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = service._handle(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:  # quiet
                pass

        return Handler
