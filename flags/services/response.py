"""The patient answers urgent advice: what they did about it (CLINICAL.md, "The urgent loop").

The answer and its time are kept on the flag for the nurse; answering again replaces them. An
answer never acknowledges or resolves a flag: only the care team does. django-auditlog keeps
every answer (who, when, old and new value), as for every other change to a flag.
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
from flags.models import Flag, FlagLevel, PatientResponse
from flags.selectors import LIVE

UNKNOWN_RESPONSE = gettext_noop("Please choose one of: %(responses)s.")


@transaction.atomic
def flag_respond(*, flag: Flag, by: User, response: str, now: dt.datetime | None = None) -> Flag:
    """Keep the patient's answer to a live urgent flag (the caller checked it is their own)."""
    if response not in PatientResponse.values:
        raise ValidationError(
            {"response": _(UNKNOWN_RESPONSE) % {"responses": ", ".join(PatientResponse.values)}}
        )
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.patient_id != by.pk and not _answers_for(by, locked.patient_id):
        raise ValidationError({"response": _("Only the patient can answer their own advice.")})
    if locked.level != FlagLevel.URGENT:
        raise ValidationError({"response": _("Only urgent advice asks for an answer.")})
    if locked.status not in LIVE:
        raise ValidationError({"response": _("Your care team has already dealt with this.")})
    locked.patient_response = response
    locked.patient_responded_at = now
    locked.save(update_fields=["patient_response", "patient_responded_at", "updated_at"])
    return locked


def _answers_for(carer: User, patient_id: int) -> bool:
    """A carer may answer for the patient who gave them the right to log on their behalf."""
    profile = access.acting_profile(carer, "log") if access.is_carer(carer) else None
    return profile is not None and profile.pk == patient_id
