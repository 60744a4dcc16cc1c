"""How long a web session lasts after signing in through the login page, per role.

- A patient who ticks "Keep me signed in on this phone" stays signed in for
  PATIENT_REMEMBER_DAYS from sign-in: a fixed end (a date, not a sliding age), so a trusted
  phone still asks for the password once a month.
- A patient who does not tick it is signed out when the browser closes, and at the latest after
  SESSION_COOKIE_AGE (12 hours): the safe choice on a shared or borrowed phone.
- A carer (their own login, for the patient who chose them) chooses the same way, on their own
  phone.
- Coordinators and administrators: the box is ignored. Their sessions stay on the idle clock
  (``accounts.middleware.StaffIdleTimeoutMiddleware``, started at sign-in).

Every session, however long, still ends at once when the person signs out everywhere or changes
their password (``accounts.tokens``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts import access
from accounts.models import User

BROWSER_SESSION = 0  # Django's set_expiry(0): the cookie goes when the browser closes
REMEMBERED = "remembered"  # in the session: the patient chose to stay signed in here


def session_length_choose(*, request: HttpRequest, user: User, remember: bool) -> None:
    """Set the session's end right after ``user`` signed in with the login form."""
    if not (access.is_patient(user) or access.is_carer(user)):
        return  # staff keep short sessions whatever they ticked
    if remember:
        # A date rather than a number of seconds: Django would move a number on whenever the
        # session is saved, and the 30 days would never run out on a phone used every day.
        request.session.set_expiry(
            timezone.now() + dt.timedelta(days=settings.PATIENT_REMEMBER_DAYS)
        )
        request.session[REMEMBERED] = True
    else:
        request.session.set_expiry(BROWSER_SESSION)


def remembered_until(request: HttpRequest) -> dt.datetime | None:
    """When this browser's session ends, if the patient chose to stay signed in on it."""
    if not request.session.get(REMEMBERED):
        return None
    return request.session.get_expiry_date()


# Sent with every sign-out: the browser drops its cached pages and everything the site keeps on
# the device (offline copies, saved pages, the service worker), so a shared phone shows nothing
# of the last person. Browsers apply it on https and localhost only.
CLEAR_SITE_DATA = '"cache", "storage"'


def clear_this_browser(response: HttpResponse) -> HttpResponse:
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
