"""The history page: trends per symptom as inline SVG with a text summary and a table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import make_patient
from symptoms import services
from symptoms.models import Symptom
from symptoms.tests.factories import log_day, log_days_back

pytestmark = pytest.mark.django_db

HISTORY = reverse("history")


def today_of(patient) -> dt.date:
    return patient.patient_profile.local_today()


def short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def section(body: str, heading_id: str) -> str:
    """The HTML of one site's section, from its heading to the next section."""
    start = body.index(f'id="{heading_id}"')
    end = body.find('<section class="trend-group"', start)
    return body[start : end if end != -1 else len(body)]


def test_history_shows_charts_with_text_table_and_calendar(people, client):
    patient = people.patient_a  # sites: bone
    today = today_of(patient)
    log_days_back(patient, 5, {"bone_pain": 3})
    log_days_back(patient, 3, {"bone_pain": 6, "fever": 38.3})
    log_days_back(patient, 2, {"bone_pain": 6, "fracture": True})
    log_days_back(patient, 0, {"bone_pain": 4})
    client.force_login(patient)

    response = client.get(HISTORY)

    assert response.status_code == 200
    body = response.content.decode()
    # the bone pain chart: an accessible image with a title and a description
    assert re.search(
        r'<svg class="chart chart-severity"[^>]*role="img" '
        r'aria-labelledby="trend-bone_pain-title" aria-describedby="trend-bone_pain-desc"',
        body,
    )
    assert '<title id="trend-bone_pain-title">Bone pain: chart of the last 30 days</title>' in body
    summary = (
        f"Bone pain: noted on 4 of the 4 days you logged. Highest 6 (moderate) on "
        f"{short(today - dt.timedelta(days=2))}; latest 4 (moderate) on {short(today)}."
    )
    assert f'<desc id="trend-bone_pain-desc">{summary}</desc>' in body
    visible = summary.replace("Bone pain: noted", "Noted")  # the heading already names it
    assert f'<p class="trend-summary">{visible}</p>' in body
    assert ">7 severe</text>" in body and ">4 moderate</text>" in body
    assert 'style="' not in body  # CSP: no inline styles
    # gaps: days 4 and 1 back have no log, so only days 3 and 2 back are joined by a line
    start = body.index('id="trend-bone_pain-title"')
    bone_chart = body[start : body.index("</svg>", start)]
    assert bone_chart.count('class="line"') == 1
    assert bone_chart.count('class="point"') == 4
    # presence as bars, temperature against the 38.0 °C line
    assert 'class="chart chart-presence"' in body and 'class="bar"' in body
    assert 'class="chart chart-temperature"' in body and ">38.0 °C</text>" in body
    assert "Temperature: taken on 1 day. Highest 38.3 °C" in body
    # the table alternative, logged days only
    assert "<summary>Show as a table" in body
    table = body[body.index('<caption class="visually-hidden">Bone pain') :]
    table = table[: table.index("</table>")]
    assert table.count('<tr><th scope="row">') == 4
    assert "6 (moderate)" in table
    # the calendar of logged days, each within 30 days linking to its log page
    assert "You logged 4 of these 30 days." in body
    calendar = body[body.index('aria-label="Days you logged"') :]
    calendar = calendar[: calendar.index("</ol>")]
    assert calendar.count("✓") == 4
    assert calendar.count('<li class="cal-day') == 30
    assert f'href="{reverse("log_day", kwargs={"day": today - dt.timedelta(days=2)})}"' in calendar


def test_symptoms_with_nothing_to_show_are_left_out_with_a_note_per_site(people, client):
    patient = make_patient(sites=["bone", "brain"], care_team=people.team_a)
    log_days_back(patient, 1, {"fatigue": 2})
    client.force_login(patient)
    body = client.get(HISTORY).content.decode()
    assert "trend-fatigue" in body
    assert "trend-nausea" not in body  # 0 on every logged day
    assert "trend-bone_pain" not in body
    assert "No bone symptoms in these 30 days." in section(body, "site-bone")
    assert "No brain symptoms in these 30 days." in section(body, "site-brain")
    assert "Nothing noted in these 30 days." in section(body, "site-treatment")
    # the patient's other sites are named together, not as empty sections
    assert 'id="site-liver"' not in body
    assert "No liver or lung symptoms in these 30 days." in body


def test_a_symptom_at_another_site_gets_its_own_section(people, client):
    patient = people.patient_a  # sites: bone
    log_days_back(patient, 1, {"cough": 5})
    client.force_login(patient)
    body = client.get(HISTORY).content.decode()
    assert "trend-cough" in section(body, "site-lung")
    assert "No brain or liver symptoms in these 30 days." in body


def test_windows_of_7_30_and_90_days(people, client):
    patient = people.patient_a
    log_days_back(patient, 10, {"nausea": 3})
    client.force_login(patient)

    body = client.get(HISTORY).content.decode()
    assert '<a href="?days=30" aria-current="page">30 days</a>' in body
    assert body.count("aria-current") == 2  # the menu's "History" and this tab
    assert "trend-nausea" in body

    body = client.get(HISTORY, {"days": 7}).content.decode()
    assert '<a href="?days=7" aria-current="page">7 days</a>' in body
    assert "You have not logged any days in these 7 days" in body
    assert "trend-nausea" not in body

    body = client.get(HISTORY, {"days": 90}).content.decode()
    assert "chart of the last 90 days" in body
    assert '<details class="calendar-details">' in body  # 90 days: calendar starts closed
    for odd in ("365", "week", ""):
        body = client.get(HISTORY, {"days": odd}).content.decode()
        assert '<a href="?days=30" aria-current="page">' in body


def test_a_retired_symptom_keeps_its_history(people, client):
    patient = people.patient_a
    log_days_back(patient, 3, {"bone_swelling": 5})
    services.symptom_retire(symptom=Symptom.objects.get(code="bone_swelling"))
    client.force_login(patient)
    body = client.get(HISTORY).content.decode()
    assert "trend-bone_swelling" in body
    assert "Swelling over a bone" in body
    assert "no longer asked" in body
    assert 'name="bone_swelling"' not in client.get(reverse("log")).content.decode()


def test_patient_b_never_sees_patient_a(people, client):
    log_days_back(people.patient_a, 1, {"bone_pain": 8, "fever": 38.5})
    log_days_back(people.patient_b, 2, {"fatigue": 1})
    client.force_login(people.patient_b)
    body = client.get(HISTORY).content.decode()
    assert "trend-bone_pain" not in body
    assert "38.5" not in body
    assert "You logged 1 of these 30 days." in body
    assert "trend-fatigue" in body


def test_an_empty_history_says_what_to_do(people, client):
    client.force_login(people.patient_a)
    body = client.get(HISTORY).content.decode()
    assert "You have not logged any days in these 30 days" in body
    assert "Log how you feel today" in body
    assert "<svg" not in body


def test_history_uses_the_patients_own_today(people, client):
    patient = make_patient(timezone="Pacific/Kiritimati", care_team=people.team_a)  # UTC+14
    log_days_back(patient, 0, {"fatigue": 5})
    client.force_login(patient)
    body = client.get(HISTORY, {"days": 7}).content.decode()
    assert f"latest 5 (moderate) on {short(today_of(patient))}." in body


def test_history_queries_do_not_grow_with_logs(people, client, django_assert_max_num_queries):
    patient = people.patient_a
    today = today_of(patient)

    def log_back(days_back: range) -> None:
        for back in days_back:
            day = today - dt.timedelta(days=back)
            now = dt.datetime.combine(day, dt.time(12), tzinfo=patient.patient_profile.zone)
            log_day(patient, day, {"bone_pain": back % 11, "fracture": back == 7}, now=now)

    client.force_login(patient)
    log_back(range(3))
    client.get(HISTORY)  # warm the catalogue cache, as a running server has it
    with CaptureQueriesContext(connection) as few:
        assert client.get(HISTORY, {"days": 90}).status_code == 200
    log_back(range(3, 60))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(HISTORY, {"days": 90}).content.decode()
    assert "You logged 60 of these 90 days." in body
    # session, user, profile, logs, entries, the fever threshold in force, and the patient's
    # live flags (the attention state at the top of every patient page)
    assert len(few.captured_queries) <= 7


def test_history_keeps_a_site_whose_symptoms_are_all_retired(people, client):
    patient = people.patient_a
    log_days_back(patient, 2, {"neuropathy": 3})
    for symptom in Symptom.objects.filter(site_id="treatment"):
        services.symptom_retire(symptom=symptom)
    client.force_login(patient)
    body = client.get(HISTORY).content.decode()
    assert "trend-neuropathy" in section(body, "site-treatment")
    assert "Treatment side effects" not in client.get(reverse("log")).content.decode()
