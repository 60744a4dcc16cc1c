"""Beat runs ``drain_follow_ups`` every minute (``followups.services.drain``); it also sends
again the lost chunks of the nightly passes (``followups.passes.drain``)."""

from __future__ import annotations

from celery import shared_task

from followups import passes, services


@shared_task(soft_time_limit=50, time_limit=55, ignore_result=True)
def drain_follow_ups() -> dict[str, int]:
    counts = services.drain()
    chunks = passes.drain()
    return counts | {"chunks_sent": chunks["sent"], "chunks_failed": chunks["failed"]}
