from django.apps import AppConfig


class CareConfig(AppConfig):
    """The care coordinator's dashboard: triage panel, patient record, flag triage, alert burden."""

    name = "care"
    verbose_name = "Care coordination"
