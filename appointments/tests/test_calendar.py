"""The calendar feed: /api/v1/calendar/{token}.ics, and its address on the settings page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from accounts.tests.factories import make_patient
from appointments import selectors, services
from appointments.calendar_feed import build_calendar
from appointments.models import CalendarFeed
from appointments.tests.appointment_factories import NOW, book, local

pytestmark = pytest.mark.django_db
NEW_YORK = "America/New_York"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _url(feed: CalendarFeed) -> str:
    return f"/api/v1/calendar/{feed.token}.ics"


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_parses_back_with_local_times_and_neutral_summaries(people, client):
    patient = make_patient(care_team=people.team_a, timezone=NEW_YORK)
    scan = book(
        patient,
        kind="pet",
        starts_at=local(dt.date(2026, 6, 25), 10, 30, NEW_YORK),
        location="Mercy Hospital, Nuclear Medicine",
        preparation_notes="Fast for six hours. Metastatic bone disease follow-up.",
    )
    # After the clocks go back: still 09:00 local, now at a different UTC offset.
    visit = book(
        patient,
        kind="oncology_visit",
        starts_at=local(dt.date(2026, 11, 9), 9, 0, NEW_YORK),
        duration_minutes=30,
    )
    cancelled = book(patient, kind="treatment", days=14)
    services.appointment_cancel(appointment=cancelled)
    book(people.patient_a, location="Someone else's hospital")  # not in this feed

    response = client.get(_url(selectors.feed_for(patient)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert "MBC Tracker" in str(calendar["PRODID"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [NEW_YORK]

    events = _events(response.content)
    assert set(events) == {
        f"appointment-{scan.pk}@mbc-tracker",
        f"appointment-{visit.pk}@mbc-tracker",
        f"appointment-{cancelled.pk}@mbc-tracker",
    }
    first = events[f"appointment-{scan.pk}@mbc-tracker"]
    assert first["DTSTART"].params["TZID"] == NEW_YORK
    assert first["DTEND"].params["TZID"] == NEW_YORK
    assert first.decoded("DTSTART") == dt.datetime(2026, 6, 25, 10, 30, tzinfo=ZoneInfo(NEW_YORK))
    assert first.decoded("DTEND") == dt.datetime(2026, 6, 25, 11, 30, tzinfo=ZoneInfo(NEW_YORK))
    assert first.decoded("DTSTART").utcoffset() == dt.timedelta(hours=-4)
    assert str(first["LOCATION"]) == "Mercy Hospital, Nuclear Medicine"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["URL"]).endswith(f"/appointments/{scan.pk}/")
    assert "DTSTAMP" in first

    second = events[f"appointment-{visit.pk}@mbc-tracker"]
    assert second.decoded("DTSTART") == dt.datetime(2026, 11, 9, 9, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert second.decoded("DTSTART").utcoffset() == dt.timedelta(hours=-5)
    assert second.decoded("DTEND") - second.decoded("DTSTART") == dt.timedelta(minutes=30)

    assert str(events[f"appointment-{cancelled.pk}@mbc-tracker"]["STATUS"]) == "CANCELLED"

    # Nothing about health: every event is just "Appointment"; kinds and notes never appear.
    assert {str(event["SUMMARY"]) for event in events.values()} == {"Appointment"}
    text = response.content.decode().lower()
    for word in ("pet", "scan", "oncology", "treatment", "metastatic", "fast", "bone"):
        assert word not in text, word
    assert "someone else" not in text


def test_feed_needs_no_login_and_answers_calendar_apps(people, client):
    book(people.patient_a)
    feed = selectors.feed_for(people.patient_a)
    response = client.get(_url(feed), HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert len(_events(response.content)) == 1
    # A logged-in stranger's session changes nothing: the token is the only key.
    client.force_login(people.patient_b)
    assert client.get(_url(feed)).status_code == 200


@pytest.mark.parametrize("accept", ["*/*", "text/calendar", "application/json"])
def test_wrong_token_is_404(people, client, accept):
    selectors.feed_for(people.patient_a)
    response = client.get("/api/v1/calendar/not-a-real-token.ics", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert client.get("/api/v1/calendar/.ics").status_code == 404


def test_rotating_the_token_makes_the_old_address_404(people, client):
    old = selectors.feed_for(people.patient_a).token
    feed = services.calendar_feed_rotate(patient=people.patient_a)
    assert feed.token != old
    assert client.get(f"/api/v1/calendar/{old}.ics").status_code == 404
    assert client.get(_url(feed)).status_code == 200


def test_feed_of_an_inactive_patient_is_404(people, client):
    feed = selectors.feed_for(people.patient_a)
    people.patient_a.is_active = False
    people.patient_a.save()
    assert client.get(_url(feed)).status_code == 404


def test_empty_feed_is_still_a_calendar(people, client):
    response = client.get(_url(selectors.feed_for(people.patient_a)))
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"


def test_feed_leaves_out_appointments_over_a_year_old(people):
    appointment = book(people.patient_a)
    feed = selectors.feed_for(people.patient_a)
    assert selectors.feed_appointments(feed, now=NOW) == [appointment]
    later = NOW + dt.timedelta(days=400)
    assert selectors.feed_appointments(feed, now=later) == []


def test_build_calendar_spans_only_the_years_it_needs(people):
    appointment = book(people.patient_a)
    body = build_calendar([appointment], zone="Europe/London").decode()
    assert "19700101" not in body
    assert "TZID:Europe/London" in body


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Kiritimati", NEW_YORK])
def test_feed_with_appointments_stored_at_the_end_of_the_calendar(people, client, zone):
    """Rows from before the date rule: the feed still answers, quickly, with every event."""
    import time

    from appointments.tests.appointment_factories import (
        END_OF_CALENDAR,
        LAST_HALF_HOUR,
        PAST_THE_CALENDAR,
        stored,
    )

    patient = make_patient(care_team=people.team_a, timezone=zone)
    book(patient)
    for starts_at in (END_OF_CALENDAR, PAST_THE_CALENDAR, LAST_HALF_HOUR):
        stored(patient, starts_at=starts_at)
    started = time.monotonic()
    response = client.get(_url(selectors.feed_for(patient)))
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert len(_events(response.content)) == 4


# --- Settings page --------------------------------------------------------------------------------


def test_settings_page_shows_the_address_and_a_way_to_replace_it(people, client):
    client.force_login(people.patient_a)
    body = client.get(reverse("settings")).content.decode()
    feed = CalendarFeed.objects.get(patient=people.patient_a)
    assert f"/api/v1/calendar/{feed.token}.ics" in body
    assert f"webcal://testserver/api/v1/calendar/{feed.token}.ics" in body
    assert "Make a new address" in body
    assert reverse("calendar_feed_rotate") in body
    assert "stops working" in body


def test_making_a_new_address_on_the_settings_page(people, client):
    client.force_login(people.patient_a)
    client.get(reverse("settings"))
    old = CalendarFeed.objects.get(patient=people.patient_a).token
    response = client.post(reverse("calendar_feed_rotate"))
    assert response.status_code == 302
    assert response["Location"] == reverse("settings") + "#calendar"
    new = CalendarFeed.objects.get(patient=people.patient_a).token
    assert new != old
    body = client.get(reverse("settings")).content.decode()
    assert "The old one has stopped working" in body
    assert new in body and old not in body
    assert client.get(f"/api/v1/calendar/{old}.ics").status_code == 404
    assert client.get(f"/api/v1/calendar/{new}.ics").status_code == 200


def test_making_a_new_address_needs_a_post(people, client):
    client.force_login(people.patient_a)
    assert client.get(reverse("calendar_feed_rotate")).status_code == 405


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_have_no_calendar_address(people, client, persona):
    client.force_login(getattr(people, persona))
    body = client.get(reverse("settings")).content.decode()
    assert "/api/v1/calendar/" not in body
    assert client.post(reverse("calendar_feed_rotate")).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_anonymous_cannot_make_a_new_address(client):
    response = client.post(reverse("calendar_feed_rotate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
