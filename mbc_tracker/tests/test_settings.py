"""Settings read the environment and refuse to start production without its essentials."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "mbc.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mbc_tracker",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    leave_out = {*PRODUCTION, "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("x", "is too short (1 characters"),
        ("q8Zr-Wm3tY_pL0vKx7NcB2sHdJ9fGa4uE6iOyT1", "is too short (39 characters"),
        ("django-insecure-" + "q8Zr-Wm3tY_pL0vKx7NcB2sHdJ9fGa4uE6iOyT1", "is a published"),
        ("dev-only-not-secret-" + "x" * 40, "is a published example or development key"),
        ("changeme", "is a published example or development key"),
        ("abcd" * 20, "repeats too few characters"),
    ],
)
def test_production_refuses_a_weak_or_known_secret_key(key, words):
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"SECRET_KEY {words}" in result.stderr
    assert "secrets.token_urlsafe(64)" in result.stderr  # and says how to make a good one
    assert len(key) < 10 or key not in result.stderr  # a key is never printed back


def test_production_accepts_a_random_key_of_50_characters():
    key = secrets.token_urlsafe(38)
    assert len(key) == 51
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode == 0, result.stderr


def test_the_example_configuration_ships_no_usable_key():
    """Whoever copies .env.example without filling it in gets a refusal, not a public key."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    example = next(line for line in lines if line.startswith("SECRET_KEY="))
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": example.split("=", 1)[1]})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "SECRET_KEY" not in compose  # it comes from .env only


def test_development_needs_nothing_but_debug(tmp_path):
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)",
        env={"DJANGO_DEBUG": "1", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_development_sqlite_lets_the_web_server_worker_and_beat_write_together(tmp_path):
    """make run's three processes share one SQLite file: writers queue for the lock (immediate
    transactions, a timeout) instead of failing with "database is locked", and WAL lets readers
    go on meanwhile."""
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "o = s.DATABASES['default']['OPTIONS']; "
        "print(c.fetchone()[0], o['transaction_mode'], o['timeout'])",
        env={"DJANGO_DEBUG": "1", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE", "20"]


@pytest.mark.parametrize(
    ("pooling", "expected"), [("1", "True None"), ("0", "False None"), (None, "False None")]
)
def test_transaction_pooling_turns_off_what_would_outlive_a_transaction(pooling, expected):
    """Behind PgBouncer in transaction mode: no server-side cursors; prepared statements are off
    in any case (faults/test_pgbouncer.py runs the app through a real PgBouncer)."""
    env = PRODUCTION | {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    if pooling is not None:
        env["DATABASE_TRANSACTION_POOLING"] = pooling
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from django.db import connection; "
        "connection.ensure_connection(); "
        "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "connection.connection.prepare_threshold)",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_reliability_settings(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"
    assert settings.CELERY_TASK_IGNORE_RESULT is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_LATE is False
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility_timeout is not None:  # Redis redelivers unacknowledged tasks after this
        assert visibility_timeout > settings.CELERY_TASK_TIME_LIMIT
