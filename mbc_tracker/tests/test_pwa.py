"""The installable app's files: the manifest, the service worker at the site root, the offline
page and the favicon, with the content types, headers and scope browsers need."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from accounts.tests.factories import PASSWORD, CoordinatorFactory, make_patient
from mbc_tracker import pwa

pytestmark = pytest.mark.django_db


def test_the_manifest_is_served_with_its_own_content_type(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "MBC Tracker"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    # The colours of the stylesheet: the header's purple and the page's wash.
    css = finders.find("css/app.css")
    with open(css, encoding="utf-8") as stylesheet:
        text = stylesheet.read()
    assert f"--brand: {manifest['theme_color']};" in text
    assert f"--wash: {manifest['background_color']};" in text


def _static_file(src: str) -> str:
    """The file a /static/ address is served from (WhiteNoise or the live server serve it)."""
    assert src.startswith("/static/"), src
    path = finders.find(src.removeprefix("/static/"))
    assert path, f"{src} is not a static file"
    return path


def _png(src: str) -> Image.Image:
    image = Image.open(_static_file(src))
    assert image.format == "PNG"
    return image


def test_the_manifest_icons_are_pngs_of_the_sizes_they_claim(client: Client) -> None:
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    sizes = set()
    for icon in manifest["icons"]:
        image = _png(icon["src"])
        assert icon["type"] == "image/png"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    # A maskable icon fills its square: no transparent corners for the launcher's mask to show.
    maskable = next(icon for icon in manifest["icons"] if icon["purpose"] == "maskable")
    image = _png(maskable["src"]).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 255


def test_every_page_links_the_manifest_theme_colour_icons_and_the_worker(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'<meta name="theme-color" content="{pwa.THEME_COLOUR}">' in page
    assert 'rel="apple-touch-icon"' in page
    assert 'rel="icon"' in page
    assert 'src="/static/js/pwa.js"' in page
    assert 'data-sw="/sw.js"' in page


def test_the_favicon_is_answered_at_the_root(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert Image.open(_static_file(response["Location"])).format == "ICO"


def test_the_service_worker_is_served_from_the_root_as_javascript(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assert f'var VERSION = "{pwa.cache_version()}";' in script
    # The app shell: the offline page, our stylesheet, scripts and icons.
    shell = json.loads(script.split("var SHELL = ", 1)[1].split(";\n", 1)[0])
    for path in ("/offline/", "/static/css/app.css", "/static/js/log.js", "/static/js/pwa.js"):
        assert path in shell
    assert "/static/icons/icon-192.png" in shell
    # Of the pages, only the log page and the offline page are ever kept.
    kept = json.loads(script.split("var CACHED_PAGES = ", 1)[1].split(";\n", 1)[0])
    assert kept == ["/log/", "/offline/"]
    assert 'indexOf("/api/") === 0) return; // never cached' in script
    for handler in ("install", "activate", "fetch", "sync", "push", "notificationclick"):
        assert f'addEventListener("{handler}"' in script


def test_the_cache_version_follows_the_static_files(settings: Any, tmp_path: Any) -> None:
    before = pwa.cache_version()
    (tmp_path / "extra.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    pwa.cache_version.cache_clear()
    try:
        assert pwa.cache_version() != before
    finally:
        pwa.cache_version.cache_clear()


def test_the_policy_allows_our_own_worker_and_manifest_only(client: Client) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    # By directive, whatever their order in the header.
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"


def test_the_offline_page_gives_both_numbers_and_nothing_personal(
    client: Client, settings: Any
) -> None:
    settings.EMERGENCY_NUMBER = "999"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    patient = make_patient(email="alice@example.org", name="Alice Smith")
    client.force_login(patient)
    response = client.get("/offline/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are offline" in page
    assert "saved on this phone and will be sent when you are online" in page
    assert '<a href="tel:999">999</a>' in page
    assert '<a href="tel:08001234567">0800 123 4567</a>' in page
    # The page is kept for everyone who uses this phone: no name, no menu, no sign-out token.
    assert "Alice" not in page
    assert "csrfmiddlewaretoken" not in page
    assert 'aria-label="Main"' not in page


def test_the_app_files_are_open_to_staff_before_their_second_step(client: Client) -> None:
    """Between password and code, a coordinator's pages still load the manifest and worker."""
    coordinator = CoordinatorFactory()
    response = client.post(
        "/accounts/login/", {"username": coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "/accounts/two-step/" in client.get("/")["Location"]
    for url in ("/manifest.webmanifest", "/sw.js", "/offline/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/favicon.ico")["Location"].startswith("/static/")


def test_the_log_page_carries_what_it_needs_offline(client: Client, settings: Any) -> None:
    settings.EMERGENCY_NUMBER = "999"
    patient = make_patient(email="alice@example.org", sites=["brain"])
    client.force_login(patient)
    response = client.get("/log/")
    page = response.content.decode()
    assert '<script id="offline-data" type="application/json">' in page
    data = json.loads(
        page.split('<script id="offline-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["user"] == patient.pk
    assert data["api"] == "/api/v1/logs/"
    assert data["fever_from"] == 38.0
    assert data["symptoms"]["seizure"] == {
        "name": "Seizure (fit)",
        "kind": "presence",
        "red_flag": "emergency",
    }
    assert data["symptoms"]["fever"]["kind"] == "temperature"
    assert data["emergency_number"] == "999"
    assert data["care_line"] == settings.CARE_TEAM_24H_LINE
    # Shown only by the script, so a page without it never has an empty alert.
    assert '<div class="offline-status" id="offline-status" tabindex="-1" hidden></div>' in page
