"""Follow-ups of a write, sent to Celery by task name once the write commits.

A saved log asks for a flag evaluation; a changed appointment or profile asks for that and for
its reminders to be planned again. The services that write sit below the apps whose tasks
follow up (``symptoms`` below ``flags``, ``accounts`` below everything), so they name the task
instead of importing it: the names below are the whole contract, and a test checks that each
one is a registered task. Like ``delay_on_commit``, but a broker that is down is logged, never
raised: it must not fail the save that asked (the nightly passes catch up).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

FLAG_EVALUATION = "flags.tasks.evaluate_patient_flags"
REMINDER_REPLAN = "symptoms.tasks.replan_patient_reminders"
TASK_NAMES = (FLAG_EVALUATION, REMINDER_REPLAN)


@dataclass(frozen=True, slots=True)
class _Send:
    task_name: str
    args: tuple[int, ...]

    def __call__(self) -> None:
        app = current_app
        try:
            if self.task_name not in app.tasks:
                app.loader.import_default_modules()  # a web process imports tasks lazily
            # No retries: a broker that is down fails fast, and the nightly passes catch up.
            app.tasks[self.task_name].apply_async(self.args, retry=False)
        except Exception:
            logger.exception("Could not send %s%s", self.task_name, self.args)


def after_commit(task_name: str, *args: int) -> None:
    """Send ``task_name(*args)`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(_Send(task_name, args))


def request_flag_evaluation(patient_id: int) -> None:
    """Evaluate the patient's flags in the background once the current transaction commits."""
    after_commit(FLAG_EVALUATION, patient_id)


def request_reminder_replan(patient_id: int) -> None:
    """Plan the patient's reminders again in the background once the transaction commits."""
    after_commit(REMINDER_REPLAN, patient_id)
