from django.apps import AppConfig


class SymptomsConfig(AppConfig):
    """Symptom catalogue, daily logs, the log and history pages, trends."""

    name = "symptoms"
    verbose_name = "Symptoms"

    def ready(self) -> None:
        # The outbox asks, just before sending a daily log nudge, whether it is still wanted.
        from notifications import checks
        from symptoms.reminder_planning import log_reminder_still_wanted

        checks.register("log_reminder", log_reminder_still_wanted)

        # Who changed a daily log or a question for the care team, and how (django-auditlog).
        from auditlog.registry import auditlog

        from symptoms.models import DailyLog, PatientQuestion

        auditlog.register(DailyLog)
        auditlog.register(PatientQuestion)
