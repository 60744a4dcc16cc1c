"""Send-time checks: a last look, just before sending, at whether a message is still wanted.

A higher layer registers a check for a kind of message (the daily log reminder is dropped if the
patient has logged that day, which only the symptoms app knows). The outbox stays ignorant of
what the check reads. Checks are registered in an AppConfig.ready(), explicitly, not by signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import Notification

SendCheck = Callable[["Notification", dt.datetime], bool]

_checks: dict[str, SendCheck] = {}


def register(kind: str, check: SendCheck) -> None:
    """``check(notification, now)`` returns False when the message is no longer needed."""
    _checks[kind] = check


def still_wanted(notification: Notification, *, now: dt.datetime) -> bool:
    check = _checks.get(notification.kind)
    return True if check is None else check(notification, now)
