"""A Spanish-speaking patient logs a bad day with no network (390x844, Debian's Chromium): the
page the service worker kept speaks Spanish, and so do the words the offline script shows."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import make_patient
from mbc_tracker.tests.browser import log_in
from mbc_tracker.tests.english import english_left
from symptoms.tests.test_spanish import catalogue_words

pytestmark = pytest.mark.browser

KEPT = "Guardado en este teléfono. Se enviará cuando tenga conexión."


def test_a_bad_day_logged_offline_in_spanish(page: Page, live_server: Any, settings: Any) -> None:
    settings.EMERGENCY_NUMBER = "999"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    make_patient(email="ana@example.org", name="Ana Pérez", sites=["bone", "brain"])
    log_in(page, live_server.url, "ana@example.org")
    page.context.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(f"{live_server.url}/log/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
    page.reload()  # now through the worker, which keeps this page (in Spanish) for offline use
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoy")

    page.context.set_offline(True)
    page.reload()  # the phone's copy
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoy")
    page.locator('label[for="pick_seizure"]').click()
    page.locator("#id_fever").fill("38,4")
    page.get_by_role("button", name="Guardar", exact=True).last.click()

    status = page.locator("#offline-status")
    expect(status.get_by_text(KEPT)).to_be_visible()
    emergency = status.get_by_role("alert").filter(has_text="sala de emergencias")
    expect(emergency.get_by_role("heading", level=2)).to_have_text(
        "Llame al 999 o vaya a la sala de emergencias ahora"
    )
    expect(emergency.get_by_role("link", name="Llame al 999 ahora")).to_be_visible()
    call_now = status.get_by_role("alert").filter(has_text="línea de 24 horas")
    expect(call_now).to_contain_text("38,4 °C")
    expect(status).to_contain_text("El día:")
    shown = status.evaluate(
        "box => [...box.querySelectorAll('section:not([hidden])')].map(s => s.outerHTML).join('')"
    )
    assert not english_left(shown, allowed=catalogue_words())
