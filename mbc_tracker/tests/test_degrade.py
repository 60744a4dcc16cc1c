"""Degrade, never crash: with the database unreachable every request gets a calm 503 with
Retry-After (JSON for the API, a page with the emergency numbers for people), and the app recovers
by itself once the database is back; with the cache unreachable, sign-in still works and is still
rate-limited; /healthz names the dependency that is down.

Nothing is mocked: "database down" is a real failed connection (the app's connection pointed at a
closed port, or cut by the server with pg_terminate_backend), "cache down" a real Redis client
pointed at a closed port.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from rest_framework.test import APIClient

from accounts import credentials
from accounts.models import SignInWindow
from accounts.tests.factories import PASSWORD, CareTeamFactory, CoordinatorFactory, make_patient
from mbc_tracker import urls as project_urls
from mbc_tracker.celery import app as celery_app
from mbc_tracker.outage import QuietOutageTracebacks, is_database_outage

# Real connections are closed and cut, so no test runs inside a transaction of its own.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TOKEN_URL = "/api/v1/auth/token/"
NUMBERS = {"EMERGENCY_NUMBER": "112", "CARE_TEAM_24H_LINE": "0800 123 4567"}


def closed_port() -> int:
    """A local port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    """The app's database connection fails for real: closed, and pointed at a closed port."""
    saved = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", closed_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved


@contextlib.contextmanager
def console_output() -> Iterator[io.StringIO]:
    """What the configured console log handler prints (Django's records and ours), filters
    applied, as the server's log would show it."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(f, QuietOutageTracebacks) for f in handler.filters)
    ]
    printed = io.StringIO()
    saved = handler.setStream(printed)
    try:
        yield printed
    finally:
        handler.setStream(saved)


def cache_down():
    url = f"redis://127.0.0.1:{closed_port()}/0"
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
    )


def assert_json_503(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    assert "try again" in response.json()["detail"]


def assert_calm_page_503(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "We will be back in a few minutes" in page
    assert 'href="tel:112"' in page
    assert "0800 123 4567" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert "999" not in page  # the numbers in settings, never a default


@pytest.fixture
def people():
    with override_settings(**NUMBERS):
        team = CareTeamFactory()
        patient = make_patient(care_team=team)
        coordinator = CoordinatorFactory(teams=[team])
        yield {"patient": patient, "coordinator": coordinator}


def signed_in(user) -> Client:
    # The test client re-raises an error Django signalled even when a middleware answered it
    # cleanly (an outage met before the view); the answer is what these tests check.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def with_token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {credentials.api_token_issue(user=user).key}")
    return client


# --- The database down -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["patient", "coordinator"])
def test_api_answers_json_503_with_retry_after_and_recovers(people, role, caplog):
    client = with_token(people[role])
    assert client.get("/api/v1/me/").status_code == 200

    with database_down(), caplog.at_level(logging.WARNING, logger="mbc_tracker.outage"):
        for _ in range(2):
            assert_json_503(client.get("/api/v1/me/"))
        assert_json_503(client.post("/api/v1/logs/", {}, format="json"))

    assert client.get("/api/v1/me/").status_code == 200  # back by itself
    lines = [r.getMessage() for r in caplog.records if r.name == "mbc_tracker.outage"]
    assert len(lines) == 3
    assert all(line.startswith("Database unavailable; answered 503") for line in lines)
    assert all(r.exc_info is None for r in caplog.records)


def test_api_with_a_session_answers_json_503_too(people):
    client = signed_in(people["coordinator"])  # DRF reads the session to authenticate
    with database_down():
        assert_json_503(client.get("/api/v1/patients/"))
    assert client.get("/api/v1/patients/").status_code == 200


def test_anonymous_token_request_answers_json_503(people):
    client = APIClient()
    with override_settings(**NUMBERS), database_down():
        response = client.post(
            TOKEN_URL, {"email": people["patient"].email, "password": PASSWORD}, format="json"
        )
    assert_json_503(response)
    assert client.post(
        TOKEN_URL, {"email": people["patient"].email, "password": PASSWORD}, format="json"
    ).json()["token"]


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("patient", ["/", "/log/", "/history/", "/settings/"]),
        ("coordinator", ["/", "/appointments/"]),
    ],
)
def test_pages_answer_the_calm_page_with_the_numbers_and_recover(people, role, paths):
    client = signed_in(people[role])
    with override_settings(**NUMBERS), console_output() as printed:
        assert client.get(paths[0]).status_code == 200
        with database_down():
            for page in paths:
                response = client.get(page)
                assert_calm_page_503(response)
                assert f'href="{page}"' in response.content.decode()  # "Try again"
        assert client.get(paths[0]).status_code == 200

    logged = printed.getvalue()
    assert logged.count("Database unavailable; answered 503") == len(paths)
    assert "Traceback" not in logged
    assert "Internal Server Error" not in logged


def test_a_failed_web_sign_in_answers_the_calm_page(people):
    client = Client()
    with override_settings(**NUMBERS), database_down():
        response = client.post(
            "/accounts/login/", {"username": people["patient"].email, "password": PASSWORD}
        )
    assert_calm_page_503(response)
    assert 'class="button primary"' not in response.content.decode()  # no "Try again" for a POST


def test_a_connection_cut_by_the_server_answers_503_then_reconnects(people):
    """ "terminating connection due to administrator command", as in a PostgreSQL restart."""
    client = with_token(people["patient"])
    assert client.get("/api/v1/me/").status_code == 200
    backend_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])

    assert_json_503(client.get("/api/v1/me/"))
    assert connection.connection is None  # the dead connection was discarded...
    assert client.get("/api/v1/me/").status_code == 200  # ...and a new one opened


def session_write(request: HttpRequest) -> HttpResponse:
    """A view that needs no database, but whose session the session middleware must save."""
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("test-session-write/", session_write),
    path("api/test-session-write/", session_write),
    *project_urls.urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_an_outage_inside_a_middleware_answers_503_too(people, debug):
    """The session is saved by a middleware after the view: no view error, still no 500 (nor,
    in development, Django's debugging page)."""
    # Django's test client re-raises any exception a request signalled, even one answered well.
    client = Client(raise_request_exception=False)
    with (
        override_settings(DEBUG=debug, **NUMBERS),
        console_output() as printed,
        database_down(),
    ):
        assert_calm_page_503(client.get("/test-session-write/"))
        assert_json_503(client.get("/api/test-session-write/"))
    logged = printed.getvalue()
    assert logged.count("Database unavailable; answered 503") == 2
    assert "Traceback" not in logged
    assert "Internal Server Error" not in logged


class ReadsTheUserFirst:
    """Like a middleware that checks a signed-in person's session before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018 - loads the session and the user
        return self.get_response(request)


def test_an_outage_in_a_middleware_before_the_view_answers_503(people, settings):
    after_auth = settings.MIDDLEWARE.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: after_auth + 1],
        f"{__name__}.ReadsTheUserFirst",
        *settings.MIDDLEWARE[after_auth + 1 :],
    ]
    client = signed_in(people["patient"])
    client.raise_request_exception = False
    with override_settings(**NUMBERS), console_output() as printed, database_down():
        # Without that middleware, this is a 404 that needs no database at all.
        assert_calm_page_503(client.get("/no-such-page/"))
        assert_json_503(client.get("/api/v1/me/"))
    assert "Traceback" not in printed.getvalue()
    assert client.get("/api/v1/me/").status_code == 200


def test_the_log_filter_drops_only_outage_tracebacks():
    quiet = QuietOutageTracebacks()

    def record(name: str, error: BaseException | None) -> logging.LogRecord:
        exc_info = (type(error), error, None) if error else None
        return logging.LogRecord(name, logging.ERROR, __file__, 1, "boom", None, exc_info)

    from django.db import OperationalError

    assert not quiet.filter(record("django.request", OperationalError("server closed")))
    assert quiet.filter(record("django.request", ValueError("a real bug")))
    assert quiet.filter(record("flags.tasks", OperationalError("logged by a task")))
    assert is_database_outage(OperationalError()) and not is_database_outage(ValueError())


# --- The cache down ----------------------------------------------------------------------------


def test_token_sign_in_works_with_the_cache_down_and_says_so(people, caplog):
    client = APIClient()
    with cache_down(), caplog.at_level(logging.WARNING, logger="accounts.throttling"):
        response = client.post(
            TOKEN_URL, {"email": people["patient"].email, "password": PASSWORD}, format="json"
        )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").json()["email"] == people["patient"].email
    assert any("Cache unavailable" in r.getMessage() for r in caplog.records)


def test_sign_in_is_still_rate_limited_with_the_cache_down(people):
    client = APIClient()
    body = {"email": people["patient"].email, "password": PASSWORD}
    with cache_down():
        statuses = [client.post(TOKEN_URL, body, format="json") for _ in range(11)]
    assert [r.status_code for r in statuses[:10]] == [200] * 10
    assert statuses[10].status_code == 429
    assert 0 < int(statuses[10]["Retry-After"]) <= 60
    assert sum(SignInWindow.objects.values_list("hits", flat=True)) == 11


def test_lockout_still_holds_with_the_cache_down(people):
    client = APIClient()
    email = people["patient"].email
    with cache_down():
        for _ in range(5):
            client.post(TOKEN_URL, {"email": email, "password": "nope"}, format="json")
        response = client.post(TOKEN_URL, {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_web_sign_in_works_with_the_cache_down(people):
    client = Client()
    with cache_down():
        assert client.get("/accounts/login/").status_code == 200
        response = client.post(
            "/accounts/login/", {"username": people["patient"].email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200


def test_with_the_cache_up_the_limit_is_counted_in_the_cache(people):
    client = APIClient()
    body = {"email": people["patient"].email, "password": PASSWORD}
    statuses = [client.post(TOKEN_URL, body, format="json").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert not SignInWindow.objects.exists()


# --- /healthz ----------------------------------------------------------------------------------


@pytest.fixture
def broker_down():
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    yield
    celery_app.conf.broker_url = saved


def test_healthz_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_healthz_names_the_cache_as_down(client):
    with cache_down():
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "down", "broker": "ok"},
    }


def test_healthz_names_the_broker_as_down(client, broker_down):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "down"}


def test_healthz_is_503_when_the_database_is_down_and_ok_after(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json() == {
        "status": "down",
        "checks": {"database": "down", "cache": "ok", "broker": "ok"},
    }
    assert client.get("/healthz").json()["status"] == "ok"
