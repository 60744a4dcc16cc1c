"""manage.py create_user: add a patient, coordinator or admin from a script or a terminal."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services
from accounts.choices import Role


class Command(BaseCommand):
    help = "Create a user with a role. Creates the care team if it does not exist yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--team", default="", help="Care team name (required for patients and coordinators)."
        )
        parser.add_argument("--sites", default="", help="Comma-separated, e.g. bone,liver.")
        parser.add_argument("--timezone", default=settings.DEFAULT_PATIENT_TIMEZONE)

    def handle(self, *args: object, **options: str) -> None:
        role = options["role"]
        team_name = options["team"].strip()
        if role in (Role.PATIENT, Role.COORDINATOR) and not team_name:
            raise CommandError(f"--team is required for a {role}.")
        sites = [site.strip() for site in options["sites"].split(",") if site.strip()]
        try:
            with transaction.atomic():
                if role == Role.PATIENT:
                    user = services.patient_enrol(
                        email=options["email"],
                        name=options["name"],
                        password=options["password"],
                        care_team=services.care_team_get_or_create(name=team_name),
                        timezone=options["timezone"],
                        sites=sites,
                        invite=False,
                    )
                else:
                    user = services.user_create(
                        email=options["email"],
                        role=role,
                        password=options["password"],
                        name=options["name"],
                    )
                    if role == Role.COORDINATOR:
                        services.coordinator_join_team(
                            coordinator=user,
                            team=services.care_team_get_or_create(name=team_name),
                        )
        except ValidationError as error:
            messages = (
                [f"{field}: {' '.join(errs)}" for field, errs in error.message_dict.items()]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError("; ".join(messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.email} (id {user.pk})."))
