"""One attention state on every patient page, and the patient's answer to urgent advice
(CLINICAL.md, "The urgent loop"): what every page shows at the top, what it never says, the
answer through the banner's buttons and the API, and what the nurse then sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.urls import reverse

from accounts.tests.factories import make_patient
from flags import selectors, services
from flags.models import Flag, FlagStatus
from flags.tests.factories import FlagFactory
from symptoms import questions
from symptoms.catalogue import get_catalogue
from symptoms.tests.factories import log_day
from symptoms.tests.test_pages_log import every_field_at_rest

pytestmark = pytest.mark.django_db

URGENT_ADVICE = "Call your care team's 24-hour line now about this fever."
SOON_ADVICE = "Your care team will look at your back pain today."
NOTHING = "nothing else to do"


@pytest.fixture
def numbers(settings):
    settings.EMERGENCY_NUMBER = "112"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"


def urgent_flag(patient, **fields) -> Flag:
    fields.setdefault("rule", "fever")
    fields.setdefault("subject", "fever")
    fields.setdefault("title", "A temperature of 38.4 °C")
    fields.setdefault("explanation", "A fever during treatment can be serious.")
    fields.setdefault("advice", URGENT_ADVICE)
    return FlagFactory(patient=patient, **fields)


def soon_flag(patient, **fields) -> Flag:
    fields.setdefault("subject", "back_pain")
    return FlagFactory(
        patient=patient,
        rule="severe",
        title="Back pain 8",
        explanation="Back pain at 8 of 10.",
        advice=SOON_ADVICE,
        **fields,
    )


def attention_html(body: str) -> str:
    found = re.search(r'<div class="attention" id="attention">.*?\n</div>', body, re.S)
    return found.group(0) if found else ""


def urgent_sections(body: str) -> list[str]:
    return re.findall(r'<section class="urgent-banner[^"]*" role="alert".*?</section>', body, re.S)


def patient_pages(patient) -> dict[str, str]:
    question = questions.question_add(patient=patient, text="Can I still swim?")
    return {
        "home": reverse("home"),
        "log": reverse("log"),
        "history": reverse("history"),
        "raise_with_team": reverse("raise_with_team"),
        "question_edit": reverse("question_edit", args=[question.pk]),
        "settings": reverse("settings"),
        "appointments": reverse("appointment_list"),
        "messages": reverse("notification_list"),
        "visit_summary": reverse("visit_summary"),
    }


# --- Every patient page --------------------------------------------------------------------


def test_every_patient_page_shows_an_open_urgent_flag_with_its_numbers(people, client, numbers):
    patient = people.patient_a
    flag = urgent_flag(patient)
    client.force_login(patient)

    for name, url in patient_pages(patient).items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.content.decode()
        (section,) = urgent_sections(body)
        assert flag.title in section and URGENT_ADVICE.replace("'", "&#x27;") in section, name
        assert 'href="tel:08001234567"' in section, name
        assert NOTHING not in body.lower(), name
        # At the top: before the page's own heading.
        assert body.index("urgent-banner") < body.index("<h1"), name


def test_an_acknowledged_urgent_flag_still_shows(people, client):
    urgent_flag(people.patient_a, status=FlagStatus.ACKNOWLEDGED)
    client.force_login(people.patient_a)

    body = client.get(reverse("history")).content.decode()

    (section,) = urgent_sections(body)
    assert "Your care team has seen this." in section


def test_a_resolved_flag_shows_nowhere(people, client):
    urgent_flag(people.patient_a, status=FlagStatus.RESOLVED)
    client.force_login(people.patient_a)

    assert attention_html(client.get(reverse("home")).content.decode()) == ""


def test_home_says_nothing_else_to_do_only_without_live_flags(people, client):
    patient = people.patient_a
    client.force_login(patient)
    log_day(patient, patient.patient_profile.local_today(), {})
    assert NOTHING in client.get(reverse("home")).content.decode()

    flag = urgent_flag(patient)
    body = client.get(reverse("home")).content.decode()
    assert NOTHING not in body
    assert "Please follow the urgent advice at the top of this page first." in body

    flag.status = FlagStatus.RESOLVED
    flag.save()
    FlagFactory(patient=patient, rule="persistent", level="next_visit")
    body = client.get(reverse("home")).content.decode()
    assert NOTHING not in body and "on your list for your next visit" in body


def test_home_mentions_the_urgent_flag_when_today_is_not_logged(people, client):
    """The day after a seizure, before today is logged: the flag, which day, and what to do."""
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    yesterday = today - dt.timedelta(days=1)
    urgent_flag(
        patient,
        rule="red_flag",
        subject="seizure",
        title="Seizure (fit): get emergency help now",
        evidence=[yesterday.isoformat()],
    )
    client.force_login(patient)

    body = client.get(reverse("home")).content.decode()

    assert "Today is not logged yet" in body
    assert "First, please follow the urgent advice at the top of this page." in body
    (section,) = urgent_sections(body)
    assert f"This is about what you logged yesterday, {yesterday:%A} {yesterday.day}" in section
    assert "is-emergency" in section  # a seizure: the emergency department, not the line


def test_advice_about_an_older_day_names_the_day(people, client):
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    older = today - dt.timedelta(days=3)
    urgent_flag(patient, evidence=[older.isoformat()])
    client.force_login(patient)

    (section,) = urgent_sections(client.get(reverse("log")).content.decode())

    assert f"This is about what you logged {older:%A} {older.day} {older:%B}" in section


def test_a_soon_flag_shows_calmly_on_home_and_log_only(people, client):
    patient = people.patient_a
    soon_flag(patient)
    client.force_login(patient)

    for url in (reverse("home"), reverse("log")):
        body = client.get(url).content.decode()
        block = attention_html(body)
        assert "soon-banner" in block and SOON_ADVICE in block, url
        assert urgent_sections(body) == [] and 'role="alert"' not in block, url
        assert NOTHING not in body.lower(), url
    for url in (reverse("history"), reverse("settings")):
        assert SOON_ADVICE not in client.get(url).content.decode(), url


def test_staff_pages_never_show_it(people, client):
    urgent_flag(people.patient_a)
    client.force_login(people.coordinator_a)

    for url in (reverse("home"), reverse("care:record", args=[people.patient_a.pk])):
        body = client.get(url).content.decode()
        assert 'class="attention"' not in body and "urgent-answer" not in body, url


def test_after_a_save_a_finding_not_stored_yet_shows_on_every_page_once(people, client):
    patient = people.patient_a
    client.force_login(patient)
    data = every_field_at_rest(client, reverse("log"))
    data["fever"] = "38.4"
    response = client.post(reverse("log"), data, follow=True)
    assert NOTHING not in response.content.decode()
    assert not Flag.objects.filter(patient=patient).exists()  # no worker has run

    for url in (reverse("home"), reverse("history"), reverse("settings")):
        (section,) = urgent_sections(client.get(url).content.decode())
        assert "38.4 °C" in section, url

    services.evaluate_patient(patient=patient)
    body = client.get(reverse("home")).content.decode()
    assert len(re.findall('class="urgent-finding"', body)) == 1  # the stored flag, not twice


def test_the_attention_state_costs_one_query_whatever_the_number_of_flags(
    people, django_assert_max_num_queries
):
    patient = people.patient_a
    profile = patient.patient_profile
    get_catalogue()  # warm, as a running server has it
    for index in range(40):
        urgent_flag(patient, subject=f"fever{index}") if index % 2 else soon_flag(
            patient, subject=f"pain{index}"
        )
    FlagFactory.create_batch(10, patient=patient, rule="persistent", level="next_visit")

    with django_assert_max_num_queries(1):
        attention, _ = selectors.attention_for(profile)

    assert len(attention.urgent) == 20 and len(attention.soon) == 20
    assert attention.next_visit == 10


def test_a_page_costs_the_same_with_one_flag_or_many(people, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = people.patient_a
    client.force_login(patient)
    urgent_flag(patient)
    client.get(reverse("history"))  # warm the catalogue cache
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("history"))
    for index in range(30):
        urgent_flag(patient, subject=f"more{index}")
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(reverse("history")).content.decode()
    assert body.count('class="urgent-finding"') == 31


# --- The patient answers -------------------------------------------------------------------


def answer(client, flag: Flag, response: str, next_url: str = "/history/"):
    return client.post(
        reverse("flag_respond", args=[flag.pk]), {"response": response, "next": next_url}
    )


def test_the_buttons_work_without_javascript_and_return_to_the_page(people, client):
    patient = people.patient_a
    flag = urgent_flag(patient)
    client.force_login(patient)
    form = urgent_sections(client.get(reverse("history")).content.decode())[0]
    assert f'action="/flags/{flag.pk}/respond/"' in form
    for value in ("called_team", "got_help", "will_call"):
        assert f'name="response" value="{value}"' in form

    response = answer(client, flag, "called_team", next_url="/history/?days=7")

    assert response.status_code == 302
    assert response["Location"] == "/history/?days=7#attention"
    flag.refresh_from_db()
    assert flag.patient_response == "called_team" and flag.status == FlagStatus.OPEN


def test_the_web_answer_never_goes_elsewhere(people, client):
    flag = urgent_flag(people.patient_a)
    client.force_login(people.patient_a)

    response = answer(client, flag, "will_call", next_url="https://evil.example.com/")

    assert response["Location"] == "/#attention"


def test_the_web_answer_to_another_patients_flag_is_404(people, client):
    flag = urgent_flag(people.patient_b)
    client.force_login(people.patient_a)

    assert answer(client, flag, "called_team").status_code == 404
    flag.refresh_from_db()
    assert flag.patient_response == ""


def test_an_unknown_web_answer_changes_nothing(people, client):
    flag = urgent_flag(people.patient_a)
    client.force_login(people.patient_a)

    response = answer(client, flag, "resolved")

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.patient_response == "" and flag.patient_responded_at is None


def test_the_banner_words_change_with_the_answer_in_the_patients_time(people, client, numbers):
    patient = make_patient(email="ny@example.org", timezone="America/New_York")
    flag = urgent_flag(patient)
    client.force_login(patient)
    moment = dt.datetime(2026, 12, 2, 15, 42, tzinfo=dt.UTC)  # 10:42 in New York

    with time_machine.travel(moment, tick=False):
        answer(client, flag, "called_team")
        body = client.get(reverse("history")).content.decode()
    (section,) = urgent_sections(body)
    assert "You told us you called your team at 10:42. If things get worse, call 112." in section
    assert 'value="called_team" class="button" aria-pressed="true"' in section
    assert "Thank you for telling us." in body

    with time_machine.travel(moment + dt.timedelta(days=1), tick=False):
        client.force_login(patient)  # a day later: a new session
        section = urgent_sections(client.get(reverse("home")).content.decode())[0]
    assert "You told us you called your team yesterday at 10:42." in section

    with time_machine.travel(moment + dt.timedelta(days=1, minutes=5), tick=False):
        answer(client, flag, "will_call")  # answering again replaces the answer
        section = urgent_sections(client.get(reverse("home")).content.decode())[0]
    assert "called your team" not in section
    assert "You told us at 10:47 that you would call now." in section
    assert "call 0800 123 4567 now" in section


def test_answering_advice_the_worker_has_not_stored_yet(people, client):
    """The save's advice has no flag yet: answering evaluates the patient's flags as the worker
    would (idempotently) and keeps the answer on the flag that results."""
    patient = people.patient_a
    client.force_login(patient)
    data = every_field_at_rest(client, reverse("log"))
    data["seizure"] = "yes"
    client.post(reverse("log"), data)
    (section,) = urgent_sections(client.get(reverse("home")).content.decode())
    assert 'action="/flags/respond/"' in section and 'name="rule" value="red_flag"' in section

    response = client.post(
        reverse("flag_respond_pending"),
        {"rule": "red_flag", "subject": "seizure", "response": "got_help", "next": "/"},
    )

    assert response.status_code == 302
    (flag,) = Flag.objects.filter(patient=patient)
    assert flag.patient_response == "got_help" and flag.status == FlagStatus.OPEN
    services.evaluate_patient(patient=patient)  # the worker, late: nothing changes
    assert Flag.objects.filter(patient=patient).count() == 1
    section = urgent_sections(client.get(reverse("home")).content.decode())[0]
    assert "You told us you have had emergency help" in section


def test_the_answer_is_audited_and_never_resolves(people):
    flag = urgent_flag(people.patient_a)

    services.flag_respond(flag=flag, by=people.patient_a, response="called_team")
    services.flag_respond(flag=flag, by=people.patient_a, response="got_help")

    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and flag.acknowledged_at is None
    assert flag.patient_response == "got_help"
    changes = [entry.changes for entry in LogEntry.objects.get_for_object(flag)]
    assert any("patient_response" in change for change in changes)


@pytest.mark.parametrize("response", ["", "resolved", "CALLED_TEAM"])
def test_the_service_refuses_an_unknown_answer(people, response):
    from django.core.exceptions import ValidationError

    flag = urgent_flag(people.patient_a)
    with pytest.raises(ValidationError):
        services.flag_respond(flag=flag, by=people.patient_a, response=response)


def test_the_service_refuses_soon_and_resolved_flags(people):
    from django.core.exceptions import ValidationError

    for flag in (
        soon_flag(people.patient_a),
        urgent_flag(people.patient_a, status=FlagStatus.RESOLVED),
    ):
        with pytest.raises(ValidationError):
            services.flag_respond(flag=flag, by=people.patient_a, response="called_team")


# --- The API -------------------------------------------------------------------------------


def api_respond(api_client, user, flag: Flag, payload):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client.post(reverse("api-flag-respond", args=[flag.pk]), payload, format="json")


@pytest.mark.parametrize(
    ("who", "payload", "status"),
    [
        ("patient_a", {"response": "called_team"}, 200),
        ("patient_b", {"response": "called_team"}, 404),
        ("coordinator_a", {"response": "called_team"}, 403),
        ("admin", {"response": "called_team"}, 403),
        ("anonymous", {"response": "called_team"}, 401),
        ("patient_a", {"response": "resolved"}, 400),
        ("patient_a", {}, 400),
    ],
)
def test_respond_permission_matrix(people, api_client, who, payload, status):
    flag = urgent_flag(people.patient_a)

    response = api_respond(api_client, people.all()[who], flag, payload)

    assert response.status_code == status, response.content
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN  # never resolved, whoever asks
    assert flag.patient_response == ("called_team" if status == 200 else "")


def test_respond_returns_the_flag_and_answering_again_replaces(people, api_client):
    flag = urgent_flag(people.patient_a)
    moment = dt.datetime(2026, 12, 2, 10, 42, tzinfo=dt.UTC)

    with time_machine.travel(moment, tick=False):
        first = api_respond(api_client, people.patient_a, flag, {"response": "will_call"})
    with time_machine.travel(moment + dt.timedelta(minutes=20), tick=False):
        second = api_respond(api_client, people.patient_a, flag, {"response": "called_team"})

    assert first.json()["patient_response"] == "will_call"
    data = second.json()
    assert data["id"] == flag.pk and data["status"] == "open"
    assert data["patient_response"] == "called_team"
    assert data["patient_responded_at"].startswith("2026-12-02T11:02:00")


def test_the_flag_list_shows_no_answer_as_null(people, api_client):
    urgent_flag(people.patient_a)
    api_client.force_authenticate(people.patient_a)

    (row,) = api_client.get(reverse("api-flags")).json()["results"]

    assert row["patient_response"] is None and row["patient_responded_at"] is None


# --- The nurse sees it ---------------------------------------------------------------------


def test_panel_and_record_show_the_answer_in_the_third_person(people, client, settings):
    settings.DEFAULT_PATIENT_TIMEZONE = "Europe/London"
    flag = urgent_flag(people.patient_a)
    moment = dt.datetime(2026, 12, 2, 10, 42, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        services.flag_respond(flag=flag, by=people.patient_a, response="called_team")
    client.force_login(people.coordinator_a)
    words = "Alice answered “I have called my care team”, 2 Dec 10:42 GMT"

    panel = client.get(reverse("care:panel")).content.decode()
    record = client.get(reverse("care:record", args=[people.patient_a.pk])).content.decode()

    assert words in panel
    assert words in record
    assert "You told us" not in record


# --- reported_at ---------------------------------------------------------------------------


def test_reported_at_is_when_the_patient_saved_the_log_not_when_the_flag_was_stored(people):
    patient = people.patient_a
    saved = dt.datetime(2026, 12, 2, 9, 15, tzinfo=dt.UTC)
    stored = saved + dt.timedelta(hours=3)  # the worker was down all morning
    with time_machine.travel(saved, tick=False):
        log_day(patient, saved.date(), {"fever": 38.6})
    with time_machine.travel(stored, tick=False):
        services.evaluate_patient(patient=patient, now=stored)

    flag = Flag.objects.get(patient=patient, rule="fever")
    assert flag.opened_at == stored
    assert flag.reported_at == saved


def test_reported_at_follows_the_newest_log_behind_the_flag(people):
    patient = people.patient_a
    first = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    second = dt.datetime(2026, 12, 2, 19, 30, tzinfo=dt.UTC)
    with time_machine.travel(first, tick=False):
        log_day(patient, first.date(), {"back_pain": 8})
    with time_machine.travel(second, tick=False):
        log_day(patient, second.date(), {"back_pain": 8})
        services.evaluate_patient(patient=patient, now=second + dt.timedelta(minutes=5))

    flag = Flag.objects.get(patient=patient, rule="severe")
    assert flag.reported_at == second


def test_whole_patient_rules_have_no_reported_at(people):
    patient = people.patient_a
    logged = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(logged, tick=False):
        log_day(patient, logged.date(), {})
    later = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    services.evaluate_patient(patient=patient, now=later)

    flag = Flag.objects.get(patient=patient, rule="not_logging")
    assert flag.reported_at is None


def test_the_backfill_takes_the_newest_logs_save_time_never_after_the_flag(people):
    from importlib import import_module

    backfill = import_module(
        "flags.migrations.0002_patient_response_and_reported_at"
    ).backfill_reported_at
    patient = people.patient_a
    saved = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(saved, tick=False):
        log_day(patient, saved.date(), {"fever": 38.6})
    old = urgent_flag(patient, evidence=["2026-11-30", "2026-12-01"], opened_at=saved)
    old.opened_at = saved + dt.timedelta(hours=1)
    old.save()
    early = urgent_flag(patient, subject="x", evidence=["2026-12-01"])
    early.opened_at = saved - dt.timedelta(hours=1)  # opened before that log's last save
    early.save()
    whole = FlagFactory(patient=patient, rule="not_logging", evidence=["2026-12-01"])

    backfill(django_apps, None)

    for flag in (old, early, whole):
        flag.refresh_from_db()
    assert old.reported_at == saved
    assert early.reported_at == early.opened_at
    assert whole.reported_at is None


def test_an_answered_banner_moves_below_advice_still_waiting_for_action(people, client):
    """Yesterday's seizure, answered, no longer pushes today's fever advice down the page."""
    patient = people.patient_a
    yesterday = patient.patient_profile.local_today() - dt.timedelta(days=1)
    seizure = urgent_flag(
        patient,
        rule="red_flag",
        subject="seizure",
        title="Seizure (fit): get emergency help now",
        explanation="A seizure needs checking straight away.",
        evidence=[yesterday.isoformat()],
    )
    urgent_flag(patient)  # today's fever
    client.force_login(patient)
    first, second = urgent_sections(client.get(reverse("home")).content.decode())
    assert "Seizure" in first and "is-emergency" in first  # emergencies first while unanswered

    answer(client, seizure, "got_help")
    first, second = urgent_sections(client.get(reverse("home")).content.decode())

    assert "38.4 °C" in first and "Seizure" not in first
    assert "What you told us" in second and "You told us you have had emergency help" in second
    assert "A seizure needs checking straight away." not in second  # compact once answered
    assert 'href="tel:999"' in second  # the number is still one tap away
