"""API shapes for appointments (see ../shared/API.md, "Appointments").

One serializer describes an appointment both ways: it checks the shape of a booking or a change
(the services check the rest: a time in the past, an unknown kind) and shows a saved appointment.
Times go out as ISO 8601 in the patient's own time zone, with its offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.choices import AppointmentKind
from appointments.models import Appointment, AppointmentStatus
from appointments.services import NOTES_MAX_LENGTH, TOO_FAR_AHEAD
from lib.clock import later_by, local_time
from notifications.models import Kind, Notification, Status

REMINDER_KINDS = [
    (kind.value, kind.label)
    for kind in (
        Kind.APPOINTMENT_REMINDER,
        Kind.SCAN_ANXIETY,
        Kind.VISIT_PREP,
        Kind.POST_SCAN_CHECKIN,
    )
]


def patient_zone(appointment: Appointment) -> ZoneInfo:
    return appointment.patient.patient_profile.zone


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that must carry its UTC offset (``2026-07-01T09:30:00+01:00``
    or ``...Z``): a time without one could mean anywhere, so it is refused, not guessed."""

    default_error_messages = {
        "naive": _(
            "Give the time with its offset from UTC, for example 2026-07-01T09:30:00+01:00."
        ),
        "out_of_range": TOO_FAR_AHEAD,  # before the first instant there is, or after the last
    }

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            self.fail("out_of_range")


class ReminderSerializer(serializers.Serializer):
    """One planned message about the appointment (sent in the app and by email)."""

    kind = serializers.ChoiceField(choices=REMINDER_KINDS, read_only=True)
    scheduled_for = serializers.SerializerMethodField(
        help_text="When it is (or was) due, in the patient's time zone."
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text="planned until it goes out, then sent; cancelled when the appointment moved "
        "or was cancelled; skipped when it was no longer needed at sending time.",
    )
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.DateTimeField())
    def get_scheduled_for(self, reminder: Notification) -> str:
        zone = self.context.get("zone")
        due_at = local_time(reminder.due_at, zone) if zone else reminder.due_at
        return due_at.isoformat()


class AppointmentSerializer(serializers.Serializer):
    """An appointment: what, when (in the patient's time zone), where, and its reminders."""

    # Give it appointments from selectors.with_reminders: patient, profile and reminders are
    # loaded already, so showing a page of them costs no further queries.

    id = serializers.IntegerField(read_only=True)
    patient = serializers.IntegerField(
        source="patient_id",
        required=False,
        help_text="The patient's user id. Required when a coordinator books; ignored when a "
        "patient books (it is always their own). It cannot be changed afterwards.",
    )
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    starts_at = AwareDateTimeField(
        help_text="ISO 8601 with a UTC offset; a time without one is refused. Shown in the "
        "patient's time zone. Must be in the future, at most 3 years ahead."
    )
    ends_at = serializers.SerializerMethodField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, default=60)
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    notes = serializers.CharField(
        source="preparation_notes",
        max_length=NOTES_MAX_LENGTH,
        allow_blank=True,
        default="",
        help_text="Preparation: fasting, contrast, which medicines to pause.",
    )
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, read_only=True)
    timezone = serializers.SerializerMethodField(
        help_text="The patient's IANA time zone, in which times are shown and reminders planned."
    )
    reminders = serializers.SerializerMethodField(
        help_text="Its reminders, soonest first, including cancelled ones (status cancelled)."
    )

    def to_representation(self, appointment: Appointment) -> dict[str, Any]:
        data = super().to_representation(appointment)
        data["starts_at"] = local_time(appointment.starts_at, patient_zone(appointment)).isoformat()
        return data

    @extend_schema_field(serializers.DateTimeField())
    def get_ends_at(self, appointment: Appointment) -> str:
        starts_at = local_time(appointment.starts_at, patient_zone(appointment))
        return later_by(starts_at, dt.timedelta(minutes=appointment.duration_minutes)).isoformat()

    def get_timezone(self, appointment: Appointment) -> str:
        return appointment.patient.patient_profile.timezone

    @extend_schema_field(ReminderSerializer(many=True))
    def get_reminders(self, appointment: Appointment) -> list[dict[str, Any]]:
        reminders = appointment.planned_reminders  # type: ignore[attr-defined]
        context = {"zone": patient_zone(appointment)}
        return ReminderSerializer(reminders, many=True, context=context).data


class AppointmentFilterSerializer(serializers.Serializer):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, each patient's local days) and ?patient=ID."""

    patient = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword, so these cannot be class attributes.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"to": [_("Must be on or after “from”.")]})
        return attrs
