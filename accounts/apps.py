from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles, patient profiles, care teams and who may see whom."""

    name = "accounts"
    verbose_name = "People and care teams"
