"""Run work over a batch at once and, if that fails, one item at a time, skipping only the items
that fail alone. The nightly passes use it so that one patient's bad data never stops the rest."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from celery.exceptions import SoftTimeLimitExceeded

Item = TypeVar("Item")


def run_isolating(
    items: Sequence[Item],
    run: Callable[[Sequence[Item]], Mapping[str, int]],
    *,
    key: Callable[[Item], int],
    doing: str,
    logger: logging.Logger,
    on_failure: Callable[[int], None] | None = None,
) -> Counter[str]:
    """``run(items)`` (one transaction, all or nothing) and its counts. If it raises, ``run`` each
    item alone; one that raises again is logged as "Could not <doing> <key>: skipped", counted
    in ``failed`` and passed (by ``key``) to ``on_failure``. A task's soft time limit is never
    caught: the task must stop."""
    totals: Counter[str] = Counter(failed=0)
    try:
        totals.update(run(items))
        return totals
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.warning("A batch failed (%s); running it item by item", doing, exc_info=True)
    for item in items:
        try:
            totals.update(run([item]))
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.exception("Could not %s %s: skipped", doing, key(item))
            totals["failed"] += 1
            if on_failure is not None:
                on_failure(key(item))
    return totals
