"""Keeping a set of planned outbox rows in step with what is wanted now.

Reminder planning runs on every change and again each night. Each run says which messages it
wants (``planned``: in the future, with their send time) and which keys still belong to the
current schedule (``keep``: the planned ones and those whose time has passed but may still be
waiting to go out). ``outbox_sync`` then, for the rows in ``scope``:

- cancels pending rows whose key is no longer on the schedule (a rescheduled appointment, a new
  restaging due date, a scan was booked);
- moves a pending, never-tried row to its new send time when the time changed under the same key
  (the patient changed their log reminder time or time zone), or cancels it when the new time has
  already passed (skipped, not sent late);
- rewords a pending, never-tried row whose wording changed under the same key (the person chose
  another language: its words are written in theirs);
- plans again, with a fresh count of attempts, a cancelled row that is wanted again (a booked
  scan was cancelled);
- creates the missing rows (idempotent by key and channel, like ``notifications_plan``).

Rows that were sent, skipped or failed are history and never touched; a row being retried
(``attempts`` > 0) keeps the dispatcher's backoff time; a row a dispatcher holds is left to it.
Every update is conditional on the status it read, so a dispatcher claiming a row at the same
moment wins and nothing is sent twice.

The query count depends on the number of distinct send times that change, not on the number of
rows or patients: usually one read and none or a few writes.

New rows go in through ``notifications_plan`` on any database. On PostgreSQL, where the nightly
pass plans hundreds of thousands of rows, they are copied (COPY) into a temporary table and
inserted from there with ``ON CONFLICT (key, channel) DO NOTHING``: the same rows and the same
idempotence, about five times faster than building model instances (see bench_planning.py), and
the count of new rows comes straight from the INSERT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from notifications import services as outbox
from notifications.models import Notification, Status
from notifications.services import pending_filter


def outbox_sync(
    *,
    scope: QuerySet[Notification],
    keep: Collection[str],
    planned: Sequence[outbox.Planned],
    now: dt.datetime,
) -> int:
    """Make the rows in ``scope`` match ``planned`` (see the module docstring). Every key in
    ``planned`` must be in ``keep``. Returns how many rows were newly planned (created or
    planned again). Channels follow the recipients' choices (``outbox.route``), so a choice
    changed since the last run cancels or adds rows here."""
    planned = outbox.route(planned)
    wanted = {(item.key, channel): item for item in planned for channel in item.channels}
    existing: set[tuple[str, str]] = set()
    stale: list[int] = []
    moves: dict[dt.datetime, list[int]] = defaultdict(list)
    rewords: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    revivals: dict[outbox.Planned, list[int]] = defaultdict(list)
    rows = scope.values_list(
        "pk", "key", "channel", "status", "attempts", "due_at", "claimed_until", "title", "body"
    )
    for pk, key, channel, status, attempts, due_at, claimed_until, title, body in rows:
        existing.add((key, channel))
        item = wanted.get((key, channel))
        if status == Status.CANCELLED:
            if item is not None:
                revivals[item].append(pk)
            continue
        lease_over = status == Status.CLAIMED and claimed_until is not None and claimed_until < now
        if status != Status.PLANNED and not lease_over:
            continue  # sent, skipped or failed (history), or being sent right now
        if key not in keep:
            stale.append(pk)
        elif status != Status.PLANNED or attempts:
            continue  # being retried: the dispatcher's backoff decides when
        elif item is None:
            if due_at > now:
                stale.append(pk)  # its new time has passed: skipped, not sent late
        else:
            if due_at != item.due_at:
                moves[item.due_at].append(pk)
            if (title, body) != (item.title, item.body):
                rewords[(item.title, item.body, item.link)].append(pk)

    if stale:
        Notification.objects.filter(pk__in=stale).filter(pending_filter(now)).update(
            status=Status.CANCELLED, claim_token=None, claimed_until=None, updated_at=now
        )
    for due_at, pks in moves.items():
        Notification.objects.filter(pk__in=pks, status=Status.PLANNED, attempts=0).update(
            due_at=due_at, updated_at=now
        )
    for (title, body, link), pks in rewords.items():
        Notification.objects.filter(pk__in=pks, status=Status.PLANNED, attempts=0).update(
            title=title, body=body, link=link, updated_at=now
        )
    revived = 0
    for item, pks in revivals.items():  # with the wording and time wanted now
        revived += Notification.objects.filter(pk__in=pks, status=Status.CANCELLED).update(
            status=Status.PLANNED,
            kind=item.kind,
            title=item.title,
            body=item.body,
            link=item.link,
            due_at=item.due_at,
            attempts=0,
            last_error="",
            claim_token=None,
            claimed_until=None,
            sent_at=None,
            updated_at=now,
        )
    missing: list[outbox.Planned] = []
    for item in planned:
        channels = tuple(ch for ch in item.channels if (item.key, ch) not in existing)
        if channels:
            missing.append(item if channels == item.channels else _with(item, channels))
    return revived + (_create(missing) if missing else 0)


def _with(item: outbox.Planned, channels: tuple[str, ...]) -> outbox.Planned:
    return dataclasses.replace(item, channels=channels)


# The columns a new row sets (the rest are NULL), and the statements that insert them: constant
# text, no values in it (the values travel through COPY).
_CREATE_INCOMING = """
    CREATE TEMPORARY TABLE IF NOT EXISTS outbox_incoming ON COMMIT DELETE ROWS AS
    SELECT recipient_id, kind, channel, key, title, body, link, subject_type, subject_id, due_at,
           status, attempts, last_error, created_at, updated_at
    FROM notifications_notification WITH NO DATA
"""
_COPY_INCOMING = """
    COPY outbox_incoming (recipient_id, kind, channel, key, title, body, link, subject_type,
                          subject_id, due_at, status, attempts, last_error, created_at, updated_at)
    FROM STDIN
"""
_INSERT_NEW = """
    INSERT INTO notifications_notification (
        recipient_id, kind, channel, key, title, body, link, subject_type, subject_id, due_at,
        status, attempts, last_error, created_at, updated_at
    )
    SELECT recipient_id, kind, channel, key, title, body, link, subject_type, subject_id, due_at,
           status, attempts, last_error, created_at, updated_at
    FROM outbox_incoming
    ON CONFLICT (key, channel) DO NOTHING
"""
_EMPTY_INCOMING = "TRUNCATE outbox_incoming"


def _create(planned: Sequence[outbox.Planned]) -> int:
    """Insert the rows of ``planned`` that do not exist yet (by key and channel); how many."""
    if connection.vendor != "postgresql":
        return outbox.notifications_plan(planned=planned)
    stamp = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CREATE_INCOMING)  # private to this connection; emptied at commit
        with cursor.cursor.copy(_COPY_INCOMING) as copy:
            for item in planned:
                for channel in item.channels:
                    copy.write_row(
                        (
                            item.recipient_id,
                            item.kind,
                            channel,
                            item.key,
                            item.title,
                            item.body,
                            item.link,
                            item.subject_type,
                            item.subject_id,
                            item.due_at,
                            Status.PLANNED.value,
                            0,
                            "",
                            stamp,
                            stamp,
                        )
                    )
        cursor.execute(_INSERT_NEW)
        created = cursor.rowcount
        cursor.execute(_EMPTY_INCOMING)  # the next call in this transaction starts empty
    return created
