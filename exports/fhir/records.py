"""What the FHIR export reads: one patient's record, in a fixed number of queries however many
days it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q

from accounts.models import PatientProfile
from appointments.models import Appointment
from flags.models import Flag
from symptoms.catalogue import Catalogue, clear_catalogue_cache, get_catalogue
from symptoms.models import DailyLog, Symptom


@dataclass(frozen=True, slots=True)
class PatientRecord:
    profile: PatientProfile  # with its user
    catalogue: Catalogue
    catalogue_updated_at: dt.datetime | None  # the newest change to any symptom
    logs: list[DailyLog]  # oldest first, entries prefetched
    flags: list[Flag]  # oldest first
    appointments: list[Appointment]  # earliest first


def patient_record(*, patient_id: int, since: dt.date | None = None) -> PatientRecord:
    """The patient's profile, logs, flags and appointments, and the catalogue they answer.
    ``since`` keeps the logs from that day and the flags opened or changed from that day
    (midnight in the patient's own zone); appointments are always all there."""
    profile = PatientProfile.objects.select_related("user").get(pk=patient_id)
    logs = DailyLog.objects.filter(patient_id=patient_id).prefetch_related("entries")
    flags = Flag.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(date__gte=since)
        start = _local_midnight(since, profile)
        flags = flags.filter(Q(opened_at__gte=start) | Q(updated_at__gte=start))
    logs = list(logs.order_by("date"))
    catalogue = get_catalogue()
    answered = {entry.symptom_id for log in logs for entry in log.entries.all()}
    if not answered <= catalogue.symptoms.keys():
        # A symptom added in the last minute, after this process cached the catalogue.
        clear_catalogue_cache()
        catalogue = get_catalogue()
    return PatientRecord(
        profile=profile,
        catalogue=catalogue,
        catalogue_updated_at=Symptom.objects.aggregate(latest=Max("updated_at"))["latest"],
        logs=logs,
        flags=list(flags.order_by("opened_at", "pk")),
        appointments=list(
            Appointment.objects.filter(patient_id=patient_id).order_by("starts_at", "pk")
        ),
    )


def _local_midnight(day: dt.date, profile: PatientProfile) -> dt.datetime:
    """The start of ``day`` where the patient is, in UTC; a day at the very ends of the calendar
    (year 1 or 9999) stops at the end rather than overflowing."""
    try:
        return dt.datetime.combine(day, dt.time(0), tzinfo=profile.zone).astimezone(dt.UTC)
    except OverflowError:
        return (
            dt.datetime.min.replace(tzinfo=dt.UTC)
            if day.year == 1
            else dt.datetime.max.replace(tzinfo=dt.UTC)
        )
