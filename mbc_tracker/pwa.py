"""The installable app: the web app manifest, the service worker at the site root, the offline
page and the favicon.

The service worker keeps a versioned cache of the app shell (the offline page, our stylesheets,
scripts and icons) and, of the pages, only the log page and the offline page: every other page
and every API answer holds health data and is never stored. Its version is a hash of our static
files and of its own template, so a deploy that changes either replaces the cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

APP_NAME = "MBC Tracker"
THEME_COLOUR = "#5b2a86"  # --brand in static/css/app.css: the header's colour
BACKGROUND_COLOUR = "#f3f5f8"  # --wash in static/css/app.css: the page behind the cards
SW_TEMPLATE = "pwa/sw.js"
SYNC_TAG = "send-logs"
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def _own_static_files() -> list[str]:
    """Our own static files (not those of installed apps), as paths under STATIC_URL."""
    names: list[str] = []
    for folder in settings.STATICFILES_DIRS:
        root = Path(folder)
        names.extend(
            path.relative_to(root).as_posix()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        )
    return names


@cache
def cache_version() -> str:
    """A hash of our static files and the service worker's template, worked out once per
    process: a deploy that changes either gets a new cache, and the old one is deleted."""
    digest = hashlib.sha256()
    for name in _own_static_files():
        for folder in settings.STATICFILES_DIRS:
            path = Path(folder) / name
            if path.is_file():
                digest.update(name.encode())
                digest.update(path.read_bytes())
    template = get_template(SW_TEMPLATE).template  # type: ignore[attr-defined]
    digest.update(template.source.encode())
    return digest.hexdigest()[:16]


def manifest_data() -> dict[str, object]:
    """In the request's language: a phone installs the app with the words of the page it was
    installed from."""
    language = get_language() or settings.LANGUAGE_CODE
    return {
        "id": "/",
        "name": APP_NAME,
        "short_name": "MBC Tracker",
        "description": _("Log how you feel each day and keep in touch with your care team."),
        "lang": "en-GB" if language == "en" else language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(manifest_data(), indent=2), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: from the site root, so that it may control every page."""
    shell = [reverse("offline"), *(static(name) for name in _own_static_files())]
    context = {
        "version": json.dumps(cache_version()),
        "shell": json.dumps(shell),
        "offline_url": json.dumps(reverse("offline")),
        "cached_pages": json.dumps([reverse("log"), reverse("offline")]),
        "static_prefix": json.dumps(urlsplit(settings.STATIC_URL).path),
        "store_url": json.dumps(static("js/log-store.js")),
        "sync_tag": json.dumps(SYNC_TAG),
        # The worker's own words (in the language of the page that installed it).
        "offline_text": json.dumps(_("You are offline.")),
    }
    response = render(request, SW_TEMPLATE, context, content_type="text/javascript")
    # The browser checks for a new worker on every visit; never a stale one from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the app shows with no network, for any page it has not kept. Stored by the service
    worker for everyone on this phone, so it says nothing about who is signed in."""
    context = {"user": AnonymousUser(), "attention": None, "messages": ()}
    response = render(request, "pwa/offline.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(static("icons/favicon.ico"))
