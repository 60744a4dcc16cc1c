"""Are the Spanish catalogues complete and up to date? For CI and before a release.

Extracts every marked string of the code again (as ``make messages`` does, in a temporary copy,
so the committed catalogues are untouched), then fails, naming them, on strings the code has but
a catalogue lacks, and on empty or fuzzy Spanish. Prints, per catalogue, how many entries are
translated and how many are not.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mbc_tracker.catalogues import check_catalogues, fresh_extraction

SHOWN = 50  # strings listed per catalogue and kind; the counts are always whole


class Command(BaseCommand):
    help = "Check that the Spanish catalogues hold every marked string, all translated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="Only count and check what the catalogues hold (no fresh extraction).",
        )

    def handle(self, *args: object, **options: object) -> None:
        fresh = None if options["no_extract"] else fresh_extraction(sys.executable)
        reports = check_catalogues(fresh)
        if not reports:
            raise CommandError("No Spanish catalogue found, and no marked string either.")
        totals = [0, 0, 0]
        for report in reports:
            untranslated, missing = len(report.untranslated), len(report.missing)
            totals = [totals[0] + report.translated, totals[1] + untranslated, totals[2] + missing]
            line = (
                f"{report.path}: {report.translated} translated, {untranslated} untranslated"
                f" ({len(report.fuzzy)} fuzzy)"
            )
            if fresh is not None:
                line += f", {missing} missing from the catalogue"
            self.stdout.write(line)
            for kind, msgids in (
                ("missing", report.missing),
                ("untranslated", report.untranslated),
            ):
                for msgid in msgids[:SHOWN]:
                    self.stdout.write(f"  {kind}: {msgid!r}")
                if len(msgids) > SHOWN:
                    self.stdout.write(f"  ... and {len(msgids) - SHOWN} more {kind}")
        self.stdout.write(
            f"All catalogues: {totals[0]} translated, {totals[1]} untranslated"
            + (f", {totals[2]} missing" if fresh is not None else "")
        )
        if totals[1] or totals[2]:
            raise CommandError(
                "The Spanish catalogues are incomplete: run `make messages`, translate every "
                "empty or fuzzy entry (README, Languages), and commit the .po files."
            )
        self.stdout.write("The Spanish catalogues are complete and up to date.")
