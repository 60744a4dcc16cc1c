"""manage.py plan_reminders: the nightly reminder planning, run now (idempotent)."""

from __future__ import annotations

from typing import cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from symptoms.reminder_planning import PATIENT_BATCH, plan_reminders


class Command(BaseCommand):
    help = (
        "Plan every patient's appointment, restaging and daily log reminders now, as the "
        "nightly task does. Safe to run at any time: what is planned already stays as it is. "
        "A patient whose planning fails is skipped and reported; the command fails only if "
        "nobody could be planned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patient-batch",
            type=int,
            default=PATIENT_BATCH,
            help=f"Patients per transaction (default {PATIENT_BATCH}).",
        )

    def handle(self, *args: object, **options: object) -> None:
        failed: list[int] = []
        counts = plan_reminders(
            patient_batch=cast(int, options["patient_batch"]), on_failure=failed.append
        )
        self.stdout.write(
            self.style.SUCCESS("Reminders planned: ")
            + ", ".join(f"{name} {value}" for name, value in counts.items())
        )
        if not failed:
            return
        if not counts["patients"]:
            raise CommandError(
                f"Could not plan the reminders of any patient ({len(failed)} tried). "
                "The log has the details."
            )
        plural = "" if len(failed) == 1 else "s"
        self.stderr.write(
            f"Could not plan the reminders of {len(failed)} patient{plural}: "
            f"{', '.join(map(str, failed))}. The log has the details; everybody else is planned."
        )
