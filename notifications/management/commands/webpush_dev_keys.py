"""Make a VAPID key pair for Web Push.

``make run`` calls it: in development (DJANGO_DEBUG=1) with no WEBPUSH_* variables set, it writes
a pair to VAR_DIR/webpush_vapid.json once (an existing file is kept, so phones signed up stay
valid), which settings read in development only. ``--print`` prints a fresh pair as environment
lines for production instead, and writes nothing.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEV_CONTACT = "mailto:webpush@localhost"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_pair() -> tuple[str, str]:
    """A fresh P-256 pair: (private key, public key), each base64url of its raw bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(private), _b64url(public)


class Command(BaseCommand):
    help = "Write a development VAPID key pair under VAR_DIR (or --print one for production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print", action="store_true", help="Print a new pair as environment lines."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print"]:
            private, public = new_pair()
            self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}")
            self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={public}")
            self.stdout.write("WEBPUSH_CONTACT=mailto:you@example.org")
            return
        if not settings.DEBUG:
            raise CommandError("Development keys are for DJANGO_DEBUG=1 only; use --print.")
        if os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY"):
            self.stdout.write("Web Push keys come from the environment; nothing written.")
            return
        path = settings.VAR_DIR / "webpush_vapid.json"
        if path.exists():
            self.stdout.write(f"Development Web Push keys kept in {path.name}.")
            return
        private, public = new_pair()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"private_key": private, "public_key": public, "contact": DEV_CONTACT})
        )
        path.chmod(0o600)
        self.stdout.write(f"Development Web Push keys written to {path.name}.")
