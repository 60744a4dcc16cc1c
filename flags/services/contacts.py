"""The care team's call attempts about a flag (CLINICAL.md, "Every call attempt is recorded").

Each attempt keeps who, when, how it ended and an optional note. The first attempt on an open flag
acknowledges it through ``flag_acknowledge`` (the same path as the button), so the escalations are
cancelled at once. A resolved flag takes no more attempts. django-auditlog keeps every row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from flags.models import ContactOutcome, Flag, FlagContact, FlagStatus
from flags.services.handling import NOTE_MAX_LENGTH, flag_acknowledge, may_handle

UNKNOWN_OUTCOME = gettext_noop("Please choose how the call went: %(outcomes)s.")
NOTE_TOO_LONG = gettext_noop("Please keep the note to %(limit)d characters or fewer.")
ALREADY_RESOLVED = gettext_noop(
    "This flag is already resolved: record any further call on a new flag."
)


@transaction.atomic
def flag_contact_record(
    *, flag: Flag, by: User, outcome: str, note: str = "", now: dt.datetime | None = None
) -> FlagContact:
    """Keep one call attempt about ``flag`` by one of its patient's coordinators; the first on
    an open flag acknowledges it (same time, same person), all in one transaction."""
    if not may_handle(by, flag):
        raise PermissionDenied("Only the patient's care coordinators record calls.")
    errors: dict[str, str] = {}
    if outcome not in ContactOutcome.values:
        errors["outcome"] = _(UNKNOWN_OUTCOME) % {"outcomes": ", ".join(ContactOutcome.values)}
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _(NOTE_TOO_LONG) % {"limit": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status == FlagStatus.RESOLVED:
        raise ValidationError({"status": _(ALREADY_RESOLVED)})
    contact = FlagContact.objects.create(flag=locked, by=by, at=now, outcome=outcome, note=note)
    if locked.status == FlagStatus.OPEN:  # the first attempt: someone has acted on it
        flag_acknowledge(flag=locked, by=by, now=now)
    return contact
