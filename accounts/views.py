"""Signing in and out (Django's login and logout views with our session lengths and a clean
sign-out), and the two-step sign-in pages for staff: set up an authenticator app, type a code, keep
recovery codes. The rules and the writes are ``accounts.two_step``'s; who must pass the second
step before anything else is ``accounts.middleware.StaffTwoStepMiddleware``'s to enforce."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import access, services, sessions, two_step
from accounts.decorators import care_staff_required
from accounts.forms import EmailLoginForm, TwoStepCodeForm
from accounts.lockout import lockout_response
from lib.i18n import use_language_of

NEW_CODES_KEY = "two_step_new_codes"  # recovery codes waiting to be shown, once


class SignInView(auth_views.LoginView):
    """Email and password; then the session's length by role and "Keep me signed in" (staff go
    on to the second step, asked by ``StaffTwoStepMiddleware`` on their next request)."""

    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailLoginForm) -> HttpResponse:
        response = super().form_valid(form)  # signs in: staff start on the idle clock
        sessions.session_length_choose(
            request=self.request, user=form.get_user(), remember=form.cleaned_data["remember"]
        )
        return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (POST only), and the browser forgets this site's pages and data."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return sessions.clear_this_browser(super().post(request, *args, **kwargs))


def _next_url(request: HttpRequest) -> str:
    """Where to go once the code is right: the page first asked for, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _wrong_code_message(result: two_step.CodeResult) -> str:
    if result.wait_seconds:
        seconds = result.wait_seconds
        return (
            f"Please wait {seconds} second{'s' if seconds != 1 else ''} before trying again, "
            "then type the newest code from your app."
        )
    return "That code did not work. Type the newest code from your app, or a recovery code."


@login_required
@require_http_methods(["GET", "POST"])
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if not access.is_care_staff(user) or not two_step.needs_second_step(user):
        return redirect(next_url)
    if two_step.authenticator_for(user) is None:
        return redirect(_with_next("two_step_setup", next_url))
    form = TwoStepCodeForm(
        request.POST or None,
        label="6-digit code",
        help_text="Open your authenticator app and type the code it shows for MBC Tracker. "
        "No phone? Type one of your recovery codes instead.",
    )
    if request.method == "POST" and form.is_valid():
        result = two_step.code_check(request=request, user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            two_step.second_step_passed(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = two_step.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Each works once. Make new ones "
                    "in Settings if you are running low.",
                )
            return redirect(next_url)
        if result.locked_out:
            logout(request)  # the password has to be typed again after the wait
            return lockout_response(request)
        form.add_error("code", _wrong_code_message(result))
    return render(request, "accounts/two_step_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def two_step_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then prove it with a
    code. Until then the app does not count and no other staff page opens."""
    user = request.user
    next_url = _next_url(request)
    if not access.is_care_staff(user):
        return redirect("home")
    if two_step.authenticator_for(user) is not None:
        # Replacing an app goes through an administrator's reset, never through this page.
        if two_step.needs_second_step(user):
            return redirect(_with_next("two_step_verify", next_url))
        return redirect("two_step")
    device = two_step.authenticator_start(user=user)
    form = TwoStepCodeForm(
        request.POST or None,
        label="6-digit code from the app",
        help_text="After adding MBC Tracker to the app, type the code it shows.",
    )
    if request.method == "POST" and form.is_valid():
        result, codes = two_step.authenticator_confirm(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if result.ok:
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next("two_step_codes", next_url))
        form.add_error(
            "code",
            _wrong_code_message(result)
            if result.wait_seconds
            else "That code did not match. Check the app shows MBC Tracker and type the newest "
            "code (it changes every 30 seconds).",
        )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": two_step.qr_code_svg(device),
        "secret_groups": two_step.secret_groups(device),
    }
    return render(request, "accounts/two_step_setup.html", context)


@care_staff_required
def two_step_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown this once (they are not shown again: new ones can be made)."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(request, "Recovery codes are shown only once. You can make new ones here.")
        return redirect("two_step")
    context = {"codes": [two_step.show_code(code) for code in codes], "next": _next_url(request)}
    response = render(request, "accounts/two_step_codes.html", context)
    response["Cache-Control"] = "no-store"  # never kept by the browser or a proxy
    return response


@care_staff_required
@require_http_methods(["GET", "POST"])
def two_step_manage(request: HttpRequest) -> HttpResponse:
    """Staff settings for two-step sign-in: what is set up, and new recovery codes."""
    user = request.user
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = two_step.recovery_codes_renew(user=user)
        return redirect("two_step_codes")
    device = two_step.authenticator_for(user)
    context = {"device": device, "codes_left": two_step.recovery_codes_left(user)}
    return render(request, "accounts/two_step_manage.html", context)


@login_required
@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language picker on the settings page (every role): a language the site offers, or
    blank to follow the browser. The API's PATCH /me changes it through the same service."""
    try:
        services.language_set(user=request.user, language=request.POST.get("language", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        # Say so in the language just chosen (or the browser's, when that is the choice).
        translation.activate(translation.get_language_from_request(request))
        use_language_of(request, request.user)
        messages.success(request, _("Your language is saved."))
    return redirect(reverse("settings") + "#language")
