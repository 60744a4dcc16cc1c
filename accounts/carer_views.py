"""Carer pages: the patient's own (from their settings page) and the care team's (from the
patient's record). Plain POST forms, each on its own address, that work without JavaScript.
Thin: forms validate, accounts.carers writes. Another patient's link, or a patient outside the
member of staff's teams, is not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access, carers
from accounts.carer_forms import CarerInviteForm, CarerRightsForm
from accounts.decorators import care_staff_required
from accounts.models import CarerLink, User

View = Callable[..., HttpResponse]


def _patient_only(view: View) -> View:
    """The patient themself; anybody else goes home (a carer never sees these pages)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not access.is_patient(request.user):
            messages.info(request, _("Only the patient can choose who helps them."))
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


def _posted(request: HttpRequest) -> object:
    """The form's data when posted, even if empty (no box ticked is an answer to check)."""
    return request.POST if request.method == "POST" else None


def _add_errors(form: Form, error: ValidationError) -> None:
    """A service's errors onto the form: those of a field on it there, the rest on top."""
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


def _own_link(request: HttpRequest, link_id: int) -> CarerLink:
    """One of this patient's carers who can still help, or 404."""
    link = carers.manageable_link(request.user, link_id, patient=request.user)
    if link is None or not link.is_active:
        raise Http404("No such carer.")
    return link


SETTINGS_SECTION = "carers"  # the settings page's section: where each action returns


def _back_to_settings() -> HttpResponse:
    return redirect(reverse("settings") + "#" + SETTINGS_SECTION)


# --- The patient ---------------------------------------------------------------------------------


@_patient_only
@require_http_methods(["GET", "POST"])
def carer_invite(request: HttpRequest) -> HttpResponse:
    form = CarerInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            link = carers.carer_invite(
                patient=request.user,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                rights=form.rights(),
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("We have emailed %(name)s an invitation. It explains how to sign in.")
                % {"name": link.carer.get_full_name()},
            )
            return _back_to_settings()
    return render(request, "accounts/carers/invite.html", {"form": form, "for_staff": False})


@_patient_only
@require_http_methods(["GET", "POST"])
def carer_rights(request: HttpRequest, link_id: int) -> HttpResponse:
    link = _own_link(request, link_id)
    initial = {field: getattr(link, field) for field in access.CARER_RIGHTS.values()}
    form = CarerRightsForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            carers.carer_rights_update(link=link, rights=form.rights(), by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Saved. %(name)s can now do only what is ticked.")
                % {"name": link.carer.get_full_name()},
            )
            return _back_to_settings()
    return render(request, "accounts/carers/rights.html", {"form": form, "link": link})


@_patient_only
@require_http_methods(["GET", "POST"])
def carer_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    """A confirmation page, then the revocation (effective at once)."""
    link = _own_link(request, link_id)
    if request.method == "POST":
        carers.carer_revoke(link=link, by=request.user)
        messages.success(
            request,
            _("%(name)s can no longer see or do anything for you. They were signed out.")
            % {"name": link.carer.get_full_name()},
        )
        return _back_to_settings()
    return render(
        request,
        "accounts/carers/revoke.html",
        {"link": link, "for_staff": False, "cancel_url": reverse("settings") + "#carers"},
    )


# --- The care team -------------------------------------------------------------------------------


def _record_url(patient: User) -> str:
    return reverse("care:record", args=[patient.pk]) + "#carers"


@care_staff_required
@require_http_methods(["GET", "POST"])
def patient_carer_invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    profile = access.get_profile_or_404(request.user, patient_id)
    patient = profile.user
    form = CarerInviteForm(_posted(request), for_staff=True)
    if request.method == "POST" and form.is_valid():
        try:
            link = carers.carer_invite(
                patient=patient,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                rights=form.rights(),
                by=request.user,
                patients_word=form.cleaned_data["patients_word"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(carer)s is invited to help %(patient)s. We have emailed them.")
                % {"carer": link.carer.get_full_name(), "patient": patient.get_full_name()},
            )
            return redirect(_record_url(patient))
    context = {"form": form, "for_staff": True, "patient": patient}
    return render(request, "accounts/carers/invite.html", context)


@care_staff_required
@require_http_methods(["GET", "POST"])
def patient_carer_revoke(request: HttpRequest, patient_id: int, link_id: int) -> HttpResponse:
    profile = access.get_profile_or_404(request.user, patient_id)
    patient = profile.user
    link = carers.manageable_link(request.user, link_id, patient=patient)
    if link is None or not link.is_active:
        raise Http404("No such carer.")
    if request.method == "POST":
        carers.carer_revoke(link=link, by=request.user)
        messages.success(
            request,
            _("%(carer)s can no longer help %(patient)s. They were signed out.")
            % {"carer": link.carer.get_full_name(), "patient": patient.get_full_name()},
        )
        return redirect(_record_url(patient))
    context = {
        "link": link,
        "for_staff": True,
        "patient": patient,
        "cancel_url": _record_url(patient),
    }
    return render(request, "accounts/carers/revoke.html", context)


# --- Accepting the invitation --------------------------------------------------------------------


class InvitationPasswordView(auth_views.PasswordResetConfirmView):
    """Django's "choose your password" page for reset and invitation links. A carer who has
    chosen theirs is signed in and taken home at once (they came from an invitation to help);
    everyone else carries on as before, to the "password set" page."""

    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        if access.is_carer(self.user):
            self.post_reset_login = True
            self.success_url = reverse("home")
        return super().form_valid(form)
