"""The outbox. A message is a row first; a dispatcher sends due rows, each exactly once.

Delay lives in ``due_at`` (never in the broker). Planning is idempotent through the natural key
(``key``, ``channel``): planning the same reminder twice finds the row already there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In the app"


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped (no longer needed)"
    FAILED = "failed", "Failed"


class Kind(models.TextChoices):
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
    SCAN_ANXIETY = "scan_anxiety", "Scan support"
    POST_SCAN_CHECKIN = "post_scan_checkin", "After-scan check-in"
    VISIT_PREP = "visit_prep", "Visit summary ready"
    LOG_REMINDER = "log_reminder", "Daily log reminder"
    RESTAGING_REMINDER = "restaging_reminder", "Ask about restaging"
    FLAG_ALERT = "flag_alert", "Care team alert"
    ACCOUNT = "account", "Account"
    RECORD_EXPORT = "record_export", "Your record to download"


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
