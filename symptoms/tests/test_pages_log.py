"""The log page: plain HTML forms (no JavaScript), quick actions, editing recent days, access."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import make_patient
from symptoms import services
from symptoms.forms import below_pattern
from symptoms.models import DailyLog, Symptom
from symptoms.tests.factories import log_day, log_days_back

pytestmark = pytest.mark.django_db

LOG = reverse("log")


def today_of(patient) -> dt.date:
    return patient.patient_profile.local_today()


def day_url(day: dt.date) -> str:
    return reverse("log_day", kwargs={"day": day})


def usual_url(day: dt.date) -> str:
    return reverse("log_usual", kwargs={"day": day})


def same_url(day: dt.date) -> str:
    return reverse("log_same", kwargs={"day": day})


def values_of(log: DailyLog) -> dict[str, object]:
    return {entry.symptom_id: entry.value for entry in log.entries.all()}


def every_field_at_rest(client, url: str) -> dict[str, object]:
    """What a browser sends for the untouched form: nothing chosen, no score, empty boxes."""
    body = client.get(url).content.decode()
    assert "checked" not in body.split('class="log-form"')[1].split("</form>")[0]
    return {"fever": "", "q": "", "notes": ""}


def chosen(**answers: object) -> dict[str, object]:
    """The form as a browser sends it after choosing symptoms: ``chosen`` lists every symptom
    answered (a score, or True for "I had this"), plus their scores."""
    data: dict[str, object] = {"chosen": list(answers), "fever": "", "notes": "", "q": ""}
    data.update({code: str(value) for code, value in answers.items() if value is not True})
    return data


def messages_in(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- A normal day and a bad day -------------------------------------------------------------


def test_a_usual_day_takes_one_post(people, client):
    patient = people.patient_a
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    today = today_of(patient)
    assert f"Today, {today:%A} {today.day} {today:%B}" in body
    assert "I feel as usual" in body
    assert "Same as yesterday" not in body  # nothing to copy yet

    response = client.post(usual_url(today), follow=True)

    assert response.redirect_chain == [(LOG, 302)]
    assert "Thank you — today is saved as a usual day." in messages_in(response)
    assert "nothing else to do today" in messages_in(response)
    log = DailyLog.objects.get(patient=patient)
    assert log.date == today
    assert values_of(log) == {}
    body = response.content.decode()
    assert "Today is saved" in body
    assert "You had nothing to report." in body
    assert "I feel as usual" not in body  # saved: the quick action is done


def test_a_bad_day_with_three_kinds_of_symptom_is_saved_and_shown_again(people, client):
    patient = people.patient_a
    client.force_login(patient)
    every_field_at_rest(client, LOG)
    data = chosen(bone_pain=6, seizure=True)
    data.update(fever="38.2", notes="Hard night.")

    response = client.post(LOG, data, follow=True)

    assert response.redirect_chain == [(LOG, 302)]
    log = DailyLog.objects.get(patient=patient, date=today_of(patient))
    assert values_of(log) == {"bone_pain": 6, "seizure": True, "fever": Decimal("38.2")}
    assert log.notes == "Hard night."
    said = messages_in(response)
    assert "Thank you — today is saved." in said
    assert "nothing else to do" not in said
    body = response.content.decode()
    # What to do now, at once and before the thank-you (see test_pages_flags.py for more).
    assert "Seizure (fit)" in body and 'Call <a href="tel:999">999</a>' in body
    assert "38.2 °C" in body and "24-hour line now" in body
    assert body.index('role="alert"') < body.index("Thank you — today is saved.")
    assert 'name="bone_pain" value="6" checked' in body
    assert 'value="seizure" id="pick_seizure" checked' in body
    assert 'value="bone_pain" id="pick_bone_pain" checked' in body
    assert 'value="38.2"' in body
    assert "Hard night." in body
    assert "You noted: Bone pain 6, Seizure (fit): yes, Temperature 38.2 °C." in body


def test_only_chosen_symptoms_become_entries(people, client):
    """A score left on a symptom that was taken off the list again is not stored, and nothing
    unchosen is: a log is a full snapshot."""
    client.force_login(people.patient_a)
    data = chosen(fatigue=3, seizure=True)
    data.update(bone_pain="6", headache="2")  # scores picked, then the symptom un-chosen
    assert client.post(LOG, data).status_code == 302
    assert values_of(DailyLog.objects.get(patient=people.patient_a)) == {
        "fatigue": 3,
        "seizure": True,
    }


def test_a_chosen_symptom_needs_a_score(people, client):
    client.force_login(people.patient_a)
    data = chosen(fatigue=3)
    data["chosen"].append("nausea")
    response = client.post(LOG, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        '<a href="#id_nausea_1">Nausea or vomiting: please choose how bad it was, from 1 to 10, '
        "or tap “Nausea or vomiting” again to take it off.</a>"
    ) in body
    assert 'value="nausea" id="pick_nausea" checked' in body  # still chosen, question open
    assert 'name="fatigue" value="3" checked' in body  # the other answer is kept
    assert not DailyLog.objects.exists()


def test_every_site_is_offered_own_sites_first_nothing_collapsed(people, client):
    patient = make_patient(sites=["liver"], care_team=people.team_a)
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    form = body[body.index('class="log-form"') : body.index("</form>", body.index("log-form"))]
    temperature = form.index('id="id_fever"')
    finder = form.index('id="id_q"')
    liver = form.index("<h3>Liver</h3>")
    general = form.index("<h3>How you feel in general</h3>")
    treatment = form.index("<h3>Treatment side effects</h3>")
    other = form.index("Other parts of the body")
    assert temperature < finder < liver < general < treatment < other < form.index("<h3>Bone</h3>")
    assert form.index("<h3>Bone</h3>") < form.index("<h3>Brain</h3>") < form.index("<h3>Lung</h3>")
    assert "<details" not in form and " hidden" not in form.replace(
        'class="link-button show-all" hidden', ""
    )
    # every active symptom is a choice, none is pre-chosen
    assert (
        form.count('type="checkbox" class="pick" name="chosen"')
        == Symptom.objects.filter(active=True).exclude(kind="temperature").count()
    )
    assert " checked" not in form
    # a temperature is typed as text (type=number breaks "38,4")
    assert re.search(r'<input type="text" inputmode="decimal" class="temperature-input"', form)
    assert 'type="number"' not in form


def test_choices_and_scales_have_accessible_names_and_anchors(people, client):
    client.force_login(people.patient_a)
    body = client.get(LOG).content.decode()
    assert '<label class="chip" for="pick_bone_pain">Bone pain</label>' in body
    assert (
        '<fieldset class="ask" id="id_bone_pain"><legend>Bone pain: how bad, from 1 to 10?' in body
    )
    assert '<input type="radio" name="bone_pain" value="1" id="id_bone_pain_1">' in body
    assert 'name="bone_pain" value="0"' not in body  # chosen means there was something
    # a red flag's when-to-call help is tied to its choice, so it is read out before choosing
    assert 'id="pick_seizure" aria-describedby="id_seizure_helptext"' in body
    assert 'class="help red-flag-help" id="id_seizure_helptext"' in body
    assert '<fieldset class="site-group"' in body and "<legend><h3>Brain</h3></legend>" in body


# --- Same as yesterday ----------------------------------------------------------------------


def test_same_as_yesterday_copies_entries(people, client):
    patient = people.patient_a
    log_days_back(patient, 1, {"fatigue": 4, "bone_pain": 2}, notes="Not copied")
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    assert "Same as yesterday" in body
    assert "Copies yesterday\u2019s answers: Bone pain 2, Tiredness 4." in body

    response = client.post(same_url(today_of(patient)), follow=True)

    assert response.redirect_chain == [(LOG, 302)]
    log = DailyLog.objects.get(patient=patient, date=today_of(patient))
    assert values_of(log) == {"fatigue": 4, "bone_pain": 2}
    assert log.notes == ""
    assert "Thank you — today is saved." in messages_in(response)


def test_same_as_yesterday_never_copies_a_red_flag_event(people, client):
    patient = people.patient_a
    log_days_back(patient, 1, {"headache": 3, "seizure": True})
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    assert "Copies yesterday\u2019s answers: Headache 3. Urgent symptoms are not copied" in body
    client.post(same_url(today_of(patient)))
    log = DailyLog.objects.get(patient=patient, date=today_of(patient))
    assert values_of(log) == {"headache": 3}


def test_same_as_yesterday_without_yesterday_says_what_to_do(people, client):
    client.force_login(people.patient_a)
    response = client.post(same_url(today_of(people.patient_a)), follow=True)
    assert "There is no log for the day before to copy" in messages_in(response)
    assert not DailyLog.objects.exists()


def test_quick_actions_never_overwrite_answers(people, client):
    patient = people.patient_a
    log_days_back(patient, 1, {"fatigue": 1})
    log_days_back(patient, 0, {"bone_pain": 7})
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    assert "I feel as usual" not in body and "Same as yesterday" not in body
    for url in (usual_url(today_of(patient)), same_url(today_of(patient))):
        response = client.post(url, follow=True)
        assert "so we kept them" in messages_in(response)
    log = DailyLog.objects.get(patient=patient, date=today_of(patient))
    assert values_of(log) == {"bone_pain": 7}


def test_quick_actions_are_post_only(people, client):
    client.force_login(people.patient_a)
    assert client.get(usual_url(today_of(people.patient_a))).status_code == 405
    assert not DailyLog.objects.exists()


# --- Other days -----------------------------------------------------------------------------


def test_editing_a_past_day_within_30_days(people, client):
    patient = people.patient_a
    day = today_of(patient) - dt.timedelta(days=10)
    log_day(patient, day, {"nausea": 5})
    client.force_login(patient)
    body = client.get(day_url(day)).content.decode()
    assert f"{day:%A} {day.day} {day:%B}" in body
    assert 'name="nausea" value="5" checked' in body
    assert "This day is saved" in body

    response = client.post(day_url(day), chosen(nausea=2, diarrhea=4), follow=True)

    assert response.redirect_chain == [(day_url(day), 302)]
    assert f"your answers for {day:%A} {day.day} {day:%B} are updated" in messages_in(response)
    assert values_of(DailyLog.objects.get(patient=patient, date=day)) == {
        "nausea": 2,
        "diarrhea": 4,
    }


def test_a_past_day_can_be_logged_as_usual(people, client):
    patient = people.patient_a
    day = today_of(patient) - dt.timedelta(days=30)
    client.force_login(patient)
    assert "I felt as usual" in client.get(day_url(day)).content.decode()
    assert client.post(usual_url(day)).status_code == 302
    assert DailyLog.objects.filter(patient=patient, date=day).exists()


@pytest.mark.parametrize("offset", [31, -1])
def test_days_outside_the_window_are_not_allowed(people, client, offset):
    patient = people.patient_a
    day = today_of(patient) - dt.timedelta(days=offset)
    client.force_login(patient)
    response = client.get(day_url(day))
    assert response.status_code == 404
    body = response.content.decode()
    assert "This day cannot be logged" in body
    assert ("has not happened yet" in body) == (offset < 0)
    assert reverse("log") in body  # says where to go instead
    for url in (day_url(day), usual_url(day), same_url(day)):
        assert client.post(url, {"bone_pain": "3"}).status_code == 404
    assert not DailyLog.objects.exists()


def test_impossible_dates_are_not_found(people, client):
    client.force_login(people.patient_a)
    assert client.get("/log/2025-02-30/").status_code == 404
    assert client.get("/log/25-11-01/").status_code == 404


def test_day_strip_shows_the_last_14_days_and_which_are_logged(people, client):
    patient = people.patient_a
    today = today_of(patient)
    log_days_back(patient, 2)
    log_days_back(patient, 13)
    log_days_back(patient, 20)  # outside the strip
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    strip = body[
        body.index('<ol class="day-strip">') : body.index("</ol>", body.index("day-strip"))
    ]
    assert strip.count("<li>") == 14
    assert strip.count("✓") == 2
    assert f'href="{day_url(today - dt.timedelta(days=2))}"' in strip
    assert f'href="{LOG}" class=" is-today" aria-current="page"' in strip
    assert strip.count("aria-current") == 1
    two_back = today - dt.timedelta(days=2)
    assert f"{two_back:%A} {two_back.day} {two_back:%B}: saved" in strip


def test_choosing_an_earlier_day(people, client):
    patient = people.patient_a
    client.force_login(patient)
    day = today_of(patient) - dt.timedelta(days=25)
    response = client.get(reverse("log_pick"), {"day": day.isoformat()})
    assert response["Location"] == day_url(day)
    response = client.get(reverse("log_pick"), {"day": "1999-01-01"}, follow=True)
    assert "You can log today and up to 30 days back" in messages_in(response)
    response = client.get(reverse("log_pick"), {"day": "soon"}, follow=True)
    assert "Please choose a date" in messages_in(response)


# --- Errors ---------------------------------------------------------------------------------


def test_bad_values_get_kind_messages_and_nothing_is_saved(people, client):
    patient = people.patient_a
    log_days_back(patient, 0, {"fatigue": 2}, notes="Before")
    client.force_login(patient)
    data = chosen(bone_pain=11, fatigue=8)
    data.update(fever="45", notes="After")

    response = client.post(LOG, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Some answers need another look" in body
    assert "Nothing is saved yet" in body
    assert '<a href="#id_bone_pain_1">Bone pain: severity must be from 0 to 10.</a>' in body
    assert "Temperature: a temperature must be between 34.0 and 43.0 °C." in body
    assert '<a href="#id_fever">' in body
    # each message sits next to its question and is linked to it
    assert 'id="id_bone_pain" aria-describedby="id_bone_pain_error"' in body
    assert 'id="id_bone_pain_error"' in body
    assert re.search(
        r'aria-describedby="id_fever_helptext id_fever_error" aria-invalid="true"', body
    )
    assert 'value="45"' in body  # what they typed is kept
    assert "<title>Please check your answers:" in body
    assert "I feel as usual" not in body  # one tap must not throw away what they typed
    # never a "saved" card beside answers that need another look
    assert "Today is saved" not in body and "You noted" not in body
    # nothing half-saved: the earlier answers are untouched
    log = DailyLog.objects.get(patient=patient)
    assert values_of(log) == {"fatigue": 2}
    assert log.notes == "Before"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bone_pain", "lots", "Bone pain: please choose a number from 1 to 10."),
        ("bone_pain", "-1", "Bone pain: severity must be from 0 to 10."),
        ("seizure", "maybe", "Seizure (fit): please choose yes or no."),
        ("fever", "hot", "Temperature: please type a number, for example 37.2 or 37,2."),
        ("fever", "38.45", "Temperature: please use one number after the point at most"),
        ("fever", "38,45", "Temperature: please use one number after the point at most"),
    ],
)
def test_values_of_the_wrong_shape(people, client, field, value, message):
    client.force_login(people.patient_a)
    response = client.post(LOG, {"chosen": [field] if field != "fever" else [], field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DailyLog.objects.exists()


def test_a_comma_works_as_a_decimal_point(people, client):
    client.force_login(people.patient_a)
    assert client.post(LOG, {"fever": "37,6"}).status_code == 302
    assert values_of(DailyLog.objects.get()) == {"fever": Decimal("37.6")}


# --- Who may use it -------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(people, client):
    day = dt.date.today()
    for url in (LOG, day_url(day), reverse("history"), reverse("log_pick")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    for url in (LOG, usual_url(day), same_url(day)):
        response = client.post(url, {"bone_pain": "3"})
        assert response["Location"].startswith(reverse("login"))
    assert not DailyLog.objects.exists()


@pytest.mark.parametrize("who", ["coordinator_a", "coordinator_b", "admin"])
def test_staff_cannot_use_the_log(people, client, who):
    client.force_login(getattr(people, who))
    day = dt.date.today()
    for url in (LOG, day_url(day), reverse("history")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
    response = client.post(usual_url(day), follow=True)
    assert "The symptom log is for patients" in messages_in(response)
    assert not DailyLog.objects.exists()
    body = client.get(reverse("home")).content.decode()
    assert f'href="{LOG}"' not in body  # no "Today" or "History" in their menu
    assert f'href="{reverse("history")}"' not in body


def test_patient_b_never_sees_patient_a(people, client):
    log_days_back(people.patient_a, 1, {"bone_pain": 6}, notes="Alice's private note")
    log_days_back(people.patient_a, 0, {"fatigue": 3})
    client.force_login(people.patient_b)
    body = client.get(LOG).content.decode()
    assert "Alice" not in body
    assert "Same as yesterday" not in body
    assert "✓" not in body
    yesterday = today_of(people.patient_b) - dt.timedelta(days=1)
    assert "Alice's private note" not in client.get(day_url(yesterday)).content.decode()
    # B's own save never touches A's logs
    client.post(usual_url(today_of(people.patient_b)))
    assert values_of(DailyLog.objects.get(patient=people.patient_a, date=yesterday)) == {
        "bone_pain": 6
    }
    assert DailyLog.objects.filter(patient=people.patient_b).count() == 1


# --- Catalogue changes and time zones -------------------------------------------------------


def test_a_retired_symptom_leaves_the_form(people, client):
    client.force_login(people.patient_a)
    assert 'name="bone_swelling"' in client.get(LOG).content.decode()
    services.symptom_retire(symptom=Symptom.objects.get(code="bone_swelling"))
    body = client.get(LOG).content.decode()
    assert 'name="bone_swelling"' not in body
    assert "Swelling over a bone" not in body
    assert client.post(LOG, chosen(bone_swelling=4, fatigue=2)).status_code == 302
    assert values_of(DailyLog.objects.get()) == {"fatigue": 2}


def test_the_day_follows_the_patients_time_zone(people, client):
    """At 05:00 UTC on 26 Nov it is still 25 Nov in Los Angeles but already evening in
    Auckland: each patient logs their own calendar day."""
    los_angeles = make_patient(timezone="America/Los_Angeles", care_team=people.team_a)
    auckland = make_patient(timezone="Pacific/Auckland", care_team=people.team_a)
    with time_machine.travel(dt.datetime(2025, 11, 26, 5, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(los_angeles)
        assert "Today, Tuesday 25 November" in client.get(LOG).content.decode()
        assert client.post(LOG, {"fatigue": "2"}).status_code == 302
        assert client.get(day_url(dt.date(2025, 11, 26))).status_code == 404  # tomorrow there
        assert client.get(day_url(dt.date(2025, 10, 26))).status_code == 200  # 30 days back

        client.force_login(auckland)
        assert "Today, Wednesday 26 November" in client.get(LOG).content.decode()
        assert client.post(usual_url(dt.date(2025, 11, 26))).status_code == 302
    assert DailyLog.objects.get(patient=los_angeles).date == dt.date(2025, 11, 25)
    assert DailyLog.objects.get(patient=auckland).date == dt.date(2025, 11, 26)


# --- Home and menu --------------------------------------------------------------------------


def test_home_invites_logging_and_says_when_today_is_done(people, client):
    client.force_login(people.patient_a)
    body = client.get(reverse("home")).content.decode()
    assert "Log how you feel today" in body
    assert "Today is not logged yet" in body
    assert f'<a href="{LOG}">Today</a>' in body
    assert f'<a href="{reverse("history")}">History</a>' in body

    log_days_back(people.patient_a, 0)
    body = client.get(reverse("home")).content.decode()
    assert "Today is saved" in body
    assert "Log how you feel today" not in body


def test_menu_marks_the_log_page_as_current(people, client):
    client.force_login(people.patient_a)
    body = client.get(LOG).content.decode()
    assert f'<a href="{LOG}" aria-current="page">Today</a>' in body


# --- Queries --------------------------------------------------------------------------------


def _log_many(patient, days_back: range) -> None:
    """Logs on each of ``days_back`` (0 is today), saved through the service as they would have
    been on each day (so days more than 30 back are allowed)."""
    today = today_of(patient)
    for back in days_back:
        day = today - dt.timedelta(days=back)
        now = dt.datetime.combine(day, dt.time(12), tzinfo=patient.patient_profile.zone)
        log_day(patient, day, {"fatigue": back % 8, "seizure": back % 9 == 0}, now=now)


def test_log_page_queries_do_not_grow_with_logs(people, client, django_assert_max_num_queries):
    patient = people.patient_a
    yesterday = day_url(today_of(patient) - dt.timedelta(days=1))
    client.force_login(patient)
    _log_many(patient, range(3))
    client.get(LOG)  # warm the catalogue cache, as a running server has it
    with CaptureQueriesContext(connection) as few:
        assert client.get(LOG).status_code == 200
        assert client.get(yesterday).status_code == 200

    _log_many(patient, range(3, 60))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LOG).status_code == 200
        assert client.get(yesterday).status_code == 200
    # session, user, profile, 2 logs, strip days, live flags (the attention state), the
    # thresholds in force (for the feedback)
    assert len(few.captured_queries) <= 2 * 8


# --- The page that fits a phone: finder, feedback, decimal comma, one Save, weight ---------


def shown_choices(body: str) -> set[str]:
    """Codes of the symptom choices the page shows (not hidden by the finder)."""
    return set(
        re.findall(r'<li class="sym[^"]*" data-find="[^"]*">\s*<input[^>]*value="(\w+)"', body)
    )


def test_the_finder_works_without_javascript_and_keeps_chosen_answers(people, client):
    patient = people.patient_a
    client.force_login(patient)
    data = chosen(headache=6)
    data.update(fever="38,1", notes="Rough day", q="bone", find="1")

    response = client.post(LOG, data)

    # Nothing is saved; the answers wait in the session (not in the URL) for a plain GET ?q=
    assert response.status_code == 302
    assert response["Location"] == f"{LOG}?q=bone#finder"
    assert not DailyLog.objects.exists()
    body = client.get(f"{LOG}?q=bone").content.decode()
    bone_site = set(Symptom.objects.filter(site="bone").values_list("code", flat=True))
    assert shown_choices(body) == bone_site | {"headache"}  # the site's name matches too
    assert "Showing what matches “bone” and what you chose." in body
    assert 'value="headache" id="pick_headache" checked' in body
    assert 'name="headache" value="6" checked' in body
    assert 'value="38,1"' in body and "Rough day" in body
    # hidden choices are still in the form, so saving from here loses nothing
    assert 'value="fatigue" id="pick_fatigue"' in body
    assert "I feel as usual" not in body  # one tap must not throw away the answers

    # choose bone pain on the filtered page and save: everything arrives
    data = chosen(headache=6, bone_pain=8)
    data.update(fever="38,1", notes="Rough day", q="bone")
    assert client.post(f"{LOG}?q=bone", data).status_code == 302
    log = DailyLog.objects.get(patient=patient)
    assert values_of(log) == {"headache": 6, "bone_pain": 8, "fever": Decimal("38.1")}
    assert log.notes == "Rough day"


def test_the_finder_alone_and_show_all(people, client):
    patient = people.patient_a
    log_days_back(patient, 0, {"fatigue": 2})
    client.force_login(patient)
    body = client.get(f"{LOG}?q=SHORTNESS  of").content.decode()
    assert shown_choices(body) == {"shortness_of_breath", "fatigue"}  # saved answers stay
    body = client.get(f"{LOG}?q=zebra").content.decode()
    assert "Nothing matches “zebra”. Try another word, or write it in the notes." in body
    response = client.post(LOG, {**chosen(fatigue=2), "q": "zebra", "find": "all"})
    assert response["Location"] == f"{LOG}#finder"
    body = client.get(LOG).content.decode()
    assert len(shown_choices(body)) == Symptom.objects.exclude(kind="temperature").count()
    # a draft belongs to its day: it does not follow the patient to another day's page
    client.post(LOG, {**chosen(nausea=3), "q": "", "find": "1"})
    yesterday = client.get(day_url(today_of(patient) - dt.timedelta(days=1))).content.decode()
    assert 'name="nausea" value="3" checked' not in yesterday


def test_a_decimal_comma_is_a_decimal_point(people, client):
    client.force_login(people.patient_a)
    assert client.post(LOG, {**chosen(), "fever": " 38,4 "}).status_code == 302
    assert values_of(DailyLog.objects.get()) == {"fever": Decimal("38.4")}


def test_two_decimals_are_refused_not_rounded(people, client):
    client.force_login(people.patient_a)
    response = client.post(LOG, {**chosen(), "fever": "38,45"})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        '<a href="#id_fever">Temperature: please use one number after the point at most, '
        "for example 38.4 (not 38.45).</a>"
    ) in body
    assert 'value="38,45"' in body  # what they typed is kept to correct
    assert not DailyLog.objects.exists()


def test_the_temperature_form_field_parses_commas():
    from symptoms.forms import TemperatureField

    field = TemperatureField(label="Temperature (°C)", name="Temperature")
    assert field.clean("38,4") == Decimal("38.4")
    assert field.clean("37.0") == Decimal("37.0")
    assert field.clean("") is None
    for bad in ("38,45", "38.45", "38,4,1", "hot"):
        with pytest.raises(ValidationError):
            field.clean(bad)


@pytest.mark.parametrize(
    ("threshold", "below", "not_below"),
    [
        (
            "38.0",
            ["37,9", "37.9", "37", "36.6", " 35,2 "],
            ["38", "38,0", "38.4", "40", "384", "3a"],
        ),
        ("37.5", ["37,4", "37", "36.9"], ["37,5", "37.9", "38"]),
    ],
)
def test_the_fever_pattern_matches_only_temperatures_below_the_line(threshold, below, not_below):
    """The box's pattern is what lets CSS show the fever advice without JavaScript."""
    pattern = re.compile(below_pattern(Decimal(threshold)))
    assert all(pattern.fullmatch(value) for value in below)
    assert not any(pattern.fullmatch(value) for value in not_below)


def test_one_save_button_and_quick_actions_in_other_words(people, client):
    patient = people.patient_a
    log_days_back(patient, 1, {"fatigue": 2})
    client.force_login(patient)
    body = client.get(LOG).content.decode()
    assert len(re.findall(r"<button[^>]*>\s*Save\s*</button>", body)) == 1
    assert ">I feel as usual</button>" in body and ">Same as yesterday</button>" in body
    assert 'src="/static/js/log.js" defer' in body


def test_the_log_page_is_light(people, client):
    """All sites, so every symptom is on the page: at most 60 KB of HTML, 30 KB gzipped."""
    patient = make_patient(sites=["bone", "brain", "liver", "lung"], care_team=people.team_a)
    log_days_back(patient, 1, {"fatigue": 2, "bone_pain": 4})
    client.force_login(patient)
    html = client.get(LOG).content
    packed = gzip.compress(html)
    print(f"\nlog page, all sites: {len(html)} bytes of HTML, {len(packed)} bytes gzipped")
    assert len(html) <= 60 * 1024
    assert len(packed) <= 30 * 1024
