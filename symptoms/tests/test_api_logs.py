"""/api/v1/logs/: a patient's own daily logs, addressed by date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.tests.factories import make_patient
from symptoms import services
from symptoms.models import DailyLog, LogEntry, Symptom
from symptoms.tests.factories import entries_from, log_day

pytestmark = pytest.mark.django_db
URL = "/api/v1/logs/"
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)  # in Europe/London (13:00 BST), the personas' time zone
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(api_client, people, persona: str):
    user = people.all()[persona]
    if user is not None:
        api_client.force_authenticate(user)
    return user


def _log_long_ago(patient, day: dt.date, values: dict | None = None) -> DailyLog:
    """A log for any past day, saved as if on that day (the 30-day window moves with it)."""
    return log_day(patient, day, values, now=dt.datetime.combine(day, dt.time(12), dt.UTC))


def _stored(patient, day: dt.date) -> dict[str, object]:
    log = DailyLog.objects.get(patient=patient, date=day)
    return {
        "notes": log.notes,
        "entries": {entry.symptom_id: entry.value for entry in log.entries.all()},
    }


def _counts() -> tuple[int, int]:
    return DailyLog.objects.count(), LogEntry.objects.count()


# --- Saving ---------------------------------------------------------------------------------------


def test_post_creates_then_replaces(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(
        URL,
        {
            "date": "2026-06-15",
            "entries": [
                {"symptom": "seizure", "present": True},
                {"symptom": "bone_pain", "severity": 6},
                {"symptom": "fever", "value": 38.4},
            ],
            "notes": "A rough day.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    log = DailyLog.objects.get(patient=people.patient_a, date=TODAY)
    assert body == {
        "id": log.pk,
        "date": "2026-06-15",
        "entries": [
            {"symptom": "bone_pain", "severity": 6},
            {"symptom": "fever", "value": 38.4},
            {"symptom": "seizure", "present": True},
        ],
        "notes": "A rough day.",
        "created_at": "2026-06-15T12:00:00Z",
        "updated_at": "2026-06-15T12:00:00Z",
        "flags": body["flags"],
        "entered_by": None,  # the patient's own log
    }
    # Urgent advice at once, from the rules run in the request (the worker stores flags later).
    assert [(f["id"], f["rule"], f["symptom"]) for f in body["flags"]] == [
        (None, "red_flag", "seizure"),
        (None, "fever", "fever"),
    ]
    assert _stored(people.patient_a, TODAY)["entries"] == {
        "bone_pain": 6,
        "fever": Decimal("38.4"),
        "seizure": True,
    }

    response = api_client.post(
        URL,
        {"date": "2026-06-15", "entries": [{"symptom": "fatigue", "severity": 3}], "notes": ""},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == log.pk
    assert body["entries"] == [{"symptom": "fatigue", "severity": 3}]
    assert body["notes"] == ""
    assert _stored(people.patient_a, TODAY) == {"notes": "", "entries": {"fatigue": 3}}
    assert _counts() == (1, 1)
    assert api_client.get(f"{URL}2026-06-15/").json() == body


def test_repeating_a_post_is_harmless(people, api_client):
    api_client.force_authenticate(people.patient_a)
    request = {
        "date": str(YESTERDAY),
        "entries": entries_from({"headache": 5, "confusion": False, "fever": 37.2}),
        "notes": "Same again",
    }
    first = api_client.post(URL, request, format="json")
    second = api_client.post(URL, request, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert _counts() == (1, 3)
    assert _stored(people.patient_a, YESTERDAY) == {
        "notes": "Same again",
        "entries": {"headache": 5, "confusion": False, "fever": Decimal("37.2")},
    }


def test_notes_are_optional_and_an_empty_day_is_a_log(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(URL, {"date": str(TODAY), "entries": []}, format="json")
    assert response.status_code == 201
    assert response.json()["entries"] == []
    assert response.json()["notes"] == ""


OK_ENTRY = {"symptom": "bone_pain", "severity": 2}
TOO_OLD = str(TODAY - dt.timedelta(days=31))

# (request body changes, the field named in the 400 body, the error inside "entries" if any)
BAD_INPUTS = {
    "future date": ({"date": str(TODAY + dt.timedelta(days=1))}, "date", None),
    "31 days back": ({"date": TOO_OLD}, "date", None),
    "missing date": ({"date": None}, "date", None),
    "malformed date": ({"date": "15/06/2026"}, "date", None),
    "impossible date": ({"date": "2026-02-30"}, "date", None),
    "date not a string": ({"date": 20260615}, "date", None),
    "entries missing": ({"entries": None}, "entries", None),
    "entries not a list": ({"entries": {"bone_pain": 3}}, "entries", None),
    "entries a string": ({"entries": "bone_pain"}, "entries", None),
    "entry not an object": ({"entries": [OK_ENTRY, 3]}, "entries", (1, "non_field_errors")),
    "unknown symptom": ({"entries": [{"symptom": "hiccups", "severity": 3}]}, "entries", "symptom"),
    "no symptom": ({"entries": [{"severity": 3}]}, "entries", "symptom"),
    "retired symptom": ({"entries": [{"symptom": "cough", "severity": 3}]}, "entries", "symptom"),
    "severity for presence": (
        {"entries": [{"symptom": "seizure", "severity": 3}]},
        "entries",
        "severity",
    ),
    "present for severity": (
        {"entries": [{"symptom": "bone_pain", "present": True}]},
        "entries",
        "present",
    ),
    "two values": (
        {"entries": [{"symptom": "bone_pain", "severity": 3, "value": 37.0}]},
        "entries",
        "value",
    ),
    "no value": ({"entries": [{"symptom": "bone_pain"}]}, "entries", "severity"),
    "string severity": (
        {"entries": [{"symptom": "bone_pain", "severity": "5"}]},
        "entries",
        "severity",
    ),
    "bool severity": (
        {"entries": [{"symptom": "bone_pain", "severity": True}]},
        "entries",
        "severity",
    ),
    "fractional severity": (
        {"entries": [{"symptom": "bone_pain", "severity": 5.5}]},
        "entries",
        "severity",
    ),
    "severity 11": ({"entries": [{"symptom": "bone_pain", "severity": 11}]}, "entries", "severity"),
    "severity -1": ({"entries": [{"symptom": "bone_pain", "severity": -1}]}, "entries", "severity"),
    "present not a bool": (
        {"entries": [{"symptom": "seizure", "present": "yes"}]},
        "entries",
        "present",
    ),
    "temperature 33.9": ({"entries": [{"symptom": "fever", "value": 33.9}]}, "entries", "value"),
    "temperature 43.1": ({"entries": [{"symptom": "fever", "value": 43.1}]}, "entries", "value"),
    # 43.05 was once rounded to 43.0 and saved: more than one decimal is refused, never rounded.
    "temperature 43.05": ({"entries": [{"symptom": "fever", "value": 43.05}]}, "entries", "value"),
    "temperature 38.45": ({"entries": [{"symptom": "fever", "value": 38.45}]}, "entries", "value"),
    "temperature '38.40'": (
        {"entries": [{"symptom": "fever", "value": "38.40"}]},
        "entries",
        "value",
    ),
    "temperature 1e400": (
        {"entries": [{"symptom": "fever", "value": "1e400"}]},
        "entries",
        "value",
    ),
    "temperature NaN": ({"entries": [{"symptom": "fever", "value": "NaN"}]}, "entries", "value"),
    "temperature a word": ({"entries": [{"symptom": "fever", "value": "hot"}]}, "entries", "value"),
    "temperature bool": ({"entries": [{"symptom": "fever", "value": True}]}, "entries", "value"),
    "same symptom twice": (
        {"entries": [OK_ENTRY, {"symptom": "bone_pain", "severity": 4}]},
        "entries",
        (1, "symptom"),
    ),
    "notes too long": ({"notes": "x" * 2001}, "notes", None),
    "notes not a string": ({"notes": ["x"]}, "notes", None),
}


@pytest.mark.parametrize("target", ["new day", "replace"])
@pytest.mark.parametrize("changes,field,entry_error", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_rejected_and_nothing_changes(
    people, api_client, target, changes, field, entry_error
):
    patient = people.patient_a
    log_day(patient, TODAY, {"bone_pain": 7, "seizure": False}, notes="Before")
    services.symptom_retire(symptom=Symptom.objects.get(code="cough"))
    before = _counts()

    request = {
        "date": str(TODAY if target == "replace" else YESTERDAY),
        "entries": [{"symptom": "fatigue", "severity": 1}],
        "notes": "After",
        **changes,
    }
    request = {key: value for key, value in request.items() if value is not None}
    api_client.force_authenticate(patient)
    response = api_client.post(URL, request, format="json")

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    if entry_error is not None:
        index, key = entry_error if isinstance(entry_error, tuple) else (0, entry_error)
        errors = body["entries"]
        assert len(errors) == len(request["entries"])  # aligned with the entries
        assert list(errors[index]) == [key]
        assert all(error == {} for i, error in enumerate(errors) if i != index)
    assert _counts() == before
    assert _stored(patient, TODAY) == {
        "notes": "Before",
        "entries": {"bone_pain": 7, "seizure": False},
    }


def test_a_temperature_with_two_decimals_is_refused_in_plain_words(people, api_client):
    api_client.force_authenticate(people.patient_a)
    entries = [{"symptom": "fever", "value": 43.05}]
    response = api_client.post(URL, {"date": str(TODAY), "entries": entries}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "entries": [
            {
                "value": [
                    "Temperature: please use one number after the point at most, for example "
                    "38.4 (not 38.45)."
                ]
            }
        ]
    }
    assert _counts() == (0, 0)


@pytest.mark.parametrize("value", [38, 38.4, "38.4", 43.0, 34])
def test_a_temperature_with_one_decimal_or_none_is_saved_as_given(people, api_client, value):
    api_client.force_authenticate(people.patient_a)
    entries = [{"symptom": "fever", "value": value}]
    response = api_client.post(URL, {"date": str(TODAY), "entries": entries}, format="json")
    assert response.status_code == 201, response.content
    assert LogEntry.objects.get().temperature == Decimal(str(value))


def test_the_log_form_and_the_api_share_the_temperature_rule():
    from symptoms import forms

    field = forms.TemperatureField(label="Temperature", name="Temperature")
    for typed in ("43.05", "38,45", "38.40"):
        with pytest.raises(ValidationError):
            field.clean(typed)
        assert services.too_precise(Decimal(typed.replace(",", ".")))
    assert field.clean("38,4") == Decimal("38.4")
    assert not services.too_precise(Decimal("38.4"))


def test_body_must_be_an_object(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(URL, [OK_ENTRY], format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert _counts() == (0, 0)


# --- The patient's own calendar day ---------------------------------------------------------------

# At 10:30 UTC it is 23:30 on 10 March in Auckland (UTC+13) and 03:30 in Los Angeles (UTC-7).
# At 12:00 UTC it is already 01:00 on 11 March in Auckland, still 05:00 on 10 March in LA.
EVENING_IN_AUCKLAND = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)
AUCKLAND_AFTER_MIDNIGHT = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "instant,timezone,day,status",
    [
        (EVENING_IN_AUCKLAND, "Pacific/Auckland", "2026-03-10", 201),
        (EVENING_IN_AUCKLAND, "Pacific/Auckland", "2026-03-11", 400),
        (EVENING_IN_AUCKLAND, "America/Los_Angeles", "2026-03-10", 201),
        (EVENING_IN_AUCKLAND, "America/Los_Angeles", "2026-03-11", 400),
        (AUCKLAND_AFTER_MIDNIGHT, "Pacific/Auckland", "2026-03-11", 201),
        (AUCKLAND_AFTER_MIDNIGHT, "America/Los_Angeles", "2026-03-11", 400),
        (AUCKLAND_AFTER_MIDNIGHT, "America/Los_Angeles", "2026-03-10", 201),
        # 30 days back from each patient's own today is the earliest day; 31 is too old.
        (AUCKLAND_AFTER_MIDNIGHT, "Pacific/Auckland", "2026-02-09", 201),
        (AUCKLAND_AFTER_MIDNIGHT, "Pacific/Auckland", "2026-02-08", 400),
        (AUCKLAND_AFTER_MIDNIGHT, "America/Los_Angeles", "2026-02-08", 201),
        (AUCKLAND_AFTER_MIDNIGHT, "America/Los_Angeles", "2026-02-07", 400),
    ],
)
def test_dates_follow_the_patients_own_time_zone(api_client, instant, timezone, day, status):
    patient = make_patient(timezone=timezone)
    api_client.force_authenticate(patient)
    with time_machine.travel(instant, tick=False):
        response = api_client.post(
            URL, {"date": day, "entries": [OK_ENTRY], "notes": ""}, format="json"
        )
    assert response.status_code == status, response.json()
    if status == 400:
        assert list(response.json()) == ["date"]
    assert DailyLog.objects.filter(patient=patient).count() == (1 if status == 201 else 0)


# --- Reading and deleting -------------------------------------------------------------------------


def test_list_is_own_logs_newest_first(people, api_client):
    for days_back in (3, 0, 1):
        log_day(people.patient_a, TODAY - dt.timedelta(days=days_back), {"fatigue": days_back})
    log_day(people.patient_b, TODAY, {"nausea": 2})
    api_client.force_authenticate(people.patient_a)
    body = api_client.get(URL).json()
    assert body["count"] == 3
    assert body["next"] is None
    assert body["previous"] is None
    assert [log["date"] for log in body["results"]] == ["2026-06-15", "2026-06-14", "2026-06-12"]
    assert body["results"][2]["entries"] == [{"symptom": "fatigue", "severity": 3}]
    assert body["results"][0]["flags"] == []


def test_list_filters_by_from_and_to(people, api_client):
    for days_back in range(6):
        log_day(people.patient_a, TODAY - dt.timedelta(days=days_back))
    api_client.force_authenticate(people.patient_a)

    def dates(query: str) -> list[str]:
        response = api_client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [log["date"] for log in response.json()["results"]]

    assert dates("from=2026-06-13") == ["2026-06-15", "2026-06-14", "2026-06-13"]
    assert dates("to=2026-06-11") == ["2026-06-11", "2026-06-10"]
    assert dates("from=2026-06-11&to=2026-06-12") == ["2026-06-12", "2026-06-11"]
    assert dates("from=2026-06-12&to=2026-06-12") == ["2026-06-12"]
    assert dates("from=2025-01-01&to=2025-12-31") == []
    assert len(dates("from=&to=")) == 6  # empty means not given, as in HTML forms


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=yesterday", "from"),
        ("from=2026-13-01", "from"),
        ("to=15-06-2026", "to"),
        ("from=2026-06-15&to=2026-06-14", "to"),
    ],
)
def test_list_rejects_bad_from_and_to(people, api_client, query, field):
    api_client.force_authenticate(people.patient_a)
    response = api_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_list_is_paginated(people, api_client):
    first = TODAY - dt.timedelta(days=54)
    for offset in range(55):
        _log_long_ago(people.patient_a, first + dt.timedelta(days=offset))
    api_client.force_authenticate(people.patient_a)

    page_1 = api_client.get(URL).json()
    assert page_1["count"] == 55
    assert len(page_1["results"]) == 50
    assert page_1["results"][0]["date"] == "2026-06-15"
    assert page_1["previous"] is None

    page_2 = api_client.get(page_1["next"]).json()
    assert [log["date"] for log in page_2["results"]] == [
        str(first + dt.timedelta(days=offset)) for offset in (4, 3, 2, 1, 0)
    ]
    assert page_2["next"] is None

    filtered = api_client.get(f"{URL}?from=2026-01-01&page=2").json()
    assert filtered["count"] == 55
    assert "from=2026-01-01" in filtered["previous"]


@pytest.mark.parametrize("logs", [3, 30])
def test_list_query_count_is_constant(people, api_client, django_assert_max_num_queries, logs):
    values = {"bone_pain": 4, "headache": 2, "seizure": False, "fever": 37.5, "fatigue": 6}
    for days_back in range(logs):
        log_day(people.patient_a, TODAY - dt.timedelta(days=days_back), values)
    api_client.force_authenticate(people.patient_a)
    # count, page of logs, their entries
    with django_assert_max_num_queries(4):  # + the patient's open flags, once per response
        body = api_client.get(URL).json()
    assert body["count"] == logs
    assert all(len(log["entries"]) == 5 for log in body["results"])


@pytest.mark.parametrize("count", [1, 10])
def test_post_query_count_does_not_grow_with_entries(
    people, api_client, django_assert_num_queries, count
):
    codes = ["bone_pain", "back_pain", "headache", "nausea", "fatigue", "cough", "itching",
             "thirst", "constipation", "diarrhea"][:count]  # fmt: skip
    token = api_client.post(
        "/api/v1/auth/token/",
        {"email": "patient.a@example.org", "password": "correct horse battery staple"},
        format="json",
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"date": str(TODAY), "entries": entries_from(dict.fromkeys(codes, 3))}
    # Warm what each process keeps (django-auditlog's content type, the rules' thresholds) with
    # a save for another day.
    warm = {"date": str(YESTERDAY), "entries": body["entries"]}
    assert api_client.post(URL, warm, format="json").status_code == 201
    # (inside the test's transaction, the service's own transaction shows as SAVEPOINT/RELEASE)
    # token with user and profile; savepoint; the day's log updated if it exists (none), so
    # inserted; its audit entry; one insert for all entries; cancel the day's log nudge; record
    # the flag evaluation it needs (one upsert); release; the urgent rules in the request: 30
    # days of logs with their entries, then one row of the restaging facts, whether a flag is
    # live (none, so the response does not read flags) and the thresholds' version
    with django_assert_num_queries(11):
        assert api_client.post(URL, body, format="json").status_code == 201
    # token with user and profile; savepoint; the log's notes replaced, reading the old ones
    # under the row lock, and its entries deleted (one statement; no audit entry, the notes did
    # not change); one insert for all entries; cancel the day's log nudge; record the
    # follow-up; release; the urgent rules' two queries. Nothing is read back.
    with django_assert_num_queries(9):
        response = api_client.post(URL, body, format="json")
    assert response.status_code == 200
    assert len(response.json()["entries"]) == count


def test_detail_query_count(people, api_client, django_assert_max_num_queries):
    log_day(people.patient_a, TODAY, {"bone_pain": 4, "headache": 2, "fever": 37.5})
    api_client.force_authenticate(people.patient_a)
    with django_assert_max_num_queries(3):  # + the patient's open flags
        assert len(api_client.get(f"{URL}{TODAY}/").json()["entries"]) == 3


def test_get_and_delete_by_date(people, api_client):
    log = log_day(people.patient_a, YESTERDAY, {"bone_pain": 4, "fever": 38.0}, notes="Sore")
    api_client.force_authenticate(people.patient_a)

    response = api_client.get(f"{URL}{YESTERDAY}/")
    assert response.status_code == 200
    assert response.json()["id"] == log.pk
    assert response.json()["entries"] == [
        {"symptom": "bone_pain", "severity": 4},
        {"symptom": "fever", "value": 38.0},
    ]
    assert response.json()["notes"] == "Sore"

    assert api_client.get(f"{URL}{TODAY}/").status_code == 404
    assert api_client.delete(f"{URL}{TODAY}/").status_code == 404

    assert api_client.delete(f"{URL}{YESTERDAY}/").status_code == 204
    assert _counts() == (0, 0)
    assert api_client.get(f"{URL}{YESTERDAY}/").status_code == 404
    assert api_client.delete(f"{URL}{YESTERDAY}/").status_code == 404


@pytest.mark.parametrize("path", ["2026-02-30", "2026-6-15", "today", "20260615"])
def test_a_path_that_is_not_a_date_is_404(people, api_client, path):
    api_client.force_authenticate(people.patient_a)
    assert api_client.get(f"{URL}{path}/").status_code == 404


# --- Who may do what ------------------------------------------------------------------------------


STAFF_AND_ANONYMOUS = [
    ("coordinator_a", 403),
    ("coordinator_b", 403),
    ("admin", 403),
    ("anonymous", 401),
]


@pytest.mark.parametrize(
    "persona,status,count",
    [("patient_a", 200, 2), ("patient_b", 200, 0)] + [(*row, None) for row in STAFF_AND_ANONYMOUS],
)
def test_list_matrix(people, api_client, persona, status, count):
    log_day(people.patient_a, TODAY)
    log_day(people.patient_a, YESTERDAY)
    _login(api_client, people, persona)
    response = api_client.get(URL)
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


@pytest.mark.parametrize(
    "persona,status", [("patient_a", 200), ("patient_b", 404), *STAFF_AND_ANONYMOUS]
)
def test_detail_matrix(people, api_client, persona, status):
    log = log_day(people.patient_a, TODAY, {"bone_pain": 3})
    _login(api_client, people, persona)
    response = api_client.get(f"{URL}{TODAY}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == log.pk


@pytest.mark.parametrize(
    "persona,status", [("patient_a", 204), ("patient_b", 404), *STAFF_AND_ANONYMOUS]
)
def test_delete_matrix(people, api_client, persona, status):
    log_day(people.patient_a, TODAY, {"bone_pain": 3}, notes="Mine")
    _login(api_client, people, persona)
    assert api_client.delete(f"{URL}{TODAY}/").status_code == status
    if persona != "patient_a":
        assert _stored(people.patient_a, TODAY) == {"notes": "Mine", "entries": {"bone_pain": 3}}
    else:
        assert not DailyLog.objects.exists()


@pytest.mark.parametrize(
    "persona,status", [("patient_a", 200), ("patient_b", 201), *STAFF_AND_ANONYMOUS]
)
def test_post_matrix(people, api_client, persona, status):
    """Posting A's date replaces A's log only for A; B gets a log of her own; staff save nothing."""
    log_day(people.patient_a, TODAY, {"bone_pain": 3}, notes="Mine")
    user = _login(api_client, people, persona)
    response = api_client.post(
        URL,
        {"date": str(TODAY), "entries": [{"symptom": "nausea", "severity": 8}], "notes": "New"},
        format="json",
    )
    assert response.status_code == status
    if persona == "patient_a":
        assert _stored(people.patient_a, TODAY) == {"notes": "New", "entries": {"nausea": 8}}
        return
    assert _stored(people.patient_a, TODAY) == {"notes": "Mine", "entries": {"bone_pain": 3}}
    if persona == "patient_b":
        own = DailyLog.objects.get(patient=user, date=TODAY)
        assert response.json()["id"] == own.pk
        assert _stored(user, TODAY) == {"notes": "New", "entries": {"nausea": 8}}
        assert _counts() == (2, 2)
    else:
        assert _counts() == (1, 1)


def test_same_date_means_each_patients_own_log(people, api_client):
    log_day(people.patient_a, TODAY, {"bone_pain": 3}, notes="A's day")
    own = log_day(people.patient_b, TODAY, {"nausea": 1}, notes="B's day")
    api_client.force_authenticate(people.patient_b)

    body = api_client.get(f"{URL}{TODAY}/").json()
    assert (body["id"], body["notes"]) == (own.pk, "B's day")
    assert api_client.delete(f"{URL}{TODAY}/").status_code == 204
    assert not DailyLog.objects.filter(patient=people.patient_b).exists()
    assert _stored(people.patient_a, TODAY) == {"notes": "A's day", "entries": {"bone_pain": 3}}


# --- What a save does besides the rows: the audit and the flag evaluation ----------------------


def _audit(log: DailyLog) -> list[tuple[int, int | None, dict]]:
    from auditlog.models import LogEntry as AuditEntry

    entries = AuditEntry.objects.get_for_object(log).order_by("pk")
    return [(entry.action, entry.actor_id, entry.changes_dict) for entry in entries]


def test_saves_are_audited_as_model_saves_were(people, api_client):
    from auditlog.models import LogEntry as AuditEntry

    api_client.force_authenticate(people.patient_a)
    request = {"date": str(TODAY), "entries": [{"symptom": "fatigue", "severity": 3}]}
    assert api_client.post(URL, {**request, "notes": "Tired"}, format="json").status_code == 201
    log = DailyLog.objects.get()
    [(action, actor, changes)] = _audit(log)
    assert (action, actor) == (AuditEntry.Action.CREATE, people.patient_a.pk)
    assert changes["notes"] == ["None", "Tired"]
    assert changes["date"] == ["None", str(TODAY)]

    # Replacing with the same notes changes nothing the audit follows (entries are a snapshot).
    assert api_client.post(URL, {**request, "notes": "Tired"}, format="json").status_code == 200
    assert len(_audit(log)) == 1

    assert api_client.post(URL, {**request, "notes": "Better"}, format="json").status_code == 200
    assert _audit(log)[1:] == [
        (AuditEntry.Action.UPDATE, people.patient_a.pk, {"notes": ["Tired", "Better"]})
    ]

    # A rejected save writes no audit entry either.
    bad = {**request, "notes": "Worse", "entries": [{"symptom": "fatigue", "severity": 11}]}
    assert api_client.post(URL, bad, format="json").status_code == 400
    assert len(_audit(log)) == 2
    assert DailyLog.objects.get().notes == "Better"


def test_a_save_records_its_flag_evaluation_and_a_rejected_one_does_not(
    people, api_client, django_capture_on_commit_callbacks
):
    from followups.models import FollowUp
    from followups.services import FLAG_EVALUATION

    api_client.force_authenticate(people.patient_a)
    bad = {"date": str(TODAY), "entries": [{"symptom": "fatigue", "severity": 11}]}
    with django_capture_on_commit_callbacks() as callbacks:
        assert api_client.post(URL, bad, format="json").status_code == 400
    assert not FollowUp.objects.exists() and not callbacks

    good = {"date": str(TODAY), "entries": [{"symptom": "fatigue", "severity": 3}]}
    with django_capture_on_commit_callbacks() as callbacks:
        assert api_client.post(URL, good, format="json").status_code == 201
        assert api_client.post(URL, good, format="json").status_code == 200
    row = FollowUp.objects.get()
    assert (row.task, row.patient_id, row.version) == (FLAG_EVALUATION, people.patient_a.pk, 2)
    assert len(callbacks) == 2  # each save rings the worker once it commits


def test_the_portable_upsert_creates_then_replaces(people):
    # SQLite (make run) saves through the ORM; the same contract as PostgreSQL's statement.
    patient = people.patient_a
    log, created, old = services._log_upsert_orm(patient=patient, date=TODAY, notes="One", now=NOW)
    assert (created, old, log.notes) == (True, "", "One")
    again, created, old = services._log_upsert_orm(
        patient=patient, date=TODAY, notes="Two", now=NOW
    )
    assert (again.pk, created, old, again.notes) == (log.pk, False, "One", "Two")
    assert DailyLog.objects.get().notes == "Two"
