"""The settings page's phone number, best time to call and time-zone picker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import PatientProfile
from accounts.tests.factories import make_patient

pytestmark = pytest.mark.django_db
URL = reverse("settings")
WINTER = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _form(profile: PatientProfile, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": profile.user.name,
        "preferred_name": profile.preferred_name,
        "phone": str(profile.phone or ""),
        "call_time": profile.call_time,
        "sites": list(profile.sites),
        "timezone": profile.timezone,
        "log_reminder_time": "19:00",
    }
    return data | changes


def _options(body: str) -> list[tuple[str, str]]:
    """(group label, option value) for each option of the time-zone menu, in order."""
    menu = re.search(r'<select name="timezone".*?</select>', body, re.S).group(0)
    found, group = [], ""
    for match in re.finditer(r'<optgroup label="([^"]*)"|<option value="([^"]*)"', menu):
        if match.group(1) is not None:
            group = match.group(1)
        else:
            found.append((group, match.group(2)))
    return found


@pytest.fixture
def chicago(db):
    return make_patient(name="Cara Jones", timezone="America/Chicago")


def test_the_page_asks_for_a_phone_number_and_a_time_to_call(chicago, client):
    client.force_login(chicago)

    body = client.get(URL).content.decode()

    assert 'type="tel"' in body and 'name="call_time"' in body
    assert "Your care team uses this to phone you about urgent symptoms" in body


def test_phone_and_call_time_are_saved_in_e164(chicago, client):
    client.force_login(chicago)
    profile = chicago.patient_profile

    response = client.post(
        URL, _form(profile, phone="07911 123456", call_time="  mornings before 11  ")
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert str(profile.phone) == "+447911123456"
    assert profile.call_time == "mornings before 11"
    assert 'value="+447911123456"' in client.get(URL).content.decode()


@pytest.mark.parametrize("phone", ["call me", "12", "+44 7911 12345678901"])
def test_a_bad_phone_is_explained_and_nothing_is_saved(chicago, client, phone):
    client.force_login(chicago)
    profile = chicago.patient_profile

    response = client.post(URL, _form(profile, name="Changed", phone=phone, call_time="evenings"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "does not look like a phone number we can call" in body
    chicago.refresh_from_db()
    profile.refresh_from_db()
    assert chicago.name == "Cara Jones"
    assert (str(profile.phone), profile.call_time) == ("", "")


def test_the_time_zone_menu_lists_likely_zones_first_and_is_short(chicago, client):
    client.force_login(chicago)

    with time_machine.travel(WINTER, tick=False):
        body = client.get(URL).content.decode()

    options = _options(body)
    groups = list(dict.fromkeys(group for group, _ in options))
    assert groups == ["Your time zone now", "Also in US", "Often chosen"]
    assert options[0] == ("Your time zone now", "America/Chicago")
    assert ("Also in US", "America/New_York") in options
    assert ("Often chosen", "Europe/London") in options
    assert len(options) < 40  # not the 599 raw names (35 KB of options on their own)
    assert len(body.encode()) < 20_000  # the whole page: 9 KB for this patient
    assert len({value for _, value in options}) == len(options)  # each zone once
    assert '<option value="America/Chicago" selected>Chicago (US time) · UTC-6</option>' in body
    assert "London (UK time) · UTC+0" in body


def test_the_search_finds_any_zone_without_javascript(chicago, client):
    client.force_login(chicago)

    with time_machine.travel(WINTER, tick=False):
        body = client.get(URL, {"tz": "new zealand"}).content.decode()

    options = _options(body)
    assert options[:2] == [
        ("Matches for “new zealand”", "Pacific/Auckland"),
        ("Matches for “new zealand”", "Pacific/Chatham"),
    ]
    assert '<option value="Pacific/Auckland" selected>Auckland (New Zealand time) · UTC+13' in body
    assert "We found 2 time zones for “new zealand”" in body
    assert 'name="tz" value="new zealand"' in body
    # Searching chose nothing yet: the zone changes when the patient saves.
    chicago.patient_profile.refresh_from_db()
    assert chicago.patient_profile.timezone == "America/Chicago"


def test_a_search_with_no_match_says_what_to_try(chicago, client):
    client.force_login(chicago)

    body = client.get(URL, {"tz": "Atlantis"}).content.decode()

    assert "No time zone matches “Atlantis”" in body
    assert '<option value="America/Chicago" selected' in body


def test_a_zone_found_by_search_is_saved_and_reminders_follow(
    chicago, client, django_capture_on_commit_callbacks
):
    client.force_login(chicago)
    profile = chicago.patient_profile

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, _form(profile, timezone="Pacific/Auckland"))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.timezone == "Pacific/Auckland"
    assert callbacks  # the reminder re-plan (and flag evaluation) wait for the commit
    body = client.get(URL).content.decode()
    assert _options(body)[:2] == [
        ("Your time zone now", "Pacific/Auckland"),
        ("Also in New Zealand", "Pacific/Chatham"),
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Europe/London<script>"])
def test_an_unknown_zone_is_refused_and_nothing_is_saved(chicago, client, zone):
    client.force_login(chicago)
    profile = chicago.patient_profile

    response = client.post(URL, _form(profile, timezone=zone, phone="07911 123456"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Please check the answers marked below" in body
    assert 'id="id_timezone_error"' in body
    profile.refresh_from_db()
    assert profile.timezone == "America/Chicago" and str(profile.phone) == ""
