"""manage.py record_access_partitions: create the access log's coming monthly partitions and
drop those past RECORD_ACCESS_RETENTION_MONTHS (what the nightly task does; PostgreSQL only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts import partitions


class Command(BaseCommand):
    help = "Create the record access log's monthly partitions ahead and drop expired months."

    def handle(self, *args: object, **options: object) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("The record access log is not partitioned here (not PostgreSQL).")
            return
        created, dropped = partitions.maintain(now=timezone.now())
        for label, months in (("Created", created), ("Dropped", dropped)):
            names = ", ".join(f"{month:%Y-%m}" for month in months) or "none"
            self.stdout.write(f"{label}: {names}")
