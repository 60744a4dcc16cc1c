from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """The durable queue of follow-ups a write needs (flag evaluation, reminder re-planning)."""

    name = "followups"
    verbose_name = "Follow-ups"
