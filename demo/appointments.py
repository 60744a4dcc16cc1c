"""Demo appointments: past restaging cycles and what is booked next, for the six demo patients.

Each demo patient has a short appointment story that fits their symptom story (demo.logs):
Ada's next restaging is booked, Bea has a spine MRI because of her back pain, Cara an urgent
brain MRI after her seizure, Dee has nothing booked and her restaging is nearly due (so she gets
the "ask your team" reminder), Eve has weekly treatment, Fay waits for her first results.

Days count from the patient's own today; times are wall-clock times in their zone. History
(done) is written directly as rows: its reminders belong to the past and are not planned.
Upcoming appointments are booked through ``services.appointment_create``, which plans their
reminders (and the restaging reminder) like any booking. A patient who already has past
appointments gets no more history, and one with anything booked ahead gets no more bookings, so
running it again changes nothing.

Development and demo data only: called by ``manage.py seed_demo``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.models import User
from appointments import reminder_planning, services
from appointments.choices import AppointmentKind
from appointments.models import Appointment, AppointmentStatus
from lib import clock
from notifications.models import Notification, Status


@dataclass(frozen=True, slots=True)
class DemoAppointment:
    days: int  # from the patient's today: negative in the past (done), positive ahead
    at: dt.time  # local wall-clock time
    kind: str
    location: str = ""
    preparation_notes: str = ""
    duration_minutes: int = 60


def _a(
    days: int, hour: int, minute: int, kind: str, location: str, notes: str = "", minutes: int = 60
) -> DemoAppointment:
    return DemoAppointment(days, dt.time(hour, minute), kind, location, notes, minutes)


FASTING = "Nothing to eat for 6 hours before. Drink water as usual. Bring your medicines list."
CONTRAST = "You may be given contrast. Tell the team about any allergies or kidney problems."
METAL = "Leave jewellery at home. Tell the team about any implants or metal in your body."

STORIES: dict[str, tuple[DemoAppointment, ...]] = {
    "ada@example.org": (
        _a(-72, 10, 0, AppointmentKind.CT, "Imaging, level 1", CONTRAST, 30),
        _a(-72, 14, 30, AppointmentKind.BONE_SCAN, "Nuclear medicine", minutes=180),
        _a(-68, 11, 0, AppointmentKind.RESTAGING, "Breast clinic, room 4", minutes=30),
        _a(12, 9, 30, AppointmentKind.CT, "Imaging, level 1", CONTRAST, 30),
        _a(12, 13, 0, AppointmentKind.BONE_SCAN, "Nuclear medicine", minutes=180),
        _a(16, 11, 0, AppointmentKind.RESTAGING, "Breast clinic, room 4", minutes=30),
    ),
    "bea@example.org": (
        _a(-63, 8, 30, AppointmentKind.CT, "Radiology, 2nd floor", CONTRAST, 30),
        _a(-63, 13, 0, AppointmentKind.BONE_SCAN, "Nuclear medicine", minutes=180),
        _a(-60, 10, 0, AppointmentKind.RESTAGING, "Oncology clinic B", minutes=30),
        _a(3, 8, 15, AppointmentKind.MRI, "Radiology, 2nd floor", METAL, 60),
        _a(4, 8, 0, AppointmentKind.BLOOD_TEST, "Outpatient lab", minutes=15),
        _a(5, 10, 30, AppointmentKind.ONCOLOGY_VISIT, "Oncology clinic B", minutes=30),
    ),
    "cara@example.org": (
        _a(-42, 11, 0, AppointmentKind.MRI, "Neuro-imaging", METAL, 45),
        _a(-40, 15, 0, AppointmentKind.RESTAGING, "Cancer centre, clinic 2", minutes=30),
        _a(2, 11, 0, AppointmentKind.MRI, "Neuro-imaging", METAL, 45),
        _a(3, 15, 0, AppointmentKind.ONCOLOGY_VISIT, "Cancer centre, clinic 2", minutes=30),
    ),
    "dee@example.org": (
        _a(-77, 9, 0, AppointmentKind.CT, "Imaging center", f"{FASTING} {CONTRAST}", 30),
        _a(-75, 14, 0, AppointmentKind.RESTAGING, "Oncology suite 3", minutes=30),
        _a(6, 9, 0, AppointmentKind.BLOOD_TEST, "Lab draw station", minutes=15),
    ),
    "eve@example.org": (
        _a(-49, 8, 30, AppointmentKind.PET, "PET-CT unit", FASTING, 120),
        _a(-47, 10, 0, AppointmentKind.RESTAGING, "Oncology day unit", minutes=30),
        _a(-12, 9, 0, AppointmentKind.TREATMENT, "Oncology day unit, chair 6", minutes=150),
        _a(-5, 9, 0, AppointmentKind.TREATMENT, "Oncology day unit, chair 6", minutes=150),
        _a(1, 8, 30, AppointmentKind.BLOOD_TEST, "Day unit phlebotomy", minutes=15),
        _a(2, 9, 0, AppointmentKind.TREATMENT, "Oncology day unit, chair 6", minutes=150),
        _a(9, 9, 0, AppointmentKind.TREATMENT, "Oncology day unit, chair 6", minutes=150),
    ),
    "fay@example.org": (
        _a(-3, 10, 0, AppointmentKind.MRI, "Radiologie, Haus B", METAL, 45),
        _a(4, 14, 0, AppointmentKind.ONCOLOGY_VISIT, "Onkologie-Ambulanz", minutes=30),
    ),
}


def _starts_at(item: DemoAppointment, *, today: dt.date, zone: str) -> dt.datetime:
    return clock.local_instant(today + dt.timedelta(days=item.days), item.at, zone)


def seed_demo_appointments(
    *, patients: Mapping[str, User], now: dt.datetime | None = None
) -> tuple[int, int]:
    """Give each demo patient (by email) their appointment story. Returns (history rows
    created, appointments booked). Raises ValueError for a patient without a story."""
    unknown = sorted(set(patients) - set(STORIES))
    if unknown:
        raise ValueError(f"No demo appointments for {', '.join(unknown)}.")
    now = now or timezone.now()
    stats = {
        row["patient_id"]: row
        for row in Appointment.objects.filter(patient__in=list(patients.values()))
        .order_by()
        .values("patient_id")
        .annotate(
            past=Count("pk", filter=Q(starts_at__lte=now)),
            ahead=Count("pk", filter=Q(starts_at__gt=now, status=AppointmentStatus.SCHEDULED)),
        )
    }
    history: list[Appointment] = []
    booked = 0
    for email, patient in patients.items():
        profile = patient.patient_profile
        today = profile.local_today(now)
        coordinator = profile.care_team.coordinators.order_by("pk").first()
        row = stats.get(patient.pk, {"past": 0, "ahead": 0})
        for item in STORIES[email]:
            starts_at = _starts_at(item, today=today, zone=profile.timezone)
            if item.days < 0 and not row["past"]:
                history.append(
                    Appointment(
                        patient=patient,
                        kind=item.kind,
                        starts_at=starts_at,
                        duration_minutes=item.duration_minutes,
                        location=item.location,
                        preparation_notes=item.preparation_notes,
                        status=AppointmentStatus.DONE,
                        created_by=coordinator,
                    )
                )
            elif item.days > 0 and not row["ahead"] and starts_at > now:
                services.appointment_create(
                    patient=patient,
                    kind=item.kind,
                    starts_at=starts_at,
                    created_by=coordinator,
                    duration_minutes=item.duration_minutes,
                    location=item.location,
                    preparation_notes=item.preparation_notes,
                    now=now,
                )
                booked += 1
    Appointment.objects.bulk_create(history)
    return len(history), booked


@dataclass(frozen=True, slots=True)
class DemoAppointmentSummary:
    email: str
    done: int
    booked: int
    next_kind: str
    next_in_days: int | None
    planned_reminders: int
    restaging_reminder_on: dt.date | None  # local date of a planned "ask about restaging"

    def line(self) -> str:
        if self.next_in_days is None:
            upcoming = "nothing booked"
        else:
            days = "tomorrow" if self.next_in_days == 1 else f"in {self.next_in_days} days"
            upcoming = f"next: {self.next_kind} {days}"
        restaging = (
            f"; restaging reminder {self.restaging_reminder_on:%d %b}"
            if self.restaging_reminder_on
            else ""
        )
        plural = "" if self.planned_reminders == 1 else "s"
        return (
            f"{self.email:<18} {self.done:>2} done, {self.booked:>2} booked, "
            f"{self.planned_reminders:>2} reminder{plural} planned; {upcoming}{restaging}"
        )


def demo_appointment_summaries(
    *, patients: Mapping[str, User], now: dt.datetime | None = None
) -> list[DemoAppointmentSummary]:
    """What each demo patient has: history, bookings and planned reminders (for the printout)."""
    now = now or timezone.now()
    summaries: list[DemoAppointmentSummary] = []
    for email, patient in patients.items():
        profile = patient.patient_profile
        appointments = Appointment.objects.filter(patient=patient)
        upcoming = (
            appointments.filter(status=AppointmentStatus.SCHEDULED, starts_at__gt=now)
            .order_by("starts_at")
            .first()
        )
        planned = Notification.objects.filter(
            recipient=patient, status=Status.PLANNED, channel="in_app"
        )
        restaging = planned.filter(subject_type=reminder_planning.RESTAGING_SUBJECT).aggregate(
            first=Min("due_at")
        )["first"]
        zone = clock.zone_info(profile.timezone)
        summaries.append(
            DemoAppointmentSummary(
                email=email,
                done=appointments.filter(status=AppointmentStatus.DONE).count(),
                booked=appointments.filter(
                    status=AppointmentStatus.SCHEDULED, starts_at__gt=now
                ).count(),
                next_kind=upcoming.get_kind_display() if upcoming else "",
                next_in_days=(
                    (upcoming.starts_at.astimezone(zone).date() - profile.local_today(now)).days
                    if upcoming
                    else None
                ),
                planned_reminders=planned.filter(subject_type=reminder_planning.SUBJECT).count(),
                restaging_reminder_on=restaging.astimezone(zone).date() if restaging else None,
            )
        )
    return summaries
