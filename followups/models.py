"""One row per follow-up a write asked for that no worker has finished yet."""

from __future__ import annotations

from django.db import models


class FollowUp(models.Model):
    """A pending follow-up, keyed by (task, patient): asking again while one is pending bumps
    ``version`` instead of adding a row, so a burst of saves costs one evaluation. A worker
    removes the row only if ``version`` is still the one it claimed."""

    task = models.CharField(max_length=100)
    patient_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    # Nobody re-sends the row before this: set when a worker starts it (or a drain sends it), so
    # a worker that died mid-task is replaced within minutes, not at the broker's redelivery.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "patient_id"], name="one_follow_up_per_task_and_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}({self.patient_id}) v{self.version}"
