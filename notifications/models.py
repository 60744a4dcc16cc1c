"""The outbox. A message is a row first; a dispatcher sends due rows, each exactly once.

Delay lives in ``due_at`` (never in the broker). Planning is idempotent through the natural key
(``key``, ``channel``): planning the same reminder twice finds the row already there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the app")
    PUSH = "push", _("Phone notification")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    # A message (masculine in Spanish), not an appointment (appointments.AppointmentStatus).
    CANCELLED = "cancelled", pgettext_lazy("message status", "Cancelled")
    SKIPPED = "skipped", _("Skipped (no longer needed)")
    FAILED = "failed", _("Failed")


class Kind(models.TextChoices):
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    SCAN_ANXIETY = "scan_anxiety", _("Scan support")
    POST_SCAN_CHECKIN = "post_scan_checkin", _("After-scan check-in")
    VISIT_PREP = "visit_prep", _("Visit summary ready")
    LOG_REMINDER = "log_reminder", _("Daily log reminder")
    RESTAGING_REMINDER = "restaging_reminder", _("Ask about restaging")
    FLAG_ALERT = "flag_alert", _("Care team alert")
    ACCOUNT = "account", _("Account")
    RECORD_EXPORT = "record_export", _("Your record to download")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(
        max_length=200, help_text="Natural key: the same reminder planned twice has one key."
    )
    title = models.CharField(max_length=200, help_text="Lock-screen safe: no health details.")
    body = models.TextField(blank=True, help_text="Lock-screen safe; details sit behind login.")
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the app.")
    subject_type = models.CharField(max_length=20, blank=True)  # "appointment", "flag", ""
    subject_id = models.BigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="one_notification_per_key"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="sent_notifications_have_sent_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notification_due"),
            models.Index(fields=["recipient", "-due_at"], name="notification_recipient"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.channel}, {self.status})"


# The kinds a person may route (email on or off, push on or off); the in-app copy is always
# kept as the record. Account messages (invitations, password) and record downloads are not
# choices: they go as they are planned.
PATIENT_CHOICE_KINDS = (
    Kind.LOG_REMINDER,
    Kind.APPOINTMENT_REMINDER,
    Kind.SCAN_ANXIETY,
    Kind.POST_SCAN_CHECKIN,
    Kind.RESTAGING_REMINDER,
    Kind.VISIT_PREP,
    Kind.FLAG_ALERT,
)
# Safety messages always keep their email: a person may add push to them, never drop email.
EMAIL_REQUIRED_KINDS = frozenset({Kind.FLAG_ALERT})


class NotificationPreference(models.Model):
    """One person's channels for one kind of message. No row means the default: email on, push
    on (push reaches only people who added a phone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    email = models.BooleanField(default=True)
    push = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: email {self.email}, push {self.push}"


class PushSubscriptionQuerySet(models.QuerySet["PushSubscription"]):
    def live(self) -> PushSubscriptionQuerySet:
        """Devices signed up since their account last signed out everywhere: that sign-out (a
        lost phone) ends every device's notifications, whichever door it came through."""
        return self.filter(sign_outs=models.F("user__sign_outs"))


class PushSubscription(models.Model):
    """One browser on one device that agreed to show our notifications (the browser's
    ``PushSubscription``). The endpoint names the device at its push service."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100, help_text="The browser's public key (base64url).")
    auth = models.CharField(max_length=50, help_text="The browser's auth secret (base64url).")
    device = models.CharField(
        max_length=200, blank=True, help_text="A label to tell devices apart (from the browser)."
    )
    sign_outs = models.PositiveIntegerField(
        default=0,
        help_text="The account's count of sign-outs everywhere when this device signed up.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.user_id}"


class PushDelivery(models.Model):
    """A push row reached one device. A retry of the row skips the devices already reached, so
    each device gets each message once. The device is kept by id, not by a foreign key: a device
    removed while a message was on its way to it must not undo the record of the others."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="push_deliveries"
    )
    device_id = models.BigIntegerField(help_text="The PushSubscription reached (its id).")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "device_id"], name="one_push_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"notification {self.notification_id} to device {self.device_id}"
