from django.apps import AppConfig


class SymptomsConfig(AppConfig):
    """Symptom catalogue, daily logs, trends and the flag rules."""

    name = "symptoms"
    verbose_name = "Symptoms and flags"

    def ready(self) -> None:
        # The outbox asks, just before sending a daily log nudge, whether it is still wanted.
        from notifications import checks
        from symptoms.reminders import log_reminder_still_wanted

        checks.register("log_reminder", log_reminder_still_wanted)
