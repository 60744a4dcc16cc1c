"""manage.py seed_demo: demo people for trying the app. Safe to run again: nothing is doubled."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services
from accounts.choices import Role
from accounts.models import User

DEMO_PASSWORD = "demo-password-123"  # Demo data only; seed_demo refuses to run in production.


@dataclass(frozen=True)
class DemoPatient:
    email: str
    name: str
    team: str
    sites: tuple[str, ...]
    timezone: str


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
    DemoPatient("fay@example.org", "Fay Müller", TEAMS[1], ("brain",), "Europe/Berlin"),
)
ADMIN = ("admin@example.org", "Alex Admin")


class Command(BaseCommand):
    help = "Create demo users, care teams and patients (idempotent). Development only."

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
        with transaction.atomic():
            self._seed()
        self._print_logins()

    def _seed(self) -> None:
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
        for patient in PATIENTS:
            if User.objects.filter(email__iexact=patient.email).exists():
                continue
            services.patient_enrol(
                email=patient.email,
                name=patient.name,
                care_team=teams[patient.team],
                timezone=patient.timezone,
                sites=patient.sites,
                password=DEMO_PASSWORD,
                invite=False,
            )

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
