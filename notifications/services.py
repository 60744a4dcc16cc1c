"""Writes for the outbox: planning messages and sending due ones exactly once.

Sending follows a claim / send / confirm cycle. A dispatcher claims due rows with a conditional
UPDATE that also sets a lease (``claimed_until``) and a fresh ``claim_token``, sends each, and
marks it sent with an UPDATE conditioned on that token. Two dispatchers never claim one row; a
dispatcher that dies after claiming leaves a lease that expires, after which the row is claimed
again. A failed send is retried with exponential backoff, then marked failed.

A dispatcher only starts a send while it is well inside its lease (``SEND_BUDGET``, half the
lease): rows it has not reached by then go back to "planned" for the next run. So a slow batch
never sends a row whose lease has run out and that another dispatcher may have claimed.

A push row goes to each of the recipient's devices; the devices reached are recorded
(``PushDelivery``) in the transaction that confirms the row, so a retry after a partial failure
skips the devices already reached. A 404 or 410 from the push service removes that device; a
push row with no device left is skipped. A push service is called only here, never in a
request.

The one gap no outbox can close: an email handed to the mail server, then the process dies before
the confirming UPDATE. The lease expires and the message goes out again (at least once, never
lost). Everything short of that is exactly once. The copy sent again carries the same
``Message-ID`` (one per outbox row), so mail clients and servers that drop a message they already
hold show it once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.i18n import in_language_of
from notifications import checks
from notifications.models import (
    EMAIL_REQUIRED_KINDS,
    PATIENT_CHOICE_KINDS,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
    PushDelivery,
    PushSubscription,
    Status,
)
from notifications.push import Pusher, PushGone, payload

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
SEND_BUDGET = LEASE / 2  # no send starts later than this after the claim
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


_ROUTE_CHUNK = 5000  # recipients per query: well under PostgreSQL's limit on parameters


def route(planned: Iterable[Planned]) -> list[Planned]:
    """The one place where people's channel choices shape what is planned: a message that would
    leave the app (it has an email row) gets a push row for a recipient who has a phone signed up
    and push on for its kind, and loses its email row if they turned email off for that kind
    (never for safety alerts). The in-app row always stays, as the record. Two queries per
    5,000 recipients, whatever the number of messages."""
    items = list(planned)
    choosable = [
        item
        for item in items
        if item.kind in PATIENT_CHOICE_KINDS and Channel.EMAIL in item.channels
    ]
    if not choosable:
        return items
    recipients = sorted({item.recipient_id for item in choosable})
    choices: dict[tuple[int, str], tuple[bool, bool]] = {}
    with_phone: set[int] = set()
    for start in range(0, len(recipients), _ROUTE_CHUNK):
        chunk = recipients[start : start + _ROUTE_CHUNK]
        for user_id, kind, email, push in NotificationPreference.objects.filter(
            user_id__in=chunk
        ).values_list("user_id", "kind", "email", "push"):
            choices[(user_id, kind)] = (email, push)
        if settings.WEBPUSH_ENABLED:
            with_phone.update(
                PushSubscription.objects.live()
                .filter(user_id__in=chunk)
                .values_list("user_id", flat=True)
                .distinct()
            )
    routed = []
    for item in items:
        if item.kind not in PATIENT_CHOICE_KINDS or Channel.EMAIL not in item.channels:
            routed.append(item)
            continue
        email, push = choices.get((item.recipient_id, item.kind), (True, True))
        channels = [
            channel
            for channel in item.channels
            if channel != Channel.EMAIL or email or item.kind in EMAIL_REQUIRED_KINDS
        ]
        if push and item.recipient_id in with_phone and Channel.PUSH not in channels:
            channels.append(Channel.PUSH)
        routed.append(
            item if tuple(channels) == item.channels else replace(item, channels=tuple(channels))
        )
    return routed


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


def pending_filter(now: dt.datetime) -> Q:
    """Not sent yet and nobody is sending it: planned, or claimed by a dispatcher that died."""
    return Q(status=Status.PLANNED) | Q(status=Status.CLAIMED, claimed_until__lt=now)


def notifications_plan(*, planned: Iterable[Planned], batch_size: int = 2000) -> int:
    """Create the rows that do not exist yet (by key and channel). Returns how many are new.

    Works in chunks of ``batch_size`` rows, so planning a whole night's reminders never builds
    one enormous ``IN`` list. Channels follow the recipients' choices (``route``)."""
    rows = _rows(route(planned))
    created = 0
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        keys = {row.key for row in chunk}
        before = Notification.objects.filter(key__in=keys).count()
        Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        created += Notification.objects.filter(key__in=keys).count() - before
    return created


def notifications_cancel_pending(
    *,
    keys: Collection[str] = (),
    subject_type: str = "",
    subject_id: int | None = None,
    key_prefix: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Cancel messages that are no longer wanted, as soon as they stop being wanted (not only at
    send time), so nobody is shown a message as coming that will never come: those with one of
    ``keys``, or those about a subject (and, with ``key_prefix``, only keys starting with it).
    Only rows not sent yet are touched; a row a dispatcher is sending this minute is left to it
    (the send-time check still has the last word). The rows stay, marked cancelled, for the
    admin. Returns how many were cancelled."""
    now = now or timezone.now()
    if len(keys) == 1 and not subject_type and not key_prefix and connection.vendor == "postgresql":
        return _cancel_one_key(next(iter(keys)), now)  # every log save: see _cancel_one_key
    if subject_type and subject_id is not None:
        rows = Notification.objects.filter(subject_type=subject_type, subject_id=subject_id)
        if key_prefix:
            rows = rows.filter(key__startswith=key_prefix)
        if keys:
            rows = rows.filter(key__in=list(keys))
    elif keys and not (subject_type or key_prefix):
        rows = Notification.objects.filter(key__in=list(keys))
    else:
        raise ValueError("Name the messages to cancel: keys, or a subject type and id.")
    return rows.filter(pending_filter(now)).update(**_cancelled(now))


def _cancelled(now: dt.datetime) -> dict[str, object]:
    return {
        "status": Status.CANCELLED,
        "claim_token": None,
        "claimed_until": None,
        "updated_at": now,
    }


def _cancel_one_key_rows(key: str, now: dt.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(key__in=[key]).filter(pending_filter(now))


# Every log save cancels its day's reminder by key, and building and compiling that UPDATE cost
# more than running it. So on PostgreSQL each process compiles it once with stand-in values and
# binds the real ones after (as flags.facts does); the two functions above stay its definition.
_STANDIN_KEY = "\x00stand-in"  # keys are printable: no row has this one
_STANDIN_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=dt.UTC)
_compiled_cancel: list[tuple[str, tuple[object, ...]]] = []


def _cancel_one_key(key: str, now: dt.datetime) -> int:
    if not _compiled_cancel:
        query = _cancel_one_key_rows(_STANDIN_KEY, _STANDIN_NOW).query.chain(UpdateQuery)
        query.add_update_values(_cancelled(_STANDIN_NOW))
        compiler = query.get_compiler(connection.alias)
        compiler.pre_sql_setup()
        sql, params = compiler.as_sql()
        if list(params).count(_STANDIN_KEY) != 1 or _STANDIN_NOW not in params:
            raise RuntimeError("The reminder cancel no longer takes its values as expected.")
        _compiled_cancel.append((sql, tuple(params)))
    sql, params = _compiled_cancel[0]
    bound = [
        key if value == _STANDIN_KEY else now if value == _STANDIN_NOW else value
        for value in params
    ]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, bound)
        return cursor.rowcount


def notifications_cancel_for_subject(
    *, subject_type: str, subject_id: int, now: dt.datetime | None = None
) -> int:
    """Cancel every message about the subject that is not sent yet. Returns how many."""
    return notifications_cancel_pending(subject_type=subject_type, subject_id=subject_id, now=now)


def notification_mark_read(*, notification: Notification, now: dt.datetime | None = None) -> None:
    """Mark one message read (once: the first reading time stays). The caller has checked that
    the message is the user's own."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notifications_mark_all_read(*, recipient_id: int, now: dt.datetime | None = None) -> int:
    """Mark every message sent to the recipient read. Returns how many were unread."""
    return Notification.objects.filter(
        recipient_id=recipient_id, status=Status.SENT, read_at__isnull=True
    ).update(read_at=now or timezone.now())


RETRYABLE = (Status.FAILED, Status.PLANNED)


def notifications_retry(*, ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Send these messages again at the next dispatch (admin's "Retry now"): failed ones, and
    planned ones waiting out a backoff. They start a fresh series of attempts. Sent, cancelled,
    skipped and in-flight messages are left alone. Returns how many were rescheduled."""
    now = now or timezone.now()
    return Notification.objects.filter(pk__in=list(ids), status__in=RETRYABLE).update(
        status=Status.PLANNED,
        due_at=now,
        attempts=0,
        last_error="",
        claim_token=None,
        claimed_until=None,
        updated_at=now,
    )


# --- Dispatch ----------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    lost_claims: int = 0
    released: int = 0  # claimed but not started within the send budget: planned again
    ids: list[int] = field(default_factory=list)


def claim_due(*, now: dt.datetime, limit: int, lease: dt.timedelta = LEASE) -> list[Notification]:
    """Claim up to ``limit`` due rows for this dispatcher: planned ones, and claimed ones whose
    lease ran out (their dispatcher died). Rows locked by another dispatcher are skipped.

    A row whose lease ran out after its last allowed attempt is marked failed rather than
    claimed again: a message that kills its sender every time must not loop for ever."""
    token = uuid.uuid4()
    with transaction.atomic():
        Notification.objects.filter(
            status=Status.CLAIMED, claimed_until__lt=now, attempts__gte=MAX_ATTEMPTS
        ).update(
            status=Status.FAILED,
            claim_token=None,
            claimed_until=None,
            last_error="The sender stopped before confirming, on every attempt.",
            updated_at=now,
        )
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .filter(pending_filter(now))
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


def _release(notifications: list[Notification], now: dt.datetime) -> int:
    """Give back claimed rows this dispatcher will not send: planned again, attempt not counted."""
    if not notifications:
        return 0
    return Notification.objects.filter(
        pk__in=[notification.pk for notification in notifications],
        status=Status.CLAIMED,
        claim_token=notifications[0].claim_token,
    ).update(
        status=Status.PLANNED,
        claim_token=None,
        claimed_until=None,
        attempts=F("attempts") - 1,
        updated_at=now,
    )


class Mailer:
    """One email connection for a whole batch (an SMTP server is logged in to once, not once per
    message), opened at the first email and opened afresh after an error."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self._connection is None:
                self._connection = get_connection()
                self._connection.open()
            message.connection = self._connection
            message.send(fail_silently=False)
        except Exception:
            self.close()  # the connection may be broken: the next email opens a new one
            raise

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._connection.close()
            self._connection = None


_MESSAGE_ID_DOMAIN = urlsplit(settings.SITE_URL).hostname or "localhost"


def _email(notification: Notification) -> EmailMessage:
    link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    # The title and body were written in the recipient's language when planned; the words
    # added here are too.
    with in_language_of(notification.recipient):
        footer = _("Open MBC Tracker to see the details: %(link)s") % {"link": link}
        why = _(
            "You get these messages because you use MBC Tracker. You can change reminder times "
            "in your settings."
        )
    body = f"{notification.body}\n\n{footer}\n\n{why}"
    return EmailMessage(
        subject=" ".join(notification.title.split()),  # a header: never a line break in it
        body=body.strip(),
        to=[notification.recipient.email],
        # One id per outbox row, the same on every attempt: a copy sent again after a lost
        # confirmation is recognisably the same message.
        headers={"Message-ID": f"<notification-{notification.pk}@{_MESSAGE_ID_DOMAIN}>"},
    )


NO_DEVICE = "No phone is signed up for notifications any more."
PUSH_OFF = "Web Push is not configured on this server."


def _push(notification: Notification, *, now: dt.datetime, pusher: Pusher) -> str:
    """Send a push row to each of the recipient's devices it has not reached yet, then record,
    in one transaction with the row's outcome, which devices it reached: a retry after a
    failure skips them. Returns the outcome, like ``deliver``."""
    if not settings.WEBPUSH_ENABLED:
        return (
            "skipped"
            if _confirm(notification, now, status=Status.SKIPPED, last_error=PUSH_OFF)
            else "lost"
        )
    todo, reached = pusher.devices(notification)
    data = payload(notification)
    urgent = notification.kind == Kind.FLAG_ALERT
    newly: list[int] = []
    gone: set[int] = set()
    failure: Exception | None = None
    for device in todo:
        try:
            pusher.send(device, data, urgent=urgent)
        except PushGone:
            gone.add(device.pk)
        except Exception as error:  # the other devices still get theirs now
            failure = failure or error
        else:
            newly.append(device.pk)
    with transaction.atomic():
        if gone:
            PushSubscription.objects.filter(pk__in=gone).delete()
            pusher.forget(notification.recipient_id, gone)
        if newly:
            PushDelivery.objects.bulk_create(
                [
                    PushDelivery(notification=notification, device_id=pk, sent_at=now)
                    for pk in newly
                ],
                ignore_conflicts=True,
            )
            pusher.reached(notification, newly)
        if failure is not None:
            return _retry_or_fail(notification, now, failure)
        if not (reached or newly):
            skipped = _confirm(notification, now, status=Status.SKIPPED, last_error=NO_DEVICE)
            return "skipped" if skipped else "lost"
        return "sent" if _confirm(notification, now, status=Status.SENT, sent_at=now) else "lost"


def _retry_or_fail(notification: Notification, now: dt.datetime, error: Exception) -> str:
    """A send failed: try again later with exponential backoff, or give up after the last
    allowed attempt."""
    error_text = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= MAX_ATTEMPTS:
        logger.error("Notification %s failed for good: %s", notification.pk, error_text)
        failed = _confirm(notification, now, status=Status.FAILED, last_error=error_text)
        return "failed" if failed else "lost"
    logger.warning("Sending notification %s failed: %s", notification.pk, error_text)
    retry_at = now + BACKOFF_BASE * (2 ** (notification.attempts - 1))
    confirmed = _confirm(
        notification, now, status=Status.PLANNED, due_at=retry_at, last_error=error_text
    )
    return "retried" if confirmed else "lost"


def deliver(
    notification: Notification,
    *,
    now: dt.datetime,
    mailer: Mailer | None = None,
    pusher: Pusher | None = None,
) -> str:
    """Send one claimed row. Returns "sent", "skipped", "retried", "failed" or "lost".
    ``mailer`` and ``pusher`` share one email connection and one HTTP session across a batch;
    without them, they are opened here."""
    if mailer is None or pusher is None:
        mailer, pusher = mailer or Mailer(), pusher or Pusher()
        try:
            return deliver(notification, now=now, mailer=mailer, pusher=pusher)
        finally:
            mailer.close()
            pusher.record_successes(now)
            pusher.close()
    try:
        wanted = notification.recipient.is_active and checks.still_wanted(notification, now=now)
        if not wanted:
            return "skipped" if _confirm(notification, now, status=Status.SKIPPED) else "lost"
        if notification.channel == Channel.EMAIL:
            mailer.send(_email(notification))
        elif notification.channel == Channel.PUSH:
            return _push(notification, now=now, pusher=pusher)
        # In-app messages need no sending: marking them sent makes them visible.
    except Exception as error:  # a send-time check or the mail server failed: try again later
        return _retry_or_fail(notification, now, error)
    return "sent" if _confirm(notification, now, status=Status.SENT, sent_at=now) else "lost"


def dispatch_due(
    *, now: dt.datetime | None = None, limit: int = 500, budget: dt.timedelta | None = None
) -> DispatchResult:
    """Claim and send up to ``limit`` messages that are due. Safe to run in several processes at
    once. No send starts later than ``budget`` (at most ``SEND_BUDGET``) after the claim; rows not
    reached by then are released for the next run."""
    now = now or timezone.now()
    allowed = (min(budget, SEND_BUDGET) if budget is not None else SEND_BUDGET).total_seconds()
    started = time.monotonic()
    claimed = claim_due(now=now, limit=limit)
    result = DispatchResult(claimed=len(claimed))
    mailer, pusher = Mailer(), Pusher()
    pusher.prepare(claimed)
    with contextlib.closing(mailer), contextlib.closing(pusher):
        for index, notification in enumerate(claimed):
            if time.monotonic() - started > allowed:
                result.released = _release(claimed[index:], now)
                logger.warning(
                    "Dispatch ran out of time: %s claimed messages go back to the queue",
                    result.released,
                )
                break
            outcome = deliver(notification, now=now, mailer=mailer, pusher=pusher)
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
        pusher.record_successes(now)
    return result
