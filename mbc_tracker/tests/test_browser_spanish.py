"""A bad day in Spanish on a phone (390x844): a patient who chose Spanish (her browser asks for
British English: her choice wins) logs several symptoms, a red flag among them, and a fever
typed "38,4"; the urgent advice she then sees is in Spanish, and axe finds nothing serious.

The steps find the form's parts by their names and symptom codes, not by their words, so the
test reads the same whatever the Spanish wording; the words are checked for English left.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts import services as account_services
from accounts.tests.factories import PASSWORD, make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll
from mbc_tracker.tests.english import english_left
from symptoms.models import DailyLog

pytestmark = pytest.mark.browser

NAME = "Lucía Fernández"
EMAIL = "lucia@example.org"
ALLOWED = (NAME, EMAIL, "MBC Tracker", "Lucía")


def no_english(html: str, where: str) -> None:
    english = english_left(html, allowed=ALLOWED)
    assert not english, f"English left on {where}:\n" + "\n".join(f"  - {t}" for t in english)


def score(page: Page, code: str, value: int):
    return page.locator(f'label:has(input[type="radio"][name="{code}"][value="{value}"])')


def test_a_bad_day_in_spanish(page: Page, live_server: Any, axe: Axe) -> None:
    patient = make_patient(
        email=EMAIL, name=NAME, sites=["bone", "brain"], timezone="Europe/Madrid"
    )
    account_services.language_set(user=patient, language="es")

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.goto(f"{live_server.url}/log/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_horizontal_scroll(page)
    # The catalogue speaks Spanish (django-modeltranslation): the chips name the symptoms so.
    expect(page.locator('label.chip[for="pick_bone_pain"]')).to_have_text("Dolor de huesos")
    expect(page.locator('label.chip[for="pick_seizure"]')).to_have_text("Convulsión")

    # A fever, typed with the decimal comma Spanish uses: the advice shows as she types.
    page.locator('input[name="fever"]').fill("38,4")
    fever = page.locator(".fb-fever")
    expect(fever).to_be_visible()
    no_english(fever.inner_html(), "the fever advice")

    # Two scored symptoms and a red flag (a seizure).
    page.locator('label.chip[for="pick_bone_pain"]').click()
    score(page, "bone_pain", 8).click()
    page.locator('label.chip[for="pick_headache"]').click()
    score(page, "headache", 6).click()
    page.locator('label.chip[for="pick_seizure"]').click()
    seizure_note = (
        page.locator("li.sym.rf")
        .filter(has=page.locator('input[value="seizure"]'))
        .locator(".yes-note")
    )
    expect(seizure_note).to_be_visible()
    no_english(seizure_note.inner_html(), "the seizure's advice")
    assert_accessible(axe, page)
    no_english(page.content(), "the log form, filled in")

    page.locator(".save-bar button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/log/")

    # The urgent advice, in Spanish, at the top of the page she lands on.
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    no_english(alert.inner_html(), "the urgent advice")
    assert_accessible(axe, page)
    no_english(page.content(), "the log page after saving")

    log = DailyLog.objects.get(patient=patient)
    assert {entry.symptom_id: entry.value for entry in log.entries.all()} == {
        "bone_pain": 8,
        "headache": 6,
        "seizure": True,
        "fever": Decimal("38.4"),
    }
    # Her saved temperature reads back as she wrote it.
    expect(page.locator('input[name="fever"]')).to_have_value("38,4")
