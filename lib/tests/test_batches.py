"""run_isolating: the batch at once, else item by item, skipping only the items that fail alone."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from lib.batches import run_isolating

logger = logging.getLogger("test")


def counting(poisoned: set[int], calls: list[list[int]]):
    def run(items):
        calls.append(list(items))
        if poisoned & set(items):
            raise ValueError("bad data")
        return Counter(done=len(items))

    return run


def test_a_batch_that_works_runs_once():
    calls: list[list[int]] = []
    totals = run_isolating([1, 2, 3], counting(set(), calls), key=int, doing="x", logger=logger)
    assert calls == [[1, 2, 3]] and totals == Counter(done=3, failed=0)


def test_only_the_item_that_fails_alone_is_skipped(caplog):
    calls: list[list[int]] = []
    skipped: list[int] = []
    totals = run_isolating(
        [1, 2, 3],
        counting({2}, calls),
        key=int,
        doing="evaluate patient",
        logger=logger,
        on_failure=skipped.append,
    )
    assert calls == [[1, 2, 3], [1], [2], [3]]
    assert totals == Counter(done=2, failed=1) and skipped == [2]
    assert "Could not evaluate patient 2: skipped" in caplog.text


@pytest.mark.parametrize("poisoned", [set(), {2}])
def test_a_soft_time_limit_is_never_swallowed(poisoned):
    def run(items):
        if len(items) == 1 or not poisoned:
            raise SoftTimeLimitExceeded()
        raise ValueError("bad data")

    with pytest.raises(SoftTimeLimitExceeded):
        run_isolating([1, 2, 3], run, key=int, doing="x", logger=logger)
