"""Appointments in Django admin: to look at and cancel, never to book or move (the services do
that, with the date rule and the reminders), and a row stored before the date rule still opens."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from appointments.models import Appointment, AppointmentStatus
from appointments.tests.appointment_factories import END_OF_CALENDAR, NOW, book, stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _fields(appointment: Appointment, **changes: object) -> dict[str, object]:
    return {
        "patient": appointment.patient_id,
        "kind": appointment.kind,
        "starts_at_0": "9999-12-30",
        "starts_at_1": "23:00:00",
        "duration_minutes": 60,
        "status": appointment.status,
        **changes,
    }


def test_admin_refuses_to_book_or_move_an_appointment(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.admin)
    add = reverse("admin:appointments_appointment_add")
    assert client.get(add).status_code == 403
    assert client.post(add, _fields(appointment)).status_code == 403
    change = reverse("admin:appointments_appointment_change", args=[appointment.pk])
    assert client.post(change, _fields(appointment)).status_code == 403
    assert Appointment.objects.get().starts_at == appointment.starts_at  # nothing moved


def test_a_row_past_the_calendar_opens_and_cancels_in_admin(people, client):
    people.patient_a.patient_profile.timezone = "Pacific/Kiritimati"
    people.patient_a.patient_profile.save()
    late = stored(people.patient_a)
    client.force_login(people.admin)
    changelist = reverse("admin:appointments_appointment_changelist")
    assert client.get(changelist).status_code == 200
    change = reverse("admin:appointments_appointment_change", args=[late.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        changelist, {"action": "cancel", "_selected_action": [late.pk]}, follow=True
    )
    assert response.status_code == 200
    late.refresh_from_db()
    assert late.status == AppointmentStatus.CANCELLED
    assert late.starts_at == END_OF_CALENDAR
