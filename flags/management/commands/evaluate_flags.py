"""manage.py evaluate_flags [--patient ID]: evaluate flags now, synchronously, and say what
changed. Without --patient, every patient (as the nightly sweep does, digests included); a
patient who cannot be evaluated is skipped and named, and the command fails only if nobody
could be evaluated (as ``plan_reminders``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import PatientProfile
from flags.services import evaluate_patient
from flags.tasks import sweep


class Command(BaseCommand):
    help = (
        "Evaluate the flag rules and reconcile stored flags now. Safe to run at any time: a "
        "second run changes nothing. A patient whose evaluation fails is skipped and reported; "
        "the command fails only if nobody could be evaluated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", type=int, help="One patient's user id.")

    def handle(self, *args: object, **options: object) -> None:
        patient_id = options.get("patient")
        if patient_id is None:
            self._sweep()
            return
        if not PatientProfile.objects.filter(pk=patient_id).exists():
            raise CommandError(f"No patient with id {patient_id}.")
        result = evaluate_patient(patient=int(patient_id))  # type: ignore[call-overload]
        for verb, items in (
            ("opened", result.opened),
            ("updated", result.updated),
            ("resolved", result.resolved),
        ):
            for flag in items:
                subject = f" [{flag.subject}]" if flag.subject else ""
                self.stdout.write(f"{verb}: {flag.rule}{subject} ({flag.level}) #{flag.pk}")
        if not result.changed:
            self.stdout.write("No changes.")
        if result.alerts_planned:
            self.stdout.write(f"Alerts planned: {result.alerts_planned}")

    def _sweep(self) -> None:
        failed: list[int] = []
        totals = sweep(on_failure=failed.append)
        self.stdout.write(
            self.style.SUCCESS("Flags evaluated: ")
            + ", ".join(f"{name} {value}" for name, value in totals.items())
        )
        if not failed:
            return
        if not totals.get("patients"):
            raise CommandError(
                f"Could not evaluate the flags of any patient ({len(failed)} tried). "
                "The log has the details."
            )
        plural = "" if len(failed) == 1 else "s"
        self.stderr.write(
            f"Could not evaluate the flags of {len(failed)} patient{plural}: "
            f"{', '.join(map(str, failed))}. The log has the details; everybody else is "
            "evaluated."
        )
