"""The sign-in rate limit, kept when the cache is down.

DRF counts requests in the cache (Redis). If Redis is unreachable, failing open would let one
client try passwords as fast as the server can hash them, across any number of accounts (django-axes
locks one account and address after repeated failures, in the database, but it does not limit a
client that tries many accounts, nor the hashing cost). So the limit falls back to a fixed-window
count in PostgreSQL for as long as the cache fails: a few small queries per sign-in, only then.
If the database is down too, the request gets the outage 503 like every other.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import SignInWindow

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises (redis-py's errors, and socket errors beneath).
CACHE_ERRORS = (RedisError, OSError)
KEEP_WINDOWS = dt.timedelta(hours=1)  # older counts are deleted as new ones are written


def count_hit(*, key: str, window_seconds: int, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Add one request to ``key``'s current window; return the window's count and its end."""
    epoch = int(now.timestamp())
    start = dt.datetime.fromtimestamp(epoch - epoch % window_seconds, tz=dt.UTC)
    with transaction.atomic():
        # get_or_create reads the row a concurrent request has just created, if any.
        SignInWindow.objects.get_or_create(key=key, window_start=start)
        rows = SignInWindow.objects.filter(key=key, window_start=start)
        rows.update(hits=F("hits") + 1)
        hits = rows.values_list("hits", flat=True).get()
    SignInWindow.objects.filter(window_start__lt=now - KEEP_WINDOWS).delete()
    return hits, start + dt.timedelta(seconds=window_seconds)


class LoginRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (the cache, a sliding window), or a window counted in the database
    while the cache cannot be reached (logged as a warning each time)."""

    _fallback_wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning(
                "Cache unavailable (%s); counting sign-in attempts in the database",
                type(error).__name__,
            )
        # super() has set self.key, self.num_requests and self.duration before the cache call.
        now = timezone.now()
        hits, window_end = count_hit(key=self.key, window_seconds=self.duration, now=now)
        if hits <= self.num_requests:
            return True
        self._fallback_wait = max((window_end - now).total_seconds(), 1.0)
        return False

    def wait(self) -> float | None:
        if self._fallback_wait is not None:
            return self._fallback_wait
        return super().wait()
