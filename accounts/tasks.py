"""Background work for accounts. Tasks take ids and call a service."""

from celery import shared_task
from django.utils import timezone

from accounts import carers, partitions, services
from accounts.models import CarerLink, User


@shared_task
def send_invitation(user_id: int) -> None:
    """Email a newly enrolled patient their set-password link (skipped once they have one)."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        services.invitation_send(user=user)


@shared_task
def send_carer_invitation(link_id: int) -> None:
    """Email a newly invited carer their invitation (skipped once the link is revoked)."""
    link = CarerLink.objects.filter(pk=link_id).first()
    if link is not None:
        carers.carer_invitation_send(link=link)


@shared_task
def maintain_record_access_partitions() -> None:
    """Create the access log's coming monthly partitions and drop those past retention."""
    partitions.maintain(now=timezone.now())
