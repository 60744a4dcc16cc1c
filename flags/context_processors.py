"""The attention state for every patient page (CLINICAL.md, "The urgent loop": one state, every
surface). Worked out lazily, once per request, only when a page shows it: staff pages, partial
responses and patients' pages without the base layout cost nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import access
from accounts.models import PatientProfile
from flags import urgent
from flags.selectors import Attention, attention_for

SOON_PAGES = frozenset({"home", "log", "log_day"})  # soon flags are shown calmly here only


def _attention(request: HttpRequest) -> Attention:
    cached = getattr(request, "_attention", None)
    if cached is not None:
        return cached
    profile = _whose(request)
    if profile is None:
        return Attention()
    now = timezone.now()
    pending = urgent.pending(request.session, now=now)
    attention, keep = attention_for(profile, pending=pending, now=now)
    urgent.forget(request.session, unchecked=attention.unchecked, keep=keep)
    request._attention = attention  # type: ignore[attr-defined]
    return attention


def _whose(request: HttpRequest) -> PatientProfile | None:
    """The patient whose attention state this page shows: the patient themself, or the patient
    a carer helps, if the carer may see flags and advice or log for them (read afresh: a
    revoked carer sees nothing)."""
    user = request.user
    if access.is_carer(user):
        return access.acting_profile(user, CARER_SEES_ADVICE)
    try:
        return user.patient_profile
    except PatientProfile.DoesNotExist:
        return None


# A carer sees the patient's urgent advice with either right: whoever logs must see it too.
CARER_SEES_ADVICE = ("record", "log")


def attention(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not (access.is_patient(user) or access.is_carer(user)):
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "attention": SimpleLazyObject(lambda: _attention(request)),
        "attention_soon_here": bool(match and match.url_name in SOON_PAGES),
        # The banner's "what I did" buttons: the patient, or a carer who may log for them.
        "attention_can_answer": access.is_patient(user)
        or SimpleLazyObject(lambda: access.acting_profile(user, "log") is not None),
    }
