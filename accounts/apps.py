from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles, patient profiles, care teams and who may see whom."""

    name = "accounts"
    verbose_name = "People and care teams"

    def ready(self) -> None:
        # Who changed a person, a patient's profile or a care team, and how (django-auditlog).
        from auditlog.registry import auditlog

        from accounts.models import CareTeam, PatientProfile, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(PatientProfile)
        auditlog.register(CareTeam, m2m_fields={"coordinators"})
