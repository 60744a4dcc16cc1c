"""API output shape for notifications (see ../shared/API.md, "Notifications")."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Channel, Kind, Notification, Status


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
