from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    """Appointments, restaging cadence, resources and reminder planning."""

    name = "appointments"
    verbose_name = "Appointments and restaging"

    def ready(self) -> None:
        # Who booked, moved or cancelled an appointment, and how (django-auditlog).
        from auditlog.registry import auditlog

        from appointments.models import Appointment

        auditlog.register(Appointment)
