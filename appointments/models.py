"""Appointments, the resource library, scan check-ins and calendar feed tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.choices import SCAN_KINDS, AppointmentKind
from appointments.validators import validate_resource_tags


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class Appointment(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("patient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    preparation_notes = models.TextField(
        _("how to get ready"),
        blank=True,
        help_text=_("For example fasting, contrast or which medicines to pause."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SCHEDULED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
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

    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"), help_text=_("Plain words, reading age about 12."))
    link = models.URLField(_("link"), blank=True)
    tags = models.JSONField(
        _("tags"),
        default=list,
        blank=True,
        validators=[validate_resource_tags],
        help_text=_("Any of the resource tags; the first is the topic it is listed under."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["display_order", "title"]

    def __str__(self) -> str:
        return self.title


class ScanCheckIn(models.Model):
    """How anxious a patient felt after a scan (0 to 10), from the post-scan check-in."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scan_checkins",
        verbose_name=_("patient"),
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("appointment"),
    )
    anxiety = models.PositiveSmallIntegerField(_("anxiety"), validators=[MaxValueValidator(10)])
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("scan check-in")
        verbose_name_plural = _("scan check-ins")
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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("patient"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    rotated_at = models.DateTimeField(_("rotated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar feed of {self.patient_id}"
