"""The booking and rescheduling form. It checks the answers' shape and turns the day and time
into an instant in the patient's own time zone; appointments.services has the last word."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PatientProfile
from appointments.choices import AppointmentKind
from appointments.models import Appointment
from appointments.services import (
    NOTES_MAX_LENGTH,
    PASSED_START,
    TOO_FAR_AHEAD,
    latest_start,
    validate_starts_at,
)
from lib.clock import local_time
from lib.dates import duration_text

# Plain words for the kind list (the stored codes are CLINICAL.md's).
KIND_CHOICES = [
    ("", gettext_lazy("Choose one")),
    (AppointmentKind.RESTAGING, gettext_lazy("Restaging visit (a check-up with scans and tests)")),
    (AppointmentKind.CT, gettext_lazy("CT scan")),
    (AppointmentKind.PET, gettext_lazy("PET scan")),
    (AppointmentKind.BONE_SCAN, gettext_lazy("Bone scan")),
    (AppointmentKind.MRI, gettext_lazy("MRI scan")),
    (AppointmentKind.BLOOD_TEST, gettext_lazy("Blood test")),
    (AppointmentKind.ONCOLOGY_VISIT, gettext_lazy("Visit with the cancer doctor (oncology)")),
    (AppointmentKind.TREATMENT, gettext_lazy("Treatment, for example chemotherapy or an infusion")),
    (AppointmentKind.OTHER, gettext_lazy("Something else")),
]

DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480]
DEFAULT_DURATION = 60

PASSED_DAY = gettext_lazy("This day has already passed. Please choose a day to come.")
SKIPPED_TIME = gettext_lazy(
    "The clocks go forward at this time on that day, so it does not exist. "
    "Please choose another time."
)
# The length choices are made once, at import: worded when shown, in the reader's language.
duration_label = lazy(duration_text, str)


def local_start(day: dt.date, at: dt.time, zone: str) -> dt.datetime | None:
    """The aware instant of ``at`` on ``day`` in ``zone``, or None if that wall-clock time does
    not exist there (skipped when the clocks go forward). A time that happens twice (clocks go
    back) is the first of the two. Raises OverflowError for a time after the last instant
    there is (late on 31 December 9999 west of UTC)."""
    local = dt.datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    back = local.astimezone(dt.UTC).astimezone(ZoneInfo(zone))
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PatientProfile) -> str:
        zone = obj.timezone.replace("_", " ")
        return _("%(name)s (times in %(zone)s)") % {"name": obj.user.get_full_name(), "zone": zone}


class AppointmentForm(forms.Form):
    """What, when (a day and a time where the patient lives), how long, where, how to get ready.

    Care staff also choose the patient, from ``patients`` (their own panel) only."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        choices=KIND_CHOICES,
        error_messages={
            "required": gettext_lazy("Please choose what kind of appointment it is."),
            "invalid_choice": gettext_lazy("Please choose one of the kinds in the list."),
        },
    )
    date = forms.DateField(
        label=gettext_lazy("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Please choose the day."),
            "invalid": gettext_lazy("Please give a date."),
        },
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": gettext_lazy("Please choose the time."),
            "invalid": gettext_lazy("Please give a time, for example 09:30."),
        },
    )
    duration_minutes = forms.TypedChoiceField(
        label=gettext_lazy("How long it takes"),
        coerce=int,
        choices=[(minutes, duration_label(minutes)) for minutes in DURATIONS],
        initial=DEFAULT_DURATION,
        help_text=gettext_lazy("A guess is fine."),
    )
    location = forms.CharField(
        label=gettext_lazy("Where (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example the hospital and department."),
    )
    preparation_notes = forms.CharField(
        label=gettext_lazy("How to get ready (optional)"),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: nothing to eat for 4 hours before, or which medicines to pause."
        ),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        now: dt.datetime,
        profile: PatientProfile | None = None,
        patients: QuerySet[PatientProfile] | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.now = now
        self.profile = profile
        if patients is not None:
            self.fields["patient"] = PatientChoiceField(
                queryset=patients,
                label=_("Who is it for?"),
                empty_label=_("Choose a patient"),
                error_messages={
                    "required": _("Please choose the patient."),
                    "invalid_choice": _("Please choose one of your patients."),
                },
            )
            self.order_fields(["patient"])
        if profile is not None:  # the date picker runs from the patient's today to 3 years on
            self.fields["date"].widget.attrs["min"] = profile.local_today(now).isoformat()
            last_day = latest_start(now).astimezone(profile.zone).date()
            self.fields["date"].widget.attrs["max"] = last_day.isoformat()
        duration = (initial or {}).get("duration_minutes")
        if duration and duration not in DURATIONS:  # booked elsewhere with another length
            field = self.fields["duration_minutes"]
            field.choices = sorted([*field.choices, (duration, duration_text(duration))])

    @property
    def zone(self) -> str | None:
        """The time zone the day and time are read in: the patient's own."""
        if self.profile is not None:
            return self.profile.timezone
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        profile = cleaned.get("patient") or self.profile
        day, at = cleaned.get("date"), cleaned.get("time")
        if profile is None or day is None or at is None:
            return cleaned
        try:
            starts_at = local_start(day, at, profile.timezone)
        except OverflowError:
            self.add_error("date", TOO_FAR_AHEAD)
            return cleaned
        if starts_at is None:
            self.add_error("time", SKIPPED_TIME)
        elif starts_at <= self.now:
            if day < self.now.astimezone(profile.zone).date():
                self.add_error("date", PASSED_DAY)
            else:
                self.add_error("time", PASSED_START)
        else:
            try:  # the services' rule (here only "too far ahead" is left), shown by the day
                validate_starts_at(starts_at, now=self.now)
            except ValidationError as error:
                self.add_error("date", error)
            else:
                cleaned["starts_at"] = starts_at
        return cleaned

    def full_clean(self) -> None:
        """After checking, point each input with an error at its message (and help text), so
        screen readers read them together."""
        super().full_clean()
        self._link_errors()

    def _link_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.insert(0, f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)

    def service_fields(self) -> dict[str, Any]:
        """The answers as appointments.services takes them."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "location": data["location"],
            "preparation_notes": data["preparation_notes"],
        }

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        """A service's ValidationError, next to the answers it is about."""
        where = {
            "starts_at": "time",
            "kind": "kind",
            "duration_minutes": "duration_minutes",
            "location": "location",
            "preparation_notes": "preparation_notes",
            "patient": "patient" if "patient" in self.fields else None,
        }
        for field, messages in message_dict.items():
            self.add_error(where.get(field), messages)
        self._link_errors()

    @staticmethod
    def initial_for(appointment: Appointment) -> dict[str, Any]:
        """The form filled in from an appointment, its time shown where the patient lives."""
        local = local_time(appointment.starts_at, appointment.patient.patient_profile.zone)
        return {
            "kind": appointment.kind,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": appointment.duration_minutes,
            "location": appointment.location,
            "preparation_notes": appointment.preparation_notes,
        }
