from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The one outbox: every message the app sends, planned as rows and sent exactly once."""

    name = "notifications"
    verbose_name = "Notifications"
