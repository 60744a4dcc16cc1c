from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """The record leaving with the patient: the FHIR R4 export and the patient's own download."""

    name = "exports"
    verbose_name = "Record exports"

    def ready(self) -> None:
        # The outbox asks, just before showing "your record is ready", whether it still is.
        from exports.services import message_still_wanted
        from notifications import checks
        from notifications.models import Kind

        checks.register(Kind.RECORD_EXPORT, message_still_wanted)

        # Who asked for and downloaded a record (django-auditlog); never the file itself.
        from auditlog.registry import auditlog

        from exports.models import RecordExport

        auditlog.register(RecordExport, exclude_fields=["archive"])
