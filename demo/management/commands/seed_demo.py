"""manage.py seed_demo: demo people and their symptom logs for trying the app.

Safe to run again: nothing is doubled, and logs already there (a demo patient's own edits
included) are left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.choices import Role
from accounts.models import User
from appointments import reminder_planning
from care.selectors import triage_panel
from demo import appointments as appointment_demo
from demo import logs as demo
from demo.appointments import DemoAppointmentSummary
from demo.contacts import seed_demo_contacts
from demo.logs import DemoLogSummary
from flags.services import evaluate_patients
from symptoms import reminder_planning as log_reminders

DEMO_PASSWORD = "demo-password-123"  # Demo data only; seed_demo refuses to run in production.


@dataclass(frozen=True)
class DemoPatient:
    email: str
    name: str
    team: str
    sites: tuple[str, ...]
    timezone: str
    enrolled_days_ago: int = 90  # before their demo logs start (demo.logs, 60 days)


TEAMS = ("North Breast Unit", "South Oncology Team")
COORDINATORS = (
    ("nurse.north@example.org", "Nadia North", TEAMS[0]),
    ("nurse.south@example.org", "Sam South", TEAMS[1]),
)
PATIENTS = (
    DemoPatient("ada@example.org", "Ada Lovelace", TEAMS[0], ("bone",), "Europe/London"),
    DemoPatient("bea@example.org", "Bea Martin", TEAMS[0], ("bone", "liver"), "America/New_York"),
    DemoPatient("cara@example.org", "Cara Singh", TEAMS[0], ("brain", "lung"), "Asia/Kolkata"),
    DemoPatient("dee@example.org", "Dee Okafor", TEAMS[1], ("liver",), "America/Los_Angeles"),
    DemoPatient("eve@example.org", "Eve Tane", TEAMS[1], ("lung", "bone"), "Pacific/Auckland"),
    DemoPatient("fay@example.org", "Fay Müller", TEAMS[1], ("brain",), "Europe/Berlin", 5),
)
ADMIN = ("admin@example.org", "Alex Admin")
# Made-up contact and identity details: (phone, best time to call, date of birth, hospital number).
DETAILS = {
    "ada@example.org": ("07911 123456", "Mornings", dt.date(1958, 3, 14), "NHS 943 476 5919"),
    "bea@example.org": ("+1 212 555 0123", "After 2pm", dt.date(1966, 9, 2), "MRN 0048213"),
    "cara@example.org": ("+91 98765 43210", "", dt.date(1979, 1, 27), "MRN 771-204"),
    "dee@example.org": ("+1 310 555 0188", "Any time", dt.date(1971, 6, 30), ""),
    "eve@example.org": ("+64 21 555 0123", "Evenings", dt.date(1983, 11, 5), "NHI ZZZ0032"),
    "fay@example.org": ("+49 30 901820", "", None, ""),
}


class Command(BaseCommand):
    help = (
        "Create demo users, care teams, patients, 60 days of symptom logs, past and upcoming "
        "appointments and their reminders (idempotent). Development only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_DEBUG off (for a staging site; never on real patients).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo adds demo accounts with a known password. It only runs with "
                "DJANGO_DEBUG=1 (or --allow-production on a staging site)."
            )

        now = timezone.now()
        with transaction.atomic():
            patients = self._seed(now)
            created = demo.seed_demo_logs(patients=patients, now=now)
            history, booked = appointment_demo.seed_demo_appointments(patients=patients, now=now)
            profiles = [patient.patient_profile for patient in patients.values()]
            reminder_planning.restaging_reminders_plan(profiles=profiles, now=now)
            log_reminders.log_reminders_plan(profiles=profiles, now=now)

        # The demo patients carry the flags their logs imply, at once (not after the worker).
        evaluate_patients([patient.pk for patient in patients.values()], now=now)
        seed_demo_contacts(patients=patients, now=now)  # a past urgent episode, called twice
        self._print_logins()
        self._print_logs(demo.demo_log_summaries(patients=patients, now=now), created)
        self._print_appointments(
            appointment_demo.demo_appointment_summaries(patients=patients, now=now),
            history + booked,
        )
        self._print_panels(now)

    def _seed(self, now: dt.datetime) -> dict[str, User]:
        """Everyone, created if missing; returns the demo patients by email."""
        teams = {name: services.care_team_get_or_create(name=name) for name in TEAMS}
        if not User.objects.filter(email__iexact=ADMIN[0]).exists():
            services.user_create(
                email=ADMIN[0], name=ADMIN[1], role=Role.ADMIN, password=DEMO_PASSWORD
            )
        for email, name, team in COORDINATORS:
            coordinator = User.objects.filter(email__iexact=email).first()
            if coordinator is None:
                coordinator = services.user_create(
                    email=email, name=name, role=Role.COORDINATOR, password=DEMO_PASSWORD
                )
            services.coordinator_join_team(coordinator=coordinator, team=teams[team])
        patients: dict[str, User] = {}
        for patient in PATIENTS:
            user = (
                User.objects.select_related("patient_profile")
                .filter(email__iexact=patient.email)
                .first()
            )
            if user is None:
                local_today = now.astimezone(ZoneInfo(patient.timezone)).date()
                user = services.patient_enrol(
                    email=patient.email,
                    name=patient.name,
                    care_team=teams[patient.team],
                    timezone=patient.timezone,
                    sites=patient.sites,
                    password=DEMO_PASSWORD,
                    invite=False,
                    enrolled_on=local_today - dt.timedelta(days=patient.enrolled_days_ago),
                    **dict(
                        zip(
                            ("phone", "call_time", "date_of_birth", "hospital_number"),
                            DETAILS.get(patient.email, ("", "", None, "")),
                            strict=True,
                        )
                    ),
                )
            patients[patient.email] = user
        return patients

    def _print_logins(self) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        out.write(f"  admin        {ADMIN[0]:<28} {ADMIN[1]}")
        for email, name, team in COORDINATORS:
            out.write(f"  coordinator  {email:<28} {name} ({team})")
        for patient in PATIENTS:
            sites = ", ".join(patient.sites)
            out.write(
                f"  patient      {patient.email:<28} {patient.name} ({sites}; {patient.timezone})"
            )
        out.write("")

    def _print_logs(self, summaries: list[DemoLogSummary], created: int) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo symptom logs ({created} new; dates in each patient's own time zone)"
            )
        )
        for summary in summaries:
            out.write(f"  {summary.line()}")
        out.write("")

    def _print_panels(self, now: dt.datetime) -> None:
        """Each coordinator's triage panel as their home page shows it, most pressing first."""

        out = self.stdout
        out.write(self.style.SUCCESS("Triage panels (each coordinator's home page)"))
        for email, name, team in COORDINATORS:
            coordinator = User.objects.get(email__iexact=email)
            out.write(f"  {name} ({team}):")
            for patient in triage_panel(user=coordinator, now=now):
                result = patient.triage
                why = f"{result.label}: {result.top_flag_title}" if result.top_flag_title else ""
                out.write(f"    {patient.name:<16} {why or result.label}")
        out.write("")

    def _print_appointments(self, summaries: list[DemoAppointmentSummary], created: int) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo appointments ({created} new; reminders planned at 09:00 local, daily log "
                "nudges at each patient's reminder time)"
            )
        )
        for summary in summaries:
            out.write(f"  {summary.line()}")
        out.write("")
