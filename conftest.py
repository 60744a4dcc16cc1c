"""Project-wide pytest setup: development-mode settings, fast hashing, a clean cache per test."""

import logging

import pytest

pytest_plugins = [
    "mbc_tracker.tests.browser",
    "mbc_tracker.tests.api_fuzz_report",
    "followups.tests.fixtures",
    "notifications.tests.push_fixtures",
]


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogues whose .po changed since their .mo was made, so a
    plain ``pytest`` sees the Spanish that ``make messages`` gathered (``make test`` and CI
    compile them too)."""
    from mbc_tracker.catalogues import compile_stale_catalogues

    compile_stale_catalogues()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Spanish leaves Spanish active in this thread (as on a server, until the next
    request chooses again); each test starts from the default language instead."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _staff_force_login_is_a_full_sign_in():
    """``client.force_login(user)`` stands for a completed sign-in. For coordinators and admins
    a completed sign-in includes the code from their authenticator app, so their session is
    also marked past the second step, with a real confirmed device of theirs. Tests of the steps
    themselves sign in through the pages (accounts/tests/test_two_step.py). Session-wide, so
    that fixtures of any scope that sign people in get the same."""
    from django.test.client import ClientMixin

    from accounts.tests.factories import pass_second_step

    force_login = ClientMixin.force_login

    def force_login_fully(self, user, backend=None):
        force_login(self, user, backend)
        pass_second_step(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClientMixin, "force_login", force_login_fully)
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker (see the `worker` marker)."""
    from mbc_tracker.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


class Personas:
    """The six people every permission test tries: see ../shared/DESIGN.md, 'Testing rules'."""

    def __init__(self) -> None:
        from accounts.tests.factories import (
            AdminFactory,
            CareTeamFactory,
            CoordinatorFactory,
            make_patient,
        )

        self.team_a = CareTeamFactory(name="Team A")
        self.team_b = CareTeamFactory(name="Team B")
        self.patient_a = make_patient(
            email="patient.a@example.org", name="Alice Patient", care_team=self.team_a
        )
        self.patient_b = make_patient(
            email="patient.b@example.org", name="Bella Patient", care_team=self.team_b
        )
        self.coordinator_a = CoordinatorFactory(email="coord.a@example.org", teams=[self.team_a])
        self.coordinator_b = CoordinatorFactory(email="coord.b@example.org", teams=[self.team_b])
        self.admin = AdminFactory(email="admin@example.org")
        self.anonymous = None

    def all(self) -> dict:
        return {
            "patient_a": self.patient_a,
            "patient_b": self.patient_b,
            "coordinator_a": self.coordinator_a,
            "coordinator_b": self.coordinator_b,
            "admin": self.admin,
            "anonymous": None,
        }


@pytest.fixture
def people(db) -> Personas:
    return Personas()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_symptom_catalogue():
    """Each test reads the catalogue as its own database holds it."""
    from symptoms.catalogue import clear_catalogue_cache

    clear_catalogue_cache()
    yield
    clear_catalogue_cache()


@pytest.fixture
def real_worker(settings):
    """A real Celery worker (in a thread) consuming from the Redis broker, for `worker` tests."""
    from celery.contrib.testing.worker import start_worker

    from mbc_tracker.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    app.conf.task_always_eager = False
    # Celery sets the root logger to the worker's level (ERROR) when it starts one; put the
    # project's level back afterwards so that later tests see the log as configured.
    root = logging.getLogger()
    level = root.level
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True
        root.setLevel(level)
