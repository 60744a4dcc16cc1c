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


class NightlyPass(models.Model):
    """One nightly pass over every patient (the flag sweep, the reminder planning), cut into
    chunks that workers run in parallel (``followups.passes``). ``chunk_task`` names the task
    that runs a chunk; the one that completes the last chunk runs the pass's final step."""

    name = models.CharField(max_length=100)
    chunk_task = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    # The instant the chunks work as of, when one was given (commands, tests, benchmarks);
    # otherwise each chunk works as of when it runs.
    as_of = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField()
    chunks_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # the done chunks' counts, summed
    # The final step is left to whoever set this until it passes (a worker that died in it is
    # replaced), and runs no more once ``finished_at`` is set.
    finish_claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["started_at"],
                name="nightly_pass_unfinished",
                condition=models.Q(finished_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.chunks_done}/{self.chunks_total})"


class PassChunk(models.Model):
    """A range of patient ids (both ends included) of a nightly pass."""

    nightly_pass = models.ForeignKey(NightlyPass, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    sent_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    # A started chunk not done by then is sent again (its worker died, or it failed).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nightly_pass", "number"], name="one_chunk_per_pass_and_number"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"chunk {self.number} of pass {self.nightly_pass_id} ({self.first_id}-{self.last_id})"
        )
