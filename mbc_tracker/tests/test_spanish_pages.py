"""Every page a patient reads, in Spanish, with no English left on it.

A patient who chose Spanish, with a full record (a week of logs with every kind of entry, red
flags among them; open urgent and non-urgent flags; a scan booked and one just past with its
support page and check-in; messages; questions for the visit; a download of the record), opens
every page a patient can open. Each page must hold no English sentence (``english_left``);
a failure lists, page by page, the texts still in English. The visit summary PDF is read the
same way.

The meta-test walks the URL configuration: every named URL must be in PATIENT_PAGES (a page a
signed-in patient opens), VISITOR_PAGES (a page a visitor who is not signed in opens) or EXEMPT
(with the reason it is not a page a patient reads). To add a page: add it to the right list
with how to build its arguments from ``World``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from html import escape

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import carers as carer_services
from accounts import services as account_services
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_create
from exports.services import record_export_build, record_export_request
from flags.models import Flag, FlagStatus
from flags.services.evaluation import evaluate_patient
from mbc_tracker.tests.english import english_left
from notifications.models import Notification
from notifications.services import dispatch_due
from symptoms.models import PatientQuestion
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # a Tuesday, midday in Madrid
NAME = "Lucía Fernández"
EMAIL = "lucia.fernandez@example.org"
NURSE = "Marta Ruiz"
NURSE_EMAIL = "marta.ruiz@example.org"
TEAM = "Unidad de Mama Norte"
PLACE = "Hospital Central, planta 2"
SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}

# Texts that are the same in every language: people's and places' names, addresses, the
# product's name. Nothing else may read as English.
CARER, CARER_EMAIL = "Javier Fernández", "javier@example.org"
ALLOWED = (NAME, EMAIL, NURSE, NURSE_EMAIL, TEAM, PLACE, CARER, CARER_EMAIL, "MBC Tracker", "Lucía")


class World:
    """One patient's rich record, made through the services the app itself uses."""

    def __init__(self) -> None:
        team = CareTeamFactory(name=TEAM)
        self.nurse = CoordinatorFactory(email=NURSE_EMAIL, name=NURSE, teams=[team])
        self.patient = patient = make_patient(
            email=EMAIL,
            name=NAME,
            care_team=team,
            sites=["bone", "brain", "liver", "lung"],
            timezone="Europe/Madrid",
            preferred_name="Lucía",
            enrolled_on=dt.date(2025, 9, 1),
        )
        account_services.language_set(user=patient, language="es")
        today = NOW.date()
        # A week of logs: every kind of entry (severity, yes/no, a temperature), red flags.
        days = {
            6: ({"bone_pain": 3, "fatigue": 4, "anxiety": 2}, "Un día tranquilo."),
            5: ({"bone_pain": 5, "nausea": 3, "fever": Decimal("37.2")}, ""),
            4: ({"bone_pain": 8, "fatigue": 7, "low_mood": 6}, "Dormí mal."),
            3: ({"bone_pain": 9, "fatigue": 8, "headache": 4}, ""),
            2: ({"bone_pain": 9, "fatigue": 8, "diarrhea": 5, "mouth_sores": 3}, ""),
            1: ({"seizure": True, "bone_pain": 7, "shortness_of_breath": 6}, "Me asusté."),
            0: ({"fever": Decimal("38.4"), "fatigue": 6, "confusion": True}, "Tengo frío."),
        }
        for back, (values, notes) in days.items():
            day = today - dt.timedelta(days=back)
            log_day(patient, day, values, notes=notes, now=NOW)
        self.log_day = today
        evaluate_patient(patient=patient, now=NOW)
        self.flags = list(Flag.objects.filter(patient=patient))
        # One flag the care team has seen already.
        seen = next((f for f in self.flags if f.level != "urgent"), None)
        if seen is not None:
            seen.status = FlagStatus.ACKNOWLEDGED
            seen.acknowledged_by = self.nurse
            seen.acknowledged_at = NOW - dt.timedelta(hours=2)
            seen.note = "Llamé a Lucía."
            seen.save()
        self.flag = self.flags[0] if self.flags else None
        # A scan next week, a clinic visit, and a scan yesterday (support page, check-in).
        self.scan = appointment_create(
            patient=patient,
            kind="ct",
            starts_at=NOW + dt.timedelta(days=7),
            created_by=self.nurse,
            location=PLACE,
            now=NOW,
        )
        appointment_create(
            patient=patient,
            kind="oncology_visit",
            starts_at=NOW + dt.timedelta(days=14),
            created_by=patient,
            location=PLACE,
            now=NOW,
        )
        self.past_scan = Appointment.objects.create(
            patient=patient,
            kind="mri",
            starts_at=NOW - dt.timedelta(days=1),
            status=AppointmentStatus.SCHEDULED,
            location=PLACE,
        )
        self.question = PatientQuestion.objects.create(
            patient=patient, text="¿Puedo viajar en abril?"
        )
        PatientQuestion.objects.create(patient=patient, text="¿El dolor es normal?", done=True)
        # The messages due by now are sent (reminders, urgent advice); one is read.
        dispatch_due(now=NOW)
        sent = Notification.objects.filter(recipient=patient, sent_at__isnull=False)
        self.notification = sent.first()
        # A download of the whole record, built and ready.
        self.export = record_export_request(patient=patient, requested_by=patient, now=NOW)
        record_export_build(patient_id=patient.pk, now=NOW)
        self.export.refresh_from_db()
        # Her partner helps her, with every right, and reads Spanish too.
        self.carer_link = carer_services.carer_invite(
            patient=patient,
            email=CARER_EMAIL,
            name=CARER,
            rights=["log", "record", "appointments"],
            by=patient,
        )
        self.carer = self.carer_link.carer
        account_services.language_set(user=self.carer, language="es")


# --- The pages ---------------------------------------------------------------------------------

Args = Callable[[World], dict[str, object]]
NO_ARGS: Args = lambda world: {}  # noqa: E731

# name -> how to build its arguments from the world (and, after "?", a query string if any)
PATIENT_PAGES: dict[str, Args] = {
    "home": NO_ARGS,
    "settings": NO_ARGS,
    "log": NO_ARGS,
    "log_day": lambda world: {"day": world.log_day - dt.timedelta(days=1)},
    "history": NO_ARGS,
    "raise_with_team": NO_ARGS,
    "question_edit": lambda world: {"pk": world.question.pk},
    "visit_summary": NO_ARGS,
    "appointment_list": NO_ARGS,
    "appointment_new": NO_ARGS,
    "appointment_detail": lambda world: {"appointment_id": world.scan.pk},
    "appointment_edit": lambda world: {"appointment_id": world.scan.pk},
    "appointment_cancel": lambda world: {"appointment_id": world.scan.pk},
    "appointment_support": lambda world: {"appointment_id": world.scan.pk},
    "appointment_checkin": lambda world: {"appointment_id": world.past_scan.pk},
    "resources": NO_ARGS,
    "notification_list": NO_ARGS,
    "record_export": lambda world: {"pk": world.export.pk},
    "password_change": NO_ARGS,
    "password_change_done": NO_ARGS,
    "offline": NO_ARGS,
    "carer_invite": NO_ARGS,
    "carer_rights": lambda world: {"link_id": world.carer_link.pk},
    "carer_revoke": lambda world: {"link_id": world.carer_link.pk},
}

# What her carer reads, with every right: their own home, settings and messages, and her pages.
CARER_PAGES: dict[str, Args] = {
    "home": NO_ARGS,
    "settings": NO_ARGS,
    "notification_list": NO_ARGS,
    "log": NO_ARGS,
    "log_day": lambda world: {"day": world.log_day - dt.timedelta(days=1)},
    "history": NO_ARGS,
    "raise_with_team": NO_ARGS,
    "visit_summary": NO_ARGS,
    "appointment_list": NO_ARGS,
    "appointment_detail": lambda world: {"appointment_id": world.scan.pk},
    "resources": NO_ARGS,
    "password_change": NO_ARGS,
}

# Pages for visitors who are not signed in, read in their browser's language (Spanish here).
VISITOR_PAGES: dict[str, Args] = {
    "login": NO_ARGS,
    "password_reset": NO_ARGS,
    "password_reset_done": NO_ARGS,
    "password_reset_confirm": lambda world: {
        "uidb64": urlsafe_base64_encode(force_bytes(world.patient.pk)),
        "token": default_token_generator.make_token(world.patient),
    },
    "password_reset_complete": NO_ARGS,
}

_POST_ONLY = "a form's target (POST): it answers with a redirect to a page listed here"
_STAFF = "for care staff only: a patient is refused or sent home"
EXEMPT: dict[str, str] = {
    "settings_language": _POST_ONLY,
    "sign_out_everywhere": _POST_ONLY,
    "log_usual": _POST_ONLY,
    "log_same": _POST_ONLY,
    "question_done": _POST_ONLY,
    "question_delete": _POST_ONLY,
    "calendar_feed_rotate": _POST_ONLY,
    "notification_read": _POST_ONLY,
    "notifications_read_all": _POST_ONLY,
    "push_device_remove": _POST_ONLY,
    "notification_choices_save": _POST_ONLY,
    "record_export_request": _POST_ONLY,
    "set_language": _POST_ONLY,
    "logout": _POST_ONLY,
    "flag_respond": _POST_ONLY,
    "flag_respond_pending": _POST_ONLY,
    "log_pick": "the date picker's target: redirects to log_day (listed)",
    "visit_summary_pdf": "a PDF: its text is read by test_the_visit_summary_pdf_is_spanish",
    "record_export_download": "the record's files (FHIR JSON, CSV) for other systems: codes and "
    "field names are the API's contract, in English",
    "two_step": _STAFF,
    "patient_carer_invite": _STAFF,
    "patient_carer_revoke": _STAFF,
    "two_step_verify": _STAFF,
    "two_step_setup": _STAFF,
    "two_step_codes": _STAFF,
    "care:panel": _STAFF,
    "care:record": _STAFF,
    "care:patient_edit": _STAFF,
    "care:flag_acknowledge": _STAFF,
    "care:flag_resolve": _STAFF,
    "care:flag_contact": _STAFF,
    "care:alert_burden": _STAFF,
    "care:burden_flags": _STAFF,
    "healthz": "the load balancer's health check, not a page",
    "manifest": "the install manifest (JSON): the app's name only",
    "service_worker": "JavaScript; the page it shows offline is offline (listed)",
    "favicon": "an image",
}
# Whole parts of the site that are not patient pages, by where their addresses start.
EXEMPT_ROUTES = {
    "admin/": "Django admin: staff only",
    "api/": "the API answers JSON; its error messages are checked by the API tests",
    "^api/": "the API's catch-all 404 (JSON)",
    "api/schema/": "the API's schema, for developers",
    "api/docs/": "the API's documentation, for developers",
}


def _walk(patterns, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


def named_urls() -> dict[str, str]:
    """Every named URL (name -> route), the API's and admin's left out by EXEMPT_ROUTES."""
    return {
        name: route
        for name, route in _walk(get_resolver().url_patterns)
        if not any(route.startswith(start) for start in EXEMPT_ROUTES)
    }


def test_every_page_is_checked_in_spanish_or_exempt_with_a_reason():
    urls = named_urls()
    listed = set(PATIENT_PAGES) | set(VISITOR_PAGES) | set(EXEMPT)
    missing = sorted(set(urls) - listed)
    stale = sorted(listed - set(urls))
    problems = [
        f"{name} ({urls[name]}): add it to PATIENT_PAGES or VISITOR_PAGES in this file (how to "
        "build its arguments), or to EXEMPT with the reason a patient does not read it"
        for name in missing
    ] + [f"{name} is no longer a URL: remove it from this file" for name in stale]
    assert not problems, "\n".join(problems)
    assert not set(PATIENT_PAGES) & set(EXEMPT)
    assert not set(VISITOR_PAGES) & set(EXEMPT)


# --- Rendering them -----------------------------------------------------------------------------


@pytest.fixture
def world(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with time_machine.travel(NOW, tick=False):
        yield World()


def _english_by_page(client: Client, pages: dict[str, Args], world: World) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, args in pages.items():
        url = reverse(name, kwargs=args(world))
        response = client.get(url, **ENGLISH_BROWSER)
        if response.status_code != 200:
            found[f"{name} ({url})"] = f"answered {response.status_code}, not the page"
            continue
        assert response["Content-Language"] == "es", name
        english = english_left(response.content.decode(), allowed=ALLOWED)
        if english:
            found[f"{name} ({url})"] = english
    return found


def _report(found: dict[str, object]) -> str:
    """Page by page, the English texts; a text already listed for an earlier page (the menu,
    the footer) is only counted, so each page shows what is new on it."""
    lines = [f"{len(found)} page(s) still show English (mark and translate these texts):"]
    seen: set[str] = set()
    for page, texts in found.items():
        lines.append(f"  {page}:")
        if not isinstance(texts, list):
            lines.append(f"    ! {texts}")
            continue
        new = [text for text in dict.fromkeys(texts) if text not in seen]
        lines.extend(f"    - {text}" for text in new)
        if len(new) < len(set(texts)):
            lines.append(f"    (and {len(set(texts)) - len(new)} listed above)")
        seen.update(texts)
    return "\n".join(lines)


def test_every_patient_page_is_spanish(world):
    """The patient chose Spanish; their browser says English: Spanish wins, everywhere."""
    assert world.flags, "the world should have flags: the rules raised none"
    assert {flag.level for flag in world.flags} >= {"urgent"}
    client = Client()
    client.force_login(world.patient)
    with time_machine.travel(NOW, tick=False):
        found = _english_by_page(client, PATIENT_PAGES, world)
        # Not found, in Spanish too (another patient's appointment, or none at all).
        response = client.get(
            reverse("appointment_detail", kwargs={"appointment_id": 999_999}), **ENGLISH_BROWSER
        )
        english = english_left(response.content.decode(), allowed=ALLOWED)
        if english:
            found["not found (appointment_detail of nobody)"] = english
    assert not found, _report(found)


def test_every_carer_page_is_spanish(world):
    """Her carer chose Spanish: their own pages and hers, with the urgent advice, in Spanish."""
    client = Client()
    client.force_login(world.carer)
    with time_machine.travel(NOW, tick=False):
        found = _english_by_page(client, CARER_PAGES, world)
    assert not found, _report(found)


def test_every_visitor_page_is_spanish_for_a_spanish_browser(world):
    client = Client()
    found: dict[str, object] = {}
    for name, args in VISITOR_PAGES.items():
        url = reverse(name, kwargs=args(world))
        response = client.get(url, follow=True, **SPANISH_BROWSER)
        if response.status_code != 200:
            found[f"{name} ({url})"] = f"answered {response.status_code}, not the page"
            continue
        assert response["Content-Language"] == "es", name
        english = english_left(response.content.decode(), allowed=ALLOWED)
        if english:
            found[f"{name} ({url})"] = english
    assert not found, _report(found)


def test_the_visit_summary_pdf_is_spanish(world):
    """The PDF's text as WeasyPrint lays it out (the same document the download holds)."""
    from weasyprint.formatting_structure import boxes

    from flags import views as flag_views

    request = RequestFactory().get(reverse("visit_summary_pdf"))
    request.user = world.patient
    request.LANGUAGE_CODE = "es"
    with time_machine.travel(NOW, tick=False), translation.override("es"):
        document, _ = flag_views.summary_document(request, world.patient.patient_profile)
        client = Client()
        client.force_login(world.patient)
        response = client.get(reverse("visit_summary_pdf"), **ENGLISH_BROWSER)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    found = {}
    for number, page in enumerate(document.pages, start=1):
        lines = [box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)]
        english = english_left("".join(f"<p>{escape(line)}</p>" for line in lines), allowed=ALLOWED)
        if english:
            found[f"visit summary PDF, page {number}"] = english
    assert not found, _report(found)
