from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    """Appointments, restaging cadence, resources and reminder planning."""

    name = "appointments"
    verbose_name = "Appointments and restaging"
