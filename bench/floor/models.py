"""A log and its entries, shaped like symptoms.DailyLog and LogEntry (without the catalogue)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FloorLog(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    date = models.DateField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="floor_one_log_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} on {self.date}"


class FloorEntry(models.Model):
    log = models.ForeignKey(FloorLog, on_delete=models.CASCADE, related_name="entries")
    symptom = models.CharField(max_length=40)
    severity = models.PositiveSmallIntegerField(null=True)
    present = models.BooleanField(null=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "symptom"], name="floor_one_entry_per_symptom")
        ]

    def __str__(self) -> str:
        return self.symptom
