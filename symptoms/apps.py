from django.apps import AppConfig


class SymptomsConfig(AppConfig):
    """Symptom catalogue, daily logs, trends and the flag rules."""

    name = "symptoms"
    verbose_name = "Symptoms and flags"

    def ready(self) -> None:
        # The outbox asks, just before sending a daily log nudge, whether it is still wanted.
        from notifications import checks
        from symptoms.flags import flag_alert_still_wanted
        from symptoms.reminders import log_reminder_still_wanted

        checks.register("log_reminder", log_reminder_still_wanted)
        # ... and whether a flag alert still is: an escalation only while its flag is unanswered.
        checks.register("flag_alert", flag_alert_still_wanted)

        # Who changed a flag, the rule thresholds, a daily log or a question for the care team,
        # and how (django-auditlog).
        from auditlog.registry import auditlog

        from symptoms.models import DailyLog, Flag, FlagThresholds, PatientQuestion

        auditlog.register(Flag)
        auditlog.register(FlagThresholds)
        auditlog.register(DailyLog)
        auditlog.register(PatientQuestion)
