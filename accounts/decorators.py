"""The role guards for pages, in one place (the API's are ``accounts.api.permissions``).

Each checks the role before anything about a patient is looked up, so a guard never reveals
whether an object exists; which patients a person may see is ``accounts.access``'s to decide.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import PatientProfile

View = Callable[..., HttpResponse]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def patient_required(
    view: View | None = None,
    *,
    right: str | tuple[str, ...] | None = None,
    write: str | None = None,
) -> View | Callable[[View], View]:
    """Signed-in patients with a profile, and their carers as far as their rights go; the view
    gets the patient's profile after the request (for a carer, the patient they help: views
    read and write ``profile.user``, never ``request.user``, as the patient).

    ``right`` is what a carer needs to use the page (one of ``access.CARER_RIGHTS``, or several,
    any of which will do); ``write``, if given, what they need to send it (POST). Without
    ``right`` the page is the patient's alone. Anyone else, a carer without the right, or one
    whose link has ended, goes home with a calm word, before any object is looked up.

    Use bare (``@patient_required``) or with rights (``@patient_required(right="log")``)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            profile = _acting_profile(request, right=right, write=write)
            if profile is None:
                messages.info(request, _refusal(request))
                return redirect("home")
            return view(request, profile, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def _acting_profile(
    request: HttpRequest, *, right: str | tuple[str, ...] | None, write: str | None
) -> PatientProfile | None:
    user = request.user
    if access.is_patient(user):
        return _own_profile(request)
    if not access.is_carer(user):
        return None
    needed = write if write is not None and request.method not in SAFE_METHODS else right
    if needed is None:
        return None  # the patient's alone: a carer never gets it
    return access.acting_profile(user, needed)


def _refusal(request: HttpRequest) -> str:
    if access.is_carer(request.user):
        return _("This page is not part of the help you give. Here is your home page.")
    return _("The symptom log is for patients. Here is your home page.")


def _own_profile(request: HttpRequest) -> PatientProfile | None:
    user = request.user
    if not access.is_patient(user):
        return None
    try:
        return user.patient_profile  # cached on the user for the selectors that follow
    except PatientProfile.DoesNotExist:
        return None


def care_staff_required(view: View) -> View:
    """Coordinators and administrators. Anybody else logged in gets 403 (the page is not for
    their role).

    Times on these pages are the care team's (coordinators have no zone of their own: the
    service's DEFAULT_PATIENT_TIMEZONE, as for their digests), with the zone's abbreviation;
    a patient's appointments are shown in the patient's own time and say so."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not access.is_care_staff(request.user):
            raise PermissionDenied(_("These pages are for care teams."))
        with timezone.override(settings.DEFAULT_PATIENT_TIMEZONE):
            return view(request, *args, **kwargs)

    return wrapper


def patient_or_care_staff_required(
    view: View | None = None, *, carer_right: str | None = None
) -> View | Callable[[View], View]:
    """Patients and care staff (pages both use, such as appointments); with ``carer_right``, a
    carer who has that right too, but only to look (GET): what they may change is the
    patient's to decide. Anybody else goes home, where their own page waits."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            user = request.user
            if access.is_carer(user):
                if (
                    carer_right is None
                    or request.method not in SAFE_METHODS
                    or access.acting_profile(user, carer_right) is None
                ):
                    messages.info(request, _refusal(request))
                    return redirect("home")
            elif not (access.is_patient(user) or access.is_care_staff(user)):
                messages.info(request, _("Appointments are for patients and their care teams."))
                return redirect("home")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
