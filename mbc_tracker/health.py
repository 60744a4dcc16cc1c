"""``/healthz``: which of the app's dependencies answer, for load balancers, probes and people.

200 while the database answers (``"status": "ok"``, or ``"degraded"`` when only the cache or the
broker is down: sign-in and saves still work); 503 when the database is down. Every check has a
short timeout, so a dead server cannot hang the probe.
"""

from __future__ import annotations

import logging
from functools import cache

import redis
from django.core.cache import cache as default_cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mbc_tracker.outage import RETRY_AFTER_SECONDS, discard_broken_connections

logger = logging.getLogger(__name__)

OK, DOWN = "ok", "down"
TIMEOUT_SECONDS = 1.0
PROBE_KEY = "healthz-probe"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down", said in one line
        logger.warning("Health check: database down (%s)", type(error).__name__)
        discard_broken_connections()
        return DOWN
    return OK


def cache_status() -> str:
    try:
        default_cache.get(PROBE_KEY)  # the cache's own short socket timeouts apply
    except Exception as error:
        logger.warning("Health check: cache down (%s)", type(error).__name__)
        return DOWN
    return OK


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )


def broker_status() -> str:
    # Imported here: the Celery app reads settings, and this module is imported by the URLs.
    from mbc_tracker.celery import app

    url = app.conf.broker_url or ""
    try:
        if url.startswith(("redis://", "rediss://")):
            _redis_client(url).ping()
        else:  # the embedded broker of development: plain files
            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as error:
        logger.warning("Health check: broker down (%s)", type(error).__name__)
        return DOWN
    return OK


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    if checks["database"] == DOWN:
        status = "down"
    elif DOWN in checks.values():
        status = "degraded"
    else:
        status = "ok"
    response = JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "down" else 200
    )
    if status == "down":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response._has_been_logged = True  # type: ignore[attr-defined]  # said above, in one line
    return response
