"""API output shape for notifications (see ../shared/API.md, "Notifications")."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Channel, Kind, Notification, PushSubscription, Status


class NotificationSerializer(serializers.ModelSerializer):
    """One message as its recipient sees it. Titles and bodies are lock-screen safe."""

    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        read_only=True,
        help_text="in_app for messages shown in the app (their email copy is not listed again); "
        "email for messages sent by email only.",
    )
    scheduled_for = serializers.DateTimeField(
        source="due_at", read_only=True, help_text="When it was, or will be, sent."
    )
    sent_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null while it is still to come."
    )
    status = serializers.SerializerMethodField(
        help_text="sent, or scheduled (still to come, or being sent this minute)."
    )
    appointment = serializers.SerializerMethodField(
        help_text="The appointment the message is about, if any."
    )
    flag = serializers.SerializerMethodField(help_text="The flag the message is about, if any.")
    read_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When you marked it read."
    )
    link = serializers.CharField(read_only=True, help_text="Where to see the details in the app.")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "scheduled_for",
            "sent_at",
            "channel",
            "appointment",
            "flag",
            "status",
            "read_at",
            "link",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["sent", "scheduled"]))
    def get_status(self, notification: Notification) -> str:
        return "sent" if notification.status == Status.SENT else "scheduled"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_appointment(self, notification: Notification) -> int | None:
        return notification.subject_id if notification.subject_type == "appointment" else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_flag(self, notification: Notification) -> int | None:
        return notification.subject_id if notification.subject_type == "flag" else None


def _b64url_bytes(value: str, *, size: int, name: str) -> str:
    """Check a base64url value (padding optional) decodes to exactly ``size`` bytes."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", value):
        raise serializers.ValidationError(_("%(name)s must be base64url.") % {"name": name})
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (ValueError, binascii.Error):
        raise serializers.ValidationError(
            _("%(name)s must be base64url.") % {"name": name}
        ) from None
    if len(raw) != size:
        raise serializers.ValidationError(
            _("%(name)s must be %(size)s bytes long.") % {"name": name, "size": size}
        )
    if size == 65:
        try:  # a key the sender could not encrypt to would fail every send
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise serializers.ValidationError(
                _("%(name)s must be a P-256 public key.") % {"name": name}
            ) from None
    return value


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(
        max_length=100, help_text="The browser's P-256 public key, base64url (65 bytes)."
    )
    auth = serializers.CharField(
        max_length=50, help_text="The browser's authentication secret, base64url (16 bytes)."
    )

    def validate_p256dh(self, value: str) -> str:
        return _b64url_bytes(value, size=65, name="p256dh")

    def validate_auth(self, value: str) -> str:
        return _b64url_bytes(value, size=16, name="auth")


class PushSubscriptionInputSerializer(serializers.Serializer):
    """The browser's ``PushSubscription.toJSON()``. ``expirationTime`` is accepted and ignored."""

    endpoint = serializers.URLField(
        max_length=1000, help_text="The push service's address for this browser (https)."
    )
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(  # the browser's own name
        required=False, allow_null=True, write_only=True, help_text="Ignored."
    )

    def validate_endpoint(self, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise serializers.ValidationError(_("The endpoint must be an https address."))
        return value


class PushSubscriptionSerializer(serializers.ModelSerializer):
    """One of your devices. The keys are not shown again."""

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "device", "created_at", "last_success_at"]
        read_only_fields = fields
