from django.apps import AppConfig


class FlagsConfig(AppConfig):
    """What to raise with the care team: the rules, flags, alerts and urgent advice."""

    name = "flags"
    verbose_name = "Flags"

    def ready(self) -> None:
        # The outbox asks, just before sending a flag alert, whether it is still wanted: an
        # escalation only while its flag is unanswered.
        from auditlog.registry import auditlog

        from flags.models import Flag, FlagContact, FlagThresholds
        from flags.services.alerts import flag_alert_still_wanted
        from notifications import checks

        checks.register("flag_alert", flag_alert_still_wanted)
        # Who changed a flag or the rule thresholds, and how (django-auditlog).
        auditlog.register(Flag)
        auditlog.register(FlagThresholds)
        auditlog.register(FlagContact)
