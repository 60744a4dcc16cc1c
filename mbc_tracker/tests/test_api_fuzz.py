"""Schema fuzzing: generated requests against the published OpenAPI schema, in-process.

For each role (a patient, a coordinator, nobody signed in) every operation of `/api/schema/` gets
schemathesis's coverage cases (each boundary of every parameter and each way to break it) and a
fixed number of generated requests, valid and invalid. Every answer is checked: no server error,
a status code, content type and body the schema declares, invalid input refused, valid input
accepted, no answer without the credentials it needs. Generation is derandomised: a run of the
same test files sends the same requests (Hypothesis also draws on constants of the project
modules loaded, so the whole suite and this file alone differ a little). The figures per role are
printed at the end of the run (api_fuzz_report.py).
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.test.client import ClientHandler
from django.utils import timezone
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.pytest._test_builder import build_operation_test

from accounts import credentials
from appointments.tests.appointment_factories import book
from conftest import Personas
from flags.tests.factories import FlagFactory
from mbc_tracker.tests.api_fuzz_report import FIGURES, RoleFigures
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db

ROLES = ("patient", "coordinator", "anonymous")
# Generated requests per operation and role, on top of the coverage cases.
MAX_EXAMPLES = 10
# Each role sends at least this many (about 1,500 to 2,000 today), so a schema or a generator
# that shrank is noticed; the three together well over the 1,000 asked for.
MIN_REQUESTS_PER_ROLE = 1000

# Requests the schema calls valid that the API refuses with 400 for a rule an OpenAPI schema
# cannot state: one on the clock, on another field, on the caller's role or on stored state.
# Keyed by operation, or by "role operation" for one role only. Each lists the only fields such
# a 400 may name: a 400 that names any other field is still a failure.
BUSINESS_RULES: dict[str, set[str]] = {
    # in the future, at most 3 years ahead (and a change: not once it is over or cancelled)
    "POST /api/v1/appointments/": {"starts_at"},
    "PATCH /api/v1/appointments/{id}/": {"starts_at", "non_field_errors"},
    # coordinators say which of their patients it is for
    "coordinator POST /api/v1/appointments/": {"patient"},
    # today or up to 30 days back in the patient's own zone; each entry a symptom of the
    # catalogue (which changes) with the value its kind takes
    "POST /api/v1/logs/": {"date", "entries"},
    # `to` on or after `from`
    "GET /api/v1/logs/": {"to"},
    "GET /api/v1/appointments/": {"to"},
    # a phone number one can really call
    "PATCH /api/v1/me/": {"phone"},
    "PATCH /api/v1/patients/{id}/": {"phone"},
    # the patient settings are for patients only
    "coordinator PATCH /api/v1/me/": {"sites", "timezone", "log_reminder_time", "call_time"},
    # one of the coordinator's own care teams; an email address nobody has yet
    "POST /api/v1/patients/": {"care_team", "email"},
    # only urgent advice asks for an answer
    "POST /api/v1/flags/{id}/respond/": {"response"},
}


# Text typed by a person refuses control, format and line-separator characters
# (accounts.validators: validate_plain_text, validate_name). The schema states the ASCII part of
# that (no NUL); Unicode categories have no portable JSON Schema pattern, so a 400 that gives one
# of these reasons is the rule at work, whichever text field it names.
HIDDEN_CHARACTER_RULES = {
    "Please use letters, numbers and spaces only, on one line.",
    "Please write the name on one line, without tabs or other hidden characters.",
}


class InProcessApp:
    """The project as a WSGI application, through Django's test client handler: each request
    runs inside the test's transaction on the test database, and a server error's traceback is
    kept for the report."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)
        self.requests = 0
        self.server_errors = 0
        self.tracebacks: list[str] = []

    def __call__(self, environ, start_response):
        self.requests += 1
        # No network in between: a compressed body would only have to be undone again.
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        got_request_exception.connect(self._keep_traceback, dispatch_uid="api-fuzz")
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid="api-fuzz")
        if response.status_code >= 500:
            self.server_errors += 1
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response)] if response.streaming else [response.content]

    def _keep_traceback(self, sender: object, request: object, **kwargs: object) -> None:
        self.tracebacks.append(traceback.format_exc())


@dataclass
class Findings:
    role: str
    failures: dict[str, str] = field(default_factory=dict)

    def add(self, operation: str, error: BaseException, response: object) -> None:
        if not isinstance(error, FailureGroup):
            self.failures.setdefault(f"{operation}: {type(error).__name__}", repr(error))
            return
        for failure in error.exceptions:
            if isinstance(failure, RejectedPositiveData) and self.business_rule(
                operation, response
            ):
                continue
            self.failures.setdefault(f"{operation}: {failure.title}", str(error))

    def business_rule(self, operation: str, response: object) -> bool:
        """Whether a 400 names only fields whose rules the schema cannot state."""
        if getattr(response, "status_code", None) != 400:
            return False
        try:
            body = response.json()
        except ValueError:
            return False
        if not isinstance(body, dict):
            return False
        allowed = BUSINESS_RULES.get(operation, set())
        allowed |= BUSINESS_RULES.get(f"{self.role} {operation}", set())
        hidden_characters = {
            name
            for name, messages in body.items()
            if isinstance(messages, list) and set(messages) <= HIDDEN_CHARACTER_RULES
        }
        return set(body) <= allowed | hidden_characters


def world(people: Personas) -> None:
    """Something to read and change: patient A's log, flag and appointment."""
    log_days_back(people.patient_a, 1, {"bone_pain": 3})
    FlagFactory(patient=people.patient_a)
    now = timezone.now()
    book(people.patient_a, starts_at=now + dt.timedelta(days=10), now=now)


def sample_time_zones(schema_dict: dict) -> None:
    """Each value of an enum is a coverage case of its own, and some 600 time zones appear in
    four places: the fuzzer tries every 50th zone, London and UTC instead of all of them."""
    zones = schema_dict["components"]["schemas"]["TimezoneEnum"]["enum"]
    assert len(zones) > 300
    schema_dict["components"]["schemas"]["TimezoneEnum"]["enum"] = sorted(
        {*zones[::50], "Europe/London", "UTC"}
    )


def checker(label: str, findings: Findings):
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        try:
            case.validate_response(response, transport_kwargs={})
        except FailureGroup as error:
            findings.add(label, error, response)

    return check


def fuzz(role: str, people: Personas, schema_dict: dict) -> tuple[InProcessApp, Findings]:
    app = InProcessApp()
    schema = schemathesis.openapi.from_dict(schema_dict)
    schema.app = app
    user = {"patient": people.patient_a, "coordinator": people.coordinator_a}.get(role)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    findings = Findings(role)
    for result in schema.get_all_operations():
        operation = result.ok()
        if user is not None:
            # A token of its own for each operation: signing out (this device, or everywhere)
            # is an operation too, and must not leave the rest of the run signed out.
            token = credentials.api_token_issue(user=user, device="schema fuzzing")
            schema.config.update(headers={"Authorization": f"Token {token.key}"})
        test = build_operation_test(
            config=schema.config,
            operation=operation,
            test_func=checker(operation.label, findings),
            given_kwargs={},
            feedback=FeedbackSources(),
        )
        # Repeatable and bounded: the same examples every run, no shrinking, no saved examples.
        test = hypothesis.settings(
            test._hypothesis_internal_use_settings,
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )(test)
        test()
    for error in app.tracebacks:
        findings.failures.setdefault(f"server error: {error.splitlines()[-1]}", error)
    return app, findings


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_generated_requests_as_its_schema_says(role, people, client):
    world(people)
    schema_dict = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    sample_time_zones(schema_dict)

    started = time.monotonic()
    app, findings = fuzz(role, people, schema_dict)
    FIGURES[role] = RoleFigures(
        requests=app.requests,
        server_errors=app.server_errors,
        failures=len(findings.failures),
        seconds=time.monotonic() - started,
    )

    report = "\n".join(f"- {key}\n{text}" for key, text in sorted(findings.failures.items()))
    assert not findings.failures, f"{len(findings.failures)} findings as {role}:\n{report}"
    assert app.server_errors == 0
    assert app.requests >= MIN_REQUESTS_PER_ROLE
