"""Dispatchers racing each other, for the exactly-once tests: each in its own thread and its own
database connection, started together, dispatching until nothing is left to claim."""

from __future__ import annotations

import threading

from django.db import connections

from notifications import services


def race(*, dispatchers: int, limit: int, timeout: float = 120) -> list[list[int]]:
    """The ids each dispatcher sent. Raises the first error any of them met."""
    barrier = threading.Barrier(dispatchers)
    sent_by: list[list[int]] = [[] for _ in range(dispatchers)]
    errors: list[BaseException] = []

    def dispatcher(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                result = services.dispatch_due(limit=limit)
                sent_by[number].extend(result.ids)
                if result.claimed == 0:
                    break
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return sent_by
