"""CompiledOnce: compiled on first use only, each run's values bound in the stand-ins' places."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.compiled import CompiledOnce

DAY = dt.date(1901, 2, 3)
MOMENT = dt.datetime(1901, 2, 3, 4, 5, tzinfo=dt.UTC)


class Compiler:
    def __init__(self, params):
        self.params = params

    def as_sql(self):
        return "SELECT %s, %s, %s, %s", self.params


def test_compiles_once_and_binds_by_stand_in_and_type():
    calls = []

    def compile(patient_id, day, moment):
        calls.append((patient_id, day, moment))
        # A real 1 and a datetime equal-looking date stay as they are: only stand-ins move.
        return Compiler([patient_id, 1, day, moment])

    query = CompiledOnce(compile, patient_id=-7, day=DAY, moment=MOMENT)
    now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    assert query.bind(patient_id=42, day=dt.date(2026, 12, 1), moment=now) == (
        "SELECT %s, %s, %s, %s",
        [42, 1, dt.date(2026, 12, 1), now],
    )
    assert query.bind(patient_id=43, day=DAY, moment=now)[1][0] == 43
    assert calls == [(-7, DAY, MOMENT)]


def test_a_query_that_no_longer_takes_a_stand_in_is_refused():
    query = CompiledOnce(lambda patient_id, day: Compiler([patient_id]), patient_id=-7, day=DAY)
    with pytest.raises(RuntimeError, match="no longer takes day"):
        query.bind(patient_id=1, day=DAY)
