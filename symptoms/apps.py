from django.apps import AppConfig


class SymptomsConfig(AppConfig):
    """Symptom catalogue, daily logs, trends and the flag rules."""

    name = "symptoms"
    verbose_name = "Symptoms and flags"
