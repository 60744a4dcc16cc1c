"""Writes for the outbox: planning messages and sending due ones exactly once.

Sending follows a claim / send / confirm cycle. A dispatcher claims due rows with a conditional
UPDATE that also sets a lease (``claimed_until``) and a fresh ``claim_token``, sends each, and
marks it sent with an UPDATE conditioned on that token. Two dispatchers never claim one row; a
dispatcher that dies after claiming leaves a lease that expires, after which the row is claimed
again. A failed send is retried with exponential backoff, then marked failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import checks
from notifications.models import Channel, Notification, Status

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(minutes=2)  # 2, 4, 8, 16 minutes between tries


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to plan. ``key`` names it for good: planning it again changes nothing."""

    key: str
    kind: str
    recipient_id: int
    due_at: dt.datetime
    title: str
    body: str = ""
    link: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    channels: tuple[str, ...] = (Channel.IN_APP, Channel.EMAIL)


def _rows(planned: Iterable[Planned]) -> list[Notification]:
    return [
        Notification(
            recipient_id=item.recipient_id,
            kind=item.kind,
            channel=channel,
            key=item.key,
            title=item.title,
            body=item.body,
            link=item.link,
            subject_type=item.subject_type,
            subject_id=item.subject_id,
            due_at=item.due_at,
        )
        for item in planned
        for channel in item.channels
    ]


def notifications_plan(*, planned: Iterable[Planned], batch_size: int = 2000) -> int:
    """Create the rows that do not exist yet (by key and channel). Returns how many are new."""
    rows = _rows(planned)
    if not rows:
        return 0
    before = Notification.objects.filter(key__in={row.key for row in rows}).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=batch_size)
    return Notification.objects.filter(key__in={row.key for row in rows}).count() - before


@transaction.atomic
def notifications_replace_for_subject(
    *, subject_type: str, subject_id: int, planned: Iterable[Planned]
) -> None:
    """Make the subject's pending messages exactly ``planned``: cancel pending ones whose key is
    no longer wanted (a rescheduled or cancelled appointment) and add the missing ones. Messages
    already sent are history and stay as they are."""
    planned = list(planned)
    keys = {item.key for item in planned}
    Notification.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=Status.PLANNED
    ).exclude(key__in=keys).update(status=Status.CANCELLED, updated_at=timezone.now())
    # A key cancelled earlier and wanted again (rescheduled back) is planned again.
    Notification.objects.filter(key__in=keys, status=Status.CANCELLED).update(
        status=Status.PLANNED, updated_at=timezone.now()
    )
    notifications_plan(planned=planned)


def notifications_cancel_for_subject(*, subject_type: str, subject_id: int) -> int:
    return Notification.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=Status.PLANNED
    ).update(status=Status.CANCELLED, updated_at=timezone.now())


def notification_mark_read(*, notification: Notification, now: dt.datetime | None = None) -> None:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# --- Dispatch ----------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    lost_claims: int = 0
    ids: list[int] = field(default_factory=list)


def claim_due(*, now: dt.datetime, limit: int, lease: dt.timedelta = LEASE) -> list[Notification]:
    """Claim up to ``limit`` due rows for this dispatcher: planned ones, and claimed ones whose
    lease ran out (their dispatcher died). Rows locked by another dispatcher are skipped."""
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .filter(Q(status=Status.PLANNED) | Q(status=Status.CLAIMED, claimed_until__lt=now))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(
            status=Status.CLAIMED,
            claim_token=token,
            claimed_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return list(
        Notification.objects.filter(pk__in=ids, claim_token=token)
        .select_related("recipient")
        .order_by("due_at", "pk")
    )


def _confirm(notification: Notification, now: dt.datetime, **changes: object) -> bool:
    """Finish a claimed row, but only if this dispatcher still holds the claim."""
    updated = Notification.objects.filter(
        pk=notification.pk, status=Status.CLAIMED, claim_token=notification.claim_token
    ).update(claim_token=None, claimed_until=None, updated_at=now, **changes)
    return updated == 1


def _send_email(notification: Notification) -> None:
    link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    body = (
        f"{notification.body}\n\nOpen MBC Tracker to see the details: {link}\n\n"
        "You get these messages because you use MBC Tracker. You can change reminder times "
        "in your settings."
    )
    EmailMessage(
        subject=notification.title, body=body.strip(), to=[notification.recipient.email]
    ).send(fail_silently=False)


def deliver(notification: Notification, *, now: dt.datetime) -> str:
    """Send one claimed row. Returns "sent", "skipped", "retried", "failed" or "lost"."""
    if not notification.recipient.is_active or not checks.still_wanted(notification, now=now):
        return "skipped" if _confirm(notification, now, status=Status.SKIPPED) else "lost"
    try:
        if notification.channel == Channel.EMAIL:
            _send_email(notification)
        # In-app messages need no sending: marking them sent makes them visible.
    except Exception as error:
        logger.warning("Sending notification %s failed: %s", notification.pk, error)
        if notification.attempts >= MAX_ATTEMPTS:
            status = (
                "failed"
                if _confirm(notification, now, status=Status.FAILED, last_error=str(error)[:2000])
                else "lost"
            )
            return status
        retry_at = now + BACKOFF_BASE * (2 ** (notification.attempts - 1))
        confirmed = _confirm(
            notification,
            now,
            status=Status.PLANNED,
            due_at=retry_at,
            last_error=str(error)[:2000],
        )
        return "retried" if confirmed else "lost"
    return "sent" if _confirm(notification, now, status=Status.SENT, sent_at=now) else "lost"


def dispatch_due(*, now: dt.datetime | None = None, limit: int = 500) -> DispatchResult:
    """Send what is due now. Safe to run in several processes at once."""
    now = now or timezone.now()
    result = DispatchResult()
    for notification in claim_due(now=now, limit=limit):
        outcome = deliver(notification, now=now)
        if outcome == "sent":
            result.sent += 1
            result.ids.append(notification.pk)
        elif outcome == "skipped":
            result.skipped += 1
        elif outcome == "retried":
            result.retried += 1
        elif outcome == "failed":
            result.failed += 1
        else:
            result.lost_claims += 1
    return result
