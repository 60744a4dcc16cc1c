"""Two-step sign-in for staff: a code from an authenticator app (TOTP), or a recovery code.

Coordinators and administrators sign in with their email and password, then with a code; a
patient is never asked. ``needs_second_step`` is the rule; ``StaffTwoStepMiddleware`` applies it to
every request (pages, the API through the session, admin). Devices are django-otp's: one confirmed
``TOTPDevice`` (the app) and one ``StaticDevice`` (ten single-use recovery codes) per person.

A wrong code makes the device wait before the next try (1 s, 2 s, 4 s…, kept in the database) and
counts as a failed sign-in for the lockout (django-axes), exactly like a wrong password.
"""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from auditlog.models import LogEntry
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access
from accounts.models import User

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# What people may type around a code: spaces and dashes (the codes are shown in groups).
_SEPARATORS = re.compile(r"[\s-]+")
_APP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


def needs_second_step(user: User | AnonymousUser) -> bool:
    """A signed-in coordinator or administrator whose session has not passed the second step.

    ``is_verified`` is put on the session's user by django-otp's middleware; a user object
    without it (never through a request) counts as not verified."""
    if not access.is_care_staff(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def authenticator_for(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Setting up an authenticator -------------------------------------------------------------


@transaction.atomic
def authenticator_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until it is confirmed, so
    that an app which scanned the code before a reload still matches."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_groups(device: TOTPDevice) -> list[str]:
    """The secret as an app asks for it when typed (base32), in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The set-up link as a QR code, as inline SVG (no image request, no inline style: the
    Content-Security-Policy stays strict). Dark on white, with the quiet zone apps need."""
    title = _("QR code to scan")
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", svgclass="qr-code", title=title
    )
    # The markup is segno's own (a path of squares), built from our secret, not from input; the
    # label is ours, escaped.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1))  # noqa: S308


@dataclass(frozen=True)
class CodeResult:
    """What became of a code: the device that accepted it, or why not."""

    device: Device | None = None
    wait_seconds: int = 0  # tried again too soon after a wrong code
    locked_out: bool = False  # too many failed sign-ins: the session has to end

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def authenticator_confirm(
    *, request: HttpRequest, device: TOTPDevice, code: str
) -> tuple[CodeResult, list[str]]:
    """Turn the app on once it shows a right code: the device counts from now on, the session
    has passed the second step, and the person gets fresh recovery codes (returned, to be shown
    once). A wrong code here only makes the next try wait: nobody can sign in with it."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    waiting = _wait_seconds(device)
    if waiting:
        return CodeResult(wait_seconds=waiting), []
    if not _APP_CODE.fullmatch(_clean(code)) or not device.verify_token(_clean(code)):
        return CodeResult(), []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Leftovers of earlier attempts, and any older app, stop counting.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(device.user)
    _audit(device.user, "set up", actor=device.user)
    second_step_passed(request, device)
    return CodeResult(device=device), codes


# --- Signing in ------------------------------------------------------------------------------


def code_check(*, request: HttpRequest, user: User, code: str) -> CodeResult:
    """Check a code typed at sign-in: six digits from the app, or a recovery code (used up).

    A wrong code counts as a failed sign-in for the lockout; once locked out, the caller ends
    the session. A page then calls ``second_step_passed``; the token endpoint issues a token."""
    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return CodeResult(locked_out=True)
    code = _clean(code)
    if _APP_CODE.fullmatch(code):
        device: Device | None = authenticator_for(user)
    elif _RECOVERY_CODE.fullmatch(code):
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = None
    if device is not None:
        waiting = _wait_seconds(device)
        if waiting:
            return CodeResult(wait_seconds=waiting)
        # django-otp's verification locks the device row, so one code is accepted only once.
        accepted = verify_token(user, device.persistent_id, code)
        if accepted is not None:
            return CodeResult(device=accepted)
    # Counted like a wrong password: django-axes listens to this signal.
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return CodeResult(locked_out=bool(getattr(request, "axes_locked_out", False)))


def second_step_passed(request: HttpRequest, device: Device) -> None:
    """Mark the session as past the second step, under a new session id."""
    request.session.cycle_key()
    otp_login(request, device)


def _wait_seconds(device: Device) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return 0
    until = (details or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))


def _clean(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


# --- Recovery codes and reset ---------------------------------------------------------------


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for someone with an app; the old ones stop working at once."""
    codes = _new_recovery_codes(user)
    _audit(user, "new recovery codes", actor=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()  # 8 characters of base32, lower case
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def show_code(code: str) -> str:
    """A recovery code as people read it: "abcd efgh"."""
    return f"{code[:4]} {code[4:]}"


@transaction.atomic
def two_step_reset(*, user: User, by: User) -> bool:
    """Remove a person's authenticator and recovery codes (a lost phone): at their next request
    they are asked to set up an app again. Audited with who did it. False if there was nothing
    to remove."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        _audit(user, "reset by an administrator", actor=by)
    return bool(removed)


def _audit(user: User, what: str, *, actor: User) -> None:
    """One line in the audit trail of the person (django-auditlog), without any secret."""
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"two-step sign-in": ["", what]},
        actor=actor,
        timestamp=timezone.now(),
    )
