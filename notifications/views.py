"""The notification centre: the signed-in person's own messages, and those still to come.

Works without JavaScript: marking read is a plain POST, then a redirect back. No URL here names
another person; a message id that is not the caller's own is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import PatientProfile, User
from notifications import devices, selectors, services
from notifications.models import Notification

MESSAGES_PER_PAGE = 20
UPCOMING_SHOWN = 20


@dataclass(frozen=True)
class Shown:
    notification: Notification
    href: str  # "" when the message has no safe in-app link
    appointments: int = 0  # a "coming up" line about several appointments says how many

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def in_app_href(link: str) -> str:
    """The link if it is a path inside this site, else "": a message never leads elsewhere."""
    if link.startswith("/") and not link.startswith(("//", "/\\")):
        return link
    return ""


def display_zone(user: User) -> str:
    """Patients see times in their own zone; staff in the clinic's default zone."""
    zone = PatientProfile.objects.filter(user=user).values_list("timezone", flat=True).first()
    return zone or settings.DEFAULT_PATIENT_TIMEZONE


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    paginator = Paginator(
        selectors.notifications_for(user, include_planned=False), MESSAGES_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    zone = display_zone(user)
    upcoming = selectors.upcoming_lines(user, zone=zone)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "received": [Shown(n, in_app_href(n.link)) for n in page.object_list],
            "upcoming": [
                Shown(line.notification, in_app_href(line.link), line.appointments)
                for line in upcoming[:UPCOMING_SHOWN]
            ],
            "more_upcoming": len(upcoming) > UPCOMING_SHOWN,
            "unread_count": selectors.unread_count(user),
            "zone": zone,
        },
    )


def _back_to_list(request: HttpRequest) -> str:
    url = reverse("notification_list")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        selectors.notifications_for(request.user, include_planned=True), pk=pk
    )
    services.notification_mark_read(notification=notification)
    return redirect(_back_to_list(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    if services.notifications_mark_all_read(recipient_id=request.user.pk):
        messages.success(request, _("All your messages are marked as read."))
    return redirect("notification_list")


# --- Settings: "Notifications on this phone" -----------------------------------------------------

SECTION = "phone-notifications"  # the settings page's anchor for this section


@dataclass(frozen=True)
class PushSection:
    """What the settings page shows about notifications on phones and the channel choices."""

    enabled: bool
    public_key: str
    devices: list
    choices: list[selectors.ChannelChoice]


def push_section(user: User) -> PushSection:
    """For the settings page (composed in mbc_tracker.views)."""
    return PushSection(
        enabled=settings.WEBPUSH_ENABLED,
        public_key=settings.WEBPUSH_VAPID_PUBLIC_KEY if settings.WEBPUSH_ENABLED else "",
        devices=list(selectors.push_subscriptions_for(user)),
        choices=selectors.notification_choices_for(user),
    )


def _to_section() -> HttpResponse:
    return redirect(f"{reverse('settings')}#{SECTION}")


@login_required
@require_POST
def push_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop notifications on one of the caller's devices (another person's id is a 404)."""
    if not devices.push_subscription_remove(user=request.user, subscription_id=pk):
        raise Http404("No such device.")
    messages.success(request, _("That device will not get notifications from us any more."))
    return _to_section()


@login_required
@require_POST
def notification_choices_save(request: HttpRequest) -> HttpResponse:
    """Save which channels each kind of message uses (ticked boxes, no JavaScript needed).
    An unticked box is simply absent from the form, so every kind shown is read."""
    kinds = [choice.kind for choice in selectors.notification_choices_for(request.user)]
    choices = {
        kind: (f"email_{kind}" in request.POST, f"push_{kind}" in request.POST) for kind in kinds
    }
    devices.notification_choices_set(user=request.user, choices=choices)
    messages.success(request, _("Your choices are saved."))
    return _to_section()
