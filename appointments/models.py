"""Appointments, the resource library, scan check-ins and calendar feed tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from appointments.choices import SCAN_KINDS, AppointmentKind
from appointments.validators import validate_resource_tags


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    DONE = "done", "Done"


class Appointment(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    location = models.CharField(max_length=200, blank=True)
    preparation_notes = models.TextField(
        blank=True, help_text="For example fasting, contrast or which medicines to pause."
    )
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["patient", "starts_at"], name="appointment_patient")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=24 * 60),
                name="appointment_duration_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_scan(self) -> bool:
        return self.kind in SCAN_KINDS


class Resource(models.Model):
    """Plain-language help managed by admins: shown in scan support messages and pages."""

    title = models.CharField(max_length=160)
    body = models.TextField(help_text="Plain words, reading age about 12.")
    link = models.URLField(blank=True)
    tags = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_resource_tags],
        help_text="Any of the resource tags; the first is the topic it is listed under.",
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "title"]

    def __str__(self) -> str:
        return self.title


class ScanCheckIn(models.Model):
    """How anxious a patient felt after a scan (0 to 10), from the post-scan check-in."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scan_checkins"
    )
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="checkins")
    anxiety = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["appointment"], name="one_checkin_per_scan"),
            models.CheckConstraint(condition=Q(anxiety__lte=10), name="checkin_anxiety_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"Check-in after appointment {self.appointment_id}: {self.anxiety}/10"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a patient's calendar feed. Rotating it breaks old subscriptions."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    rotated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.patient_id}"
