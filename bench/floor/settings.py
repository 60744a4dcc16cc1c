"""The floor: the least Django + DRF can do for a log POST, to measure the real one against.

A settings module of its own with one app (``floor``: a log and its entries), token auth and
nothing else: no sessions, no CSRF, no audit, no rules. It runs on the same PostgreSQL server as
the app, in a database of its own (the bench database's name + ``_floor``), with the same
connection settings (persistent connections, health checks), behind the same gunicorn.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import environ

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor.urls"
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "bench.floor",
]
MIDDLEWARE: list[str] = []


def floor_database_url(url: str) -> str:
    """The bench database's URL with ``_floor`` added to the name."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_floor"))


DATABASES = {"default": environ.Env.db_url_config(floor_database_url(os.environ["DATABASE_URL"]))}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
