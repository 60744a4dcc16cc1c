"""Who may reach which appointment: the six personas against every URL with an appointment id.

Patient A's appointment is the object. Patient A and A's coordinator may see and change it, and
so may an administrator; patient B and another team's coordinator get 404 (its existence is not
revealed); anonymous visitors are sent to log in (pages) or get 401 (API). API.md has no
staff-only appointment actions: patients book, move and cancel their own, so no persona gets 403
here. The one staff-only thing, ``?patient=`` on another person, is 404 for patients.
"""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from appointments.models import Appointment, AppointmentStatus
from appointments.tests.appointment_factories import NOW, book, local
from notifications.models import Notification, Status

pytestmark = pytest.mark.django_db

ALLOWED = {"patient_a", "coordinator_a", "admin"}
HIDDEN = {"patient_b", "coordinator_b"}
PERSONAS = sorted(ALLOWED | HIDDEN | {"anonymous"})


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def appointment(people) -> Appointment:
    return book(people.patient_a, location="Riverside")


def _as(client, people, persona: str):
    user = people.all()[persona]
    if user is not None:
        client.force_login(user)
    return client


def _expected_page(persona: str, allowed_status: int = 200) -> int:
    if persona == "anonymous":
        return 302
    return allowed_status if persona in ALLOWED else 404


def _expected_api(persona: str) -> int:
    if persona == "anonymous":
        return 401
    return 200 if persona in ALLOWED else 404


PAGES = ["appointment_detail", "appointment_edit", "appointment_cancel"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", PAGES)
def test_pages_with_an_appointment_id(people, client, appointment, name, persona):
    _as(client, people, persona)
    url = reverse(name, args=[appointment.pk])
    response = client.get(url)
    assert response.status_code == _expected_page(persona), (name, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    if response.status_code == 404:
        assert b"Riverside" not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_posts_change_nothing_for_outsiders(people, client, appointment, persona):
    _as(client, people, persona)
    edit = client.post(
        reverse("appointment_edit", args=[appointment.pk]),
        {"kind": "mri", "date": "2026-07-01", "time": "11:00", "duration_minutes": "60"},
    )
    cancel = client.post(reverse("appointment_cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    if persona in ALLOWED:
        assert (edit.status_code, cancel.status_code) == (302, 302)
        assert appointment.kind == "mri"
        assert appointment.status == AppointmentStatus.CANCELLED
    else:
        expected = 302 if persona == "anonymous" else 404
        assert (edit.status_code, cancel.status_code) == (expected, expected)
        assert appointment.kind == "ct"
        assert appointment.starts_at == local(appointment.starts_at.date(), 10, 30)
        assert appointment.status == AppointmentStatus.SCHEDULED
        assert not Notification.objects.filter(status=Status.CANCELLED).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_detail(people, api_client, appointment, persona):
    _as(api_client, people, persona)
    response = api_client.get(f"/api/v1/appointments/{appointment.pk}/")
    assert response.status_code == _expected_api(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_patch(people, api_client, appointment, persona):
    _as(api_client, people, persona)
    response = api_client.patch(
        f"/api/v1/appointments/{appointment.pk}/",
        {"starts_at": "2026-07-01T11:00:00+01:00"},
        format="json",
    )
    assert response.status_code == _expected_api(persona)
    appointment.refresh_from_db()
    moved = appointment.starts_at == local(appointment.starts_at.date(), 11, 0)
    assert moved == (persona in ALLOWED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_cancel(people, api_client, appointment, persona):
    _as(api_client, people, persona)
    response = api_client.post(f"/api/v1/appointments/{appointment.pk}/cancel/")
    assert response.status_code == _expected_api(persona)
    appointment.refresh_from_db()
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    assert cancelled == (persona in ALLOWED)
    pending = Notification.objects.filter(subject_type="appointment", status=Status.PLANNED)
    assert pending.exists() == (persona not in ALLOWED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_list_is_scoped(people, api_client, appointment, persona):
    bellas = book(people.patient_b)
    _as(api_client, people, persona)
    response = api_client.get("/api/v1/appointments/")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    ids = {item["id"] for item in response.json()["results"]}
    sees_a = persona in {"patient_a", "coordinator_a", "admin"}
    sees_b = persona in {"patient_b", "coordinator_b", "admin"}
    assert (appointment.pk in ids, bellas.pk in ids) == (sees_a, sees_b)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_patient_filter(people, api_client, appointment, persona):
    _as(api_client, people, persona)
    response = api_client.get("/api/v1/appointments/", {"patient": people.patient_a.pk})
    assert response.status_code == _expected_api(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_page_is_scoped(people, client, appointment, persona):
    bellas = book(people.patient_b)
    _as(client, people, persona)
    response = client.get(reverse("appointment_list"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    sees_a = persona in {"patient_a", "coordinator_a", "admin"}
    sees_b = persona in {"patient_b", "coordinator_b", "admin"}
    assert (f"/appointments/{appointment.pk}/" in html) == sees_a
    assert (f"/appointments/{bellas.pk}/" in html) == sees_b


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("patient_a", 201),
        ("coordinator_a", 201),
        ("admin", 201),
        ("patient_b", 201),  # books for themself: `patient` is ignored for patients
        ("coordinator_b", 404),  # patient A is not in their team
        ("anonymous", 401),
    ],
)
def test_api_booking_for_patient_a(people, api_client, persona, status):
    _as(api_client, people, persona)
    response = api_client.post(
        "/api/v1/appointments/",
        {"kind": "ct", "starts_at": "2026-07-01T11:00:00+01:00", "patient": people.patient_a.pk},
        format="json",
    )
    assert response.status_code == status
    booked_for_a = Appointment.objects.filter(patient=people.patient_a).exists()
    assert booked_for_a == (persona in ALLOWED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_booking_page_offers_only_visible_patients(people, client, persona):
    _as(client, people, persona)
    response = client.get(reverse("appointment_new"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    staff_sees_a = persona in {"coordinator_a", "admin"}
    staff_sees_b = persona in {"coordinator_b", "admin"}
    assert ("Alice Patient" in html) == staff_sees_a
    assert ("Bella Patient" in html) == staff_sees_b
