"""What a coordinator does with a flag: acknowledge it (seen, on it) and resolve it (dealt with,
with a note). Every door (the record page, the API, admin) calls these, so the rules hold alike.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import access
from accounts.models import User
from flags.models import Flag, FlagStatus
from flags.selectors import LIVE
from flags.services.alerts import flag_alerts_cancel

NOTE_MAX_LENGTH = 2000  # what a coordinator writes when acknowledging or resolving
RESOLVE_NEEDS_NOTE = gettext_noop(
    "Please add a short note saying how this was resolved, for the rest of the team."
)


def may_handle(user: User, flag: Flag) -> bool:
    """The one rule for acting on a flag from the care pages and the API: a coordinator of the
    flag's patient (administrators act through admin)."""
    return access.is_coordinator(user) and access.can_view_patient(user, flag.patient_id)


def append_note(old: str, new: str) -> str:
    new = new.strip()
    if not new:
        return old
    return f"{old}\n{new}" if old else new


@transaction.atomic
def flag_acknowledge(
    *, flag: Flag, by: User, note: str = "", now: dt.datetime | None = None
) -> Flag:
    """A coordinator has seen an open flag (the caller checked they coordinate its patient)."""
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status != FlagStatus.OPEN:
        raise ValidationError(
            {
                "status": _("This flag is already %(status)s.")
                % {"status": str(locked.get_status_display()).lower()}
            }
        )
    locked.status = FlagStatus.ACKNOWLEDGED
    locked.acknowledged_by = by
    locked.acknowledged_at = now
    locked.note = append_note(locked.note, note)
    locked.save(
        update_fields=["status", "acknowledged_by", "acknowledged_at", "note", "updated_at"]
    )
    flag_alerts_cancel(flag_id=locked.pk, escalations_only=True, now=now)
    return locked


@transaction.atomic
def flag_resolve(*, flag: Flag, by: User, note: str = "", now: dt.datetime | None = None) -> Flag:
    """Close an open or acknowledged flag (the caller checked they coordinate its patient). A
    resolution always says what was done: a blank note is refused."""
    if not note.strip():
        raise ValidationError({"note": _(RESOLVE_NEEDS_NOTE)})
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status not in LIVE:
        raise ValidationError({"status": _("This flag is already resolved.")})
    locked.status = FlagStatus.RESOLVED
    locked.resolved_by = by
    locked.resolved_at = now
    locked.note = append_note(locked.note, note)
    locked.save(update_fields=["status", "resolved_by", "resolved_at", "note", "updated_at"])
    flag_alerts_cancel(flag_id=locked.pk, escalations_only=False, now=now)
    return locked
