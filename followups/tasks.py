"""Beat runs ``drain_follow_ups`` every minute (``followups.services.drain``)."""

from __future__ import annotations

from celery import shared_task

from followups import services


@shared_task(soft_time_limit=50, time_limit=55, ignore_result=True)
def drain_follow_ups() -> dict[str, int]:
    return services.drain()
