from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles, patient profiles, care teams and who may see whom."""

    name = "accounts"
    verbose_name = "People and care teams"

    def ready(self) -> None:
        # Who changed a person, a patient's profile or a care team, and how (django-auditlog).
        from auditlog.registry import auditlog

        from accounts.models import CarerLink, CareTeam, PatientProfile, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(PatientProfile)
        auditlog.register(CareTeam, m2m_fields={"coordinators"})
        auditlog.register(CarerLink)

        # A staff session's idle clock starts at sign-in, on every sign-in path (the way Django
        # itself records last_login); StaffIdleTimeoutMiddleware moves it on with each request.
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import start_staff_idle_clock

        user_logged_in.connect(start_staff_idle_clock, dispatch_uid="staff-idle-clock")
