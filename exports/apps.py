from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """The record leaving with the patient: the FHIR R4 export and the patient's own download."""

    name = "exports"
    verbose_name = "Record exports"
