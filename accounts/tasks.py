"""Background work for accounts. Tasks take ids and call a service."""

from celery import shared_task

from accounts import services
from accounts.models import User


@shared_task
def send_invitation(user_id: int) -> None:
    """Email a newly enrolled patient their set-password link (skipped once they have one)."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        services.invitation_send(user=user)
