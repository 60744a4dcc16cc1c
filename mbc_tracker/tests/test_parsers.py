"""Request bodies the API takes are bounded in size and depth before they are parsed: a body
nested thousands of levels deep or larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a clear 4xx on
every endpoint, the anonymous token endpoint included, never a 500, and nothing is saved."""

from __future__ import annotations

import json
import time

import pytest
from django.utils import timezone

from mbc_tracker.parsers import MAX_DEPTH, nesting_depth
from symptoms.models import DailyLog

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def nested(levels: int, inner: str = "1") -> str:
    """``levels`` arrays inside one another (objects every other level), around ``inner``."""
    opening = "".join('{"a":' if level % 2 else "[" for level in range(levels))
    closing = "".join("}" if level % 2 else "]" for level in reversed(range(levels)))
    return opening + inner + closing


def send(api_client, method: str, url: str, body: str | bytes):
    return api_client.generic(method, url, body, content_type="application/json")


def test_json_nested_5000_deep_is_a_400_on_the_anonymous_token_endpoint(api_client):
    response = send(api_client, "POST", TOKEN_URL, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(("method", "url"), [("POST", "/api/v1/logs/"), ("PATCH", "/api/v1/me/")])
def test_json_nested_5000_deep_is_a_400_on_a_patients_endpoints(people, api_client, method, url):
    api_client.force_authenticate(people.patient_a)
    body = json.dumps({"date": str(timezone.localdate()), "notes": "x"})
    body = body[:-1] + ', "entries": ' + nested(5000) + "}"
    response = send(api_client, method, url, body)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert not DailyLog.objects.exists()
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Alice Patient"


def test_json_at_the_depth_limit_is_parsed_and_checked_as_usual(api_client):
    body = '{"email": ' + nested(MAX_DEPTH - 1, '"a@example.org"') + ', "password": "x"}'
    response = send(api_client, "POST", TOKEN_URL, body)
    assert response.status_code == 400
    assert "email" in response.json()  # the serializer's answer, not the parser's


def test_brackets_inside_strings_are_text_not_nesting(people, api_client):
    api_client.force_authenticate(people.patient_a)
    notes = '[{"\\"[' * 300  # brackets, quotes and escapes, all inside one string
    body = json.dumps({"date": str(timezone.localdate()), "entries": [], "notes": notes})
    response = send(api_client, "POST", "/api/v1/logs/", body)
    assert response.status_code == 201, response.content
    assert DailyLog.objects.get().notes == notes


def test_a_body_larger_than_the_upload_limit_is_a_413_and_nothing_is_saved(
    people, api_client, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    api_client.force_authenticate(people.patient_a)
    body = json.dumps({"date": str(timezone.localdate()), "entries": [], "notes": "x" * 5000})
    response = send(api_client, "POST", "/api/v1/logs/", body)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not DailyLog.objects.exists()
    response = send(api_client, "POST", TOKEN_URL, json.dumps({"email": "a" * 5000}))
    assert response.status_code == 413


def test_the_upload_limit_is_set_and_a_days_log_fits_well_within_it(settings):
    assert 64 * 1024 <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "\\"]]]]"]', 1),
        ("[[]][[[]]]", 3),
    ],
)
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth


def test_nesting_depth_stops_counting_past_the_limit():
    assert nesting_depth("[" * 100_000, limit=5) == 6


def test_a_web_form_larger_than_the_upload_limit_is_a_400_and_nothing_is_saved(
    people, client, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client.force_login(people.patient_a)
    form = {"name": "x" * 5000, "sites": ["bone"], "timezone": "Europe/London"}
    response = client.post("/settings/", form)
    assert response.status_code == 400
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Alice Patient"


@pytest.mark.parametrize(
    "text",
    ['\\"' * 100_000, '"' + "\\a" * 100_000, 'a"' * 100_000, "[]," * 80_000, '"' + "\\" * 200_000],
    ids=["escaped quotes", "escapes in a string", "many strings", "wide", "backslashes"],
)
def test_counting_takes_time_in_proportion_to_the_length(text):
    """Bodies made to make a backtracking pattern take quadratic time are counted in one pass."""
    started = time.perf_counter()
    nesting_depth(text)
    assert time.perf_counter() - started < 2
