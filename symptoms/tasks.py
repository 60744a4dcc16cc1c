"""Background work for symptoms. Thin: load by id, call a service."""

from __future__ import annotations

from celery import shared_task

from accounts.models import PatientProfile
from symptoms.reminders import patient_reminders_replan


@shared_task
def replan_patient_reminders(patient_id: int) -> None:
    """Plan a patient's reminders again after their profile changed (``lib.followups``):
    idempotent, so a second run changes nothing."""
    profile = PatientProfile.objects.filter(pk=patient_id, user__is_active=True).first()
    if profile is not None:
        patient_reminders_replan(profile=profile)
