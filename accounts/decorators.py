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


def patient_required(view: View) -> View:
    """Signed-in patients with a profile only; the view gets the profile after the request.
    Others go home, where their own page waits."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        profile = _own_profile(request)
        if profile is None:
            messages.info(request, _("The symptom log is for patients. Here is your home page."))
            return redirect("home")
        return view(request, profile, *args, **kwargs)

    return wrapper


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


def patient_or_care_staff_required(view: View) -> View:
    """Patients and care staff (pages both use, such as appointments). Anybody else goes
    home, where their own page waits."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not (access.is_patient(request.user) or access.is_care_staff(request.user)):
            messages.info(request, _("Appointments are for patients and their care teams."))
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper
