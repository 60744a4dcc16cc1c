"""The whole app behind PgBouncer in transaction mode (README, "Scaling out"): the web server,
a worker and beat share a server pool smaller than their connections, so one client's
transactions land on different server connections. Red-flag logs are saved and alerted exactly
once, and the nightly passes (in process, and fanned out to the worker) and the outbox's bulk
planning (a temporary table, a COPY) run, with ``DATABASE_TRANSACTION_POOLING=1`` (no
server-side cursors; prepared statements are off anyway)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mbc_tracker.tests.faults import harness

pytestmark = pytest.mark.faults

PATIENTS = 4
DAYS = 3

NIGHTLY = """
import json
from flags.tasks import sweep
from symptoms.reminder_planning import plan_reminders
from notifications.services import dispatch_due
runs = []
for _ in range(2):
    runs.append({"sweep": sweep(), "planning": plan_reminders()})
sent = dispatch_due()
print(json.dumps({"runs": runs, "dispatched": sent}, default=str))
"""

# What PostgreSQL says when a pooler hands a session-scoped object to another connection.
SESSION_ERRORS = ("prepared statement", 'cursor "_django_curs', "does not exist")


@pytest.fixture
def bouncer(world):
    pgbouncer = harness.PgBouncer(world.cluster, pool_size=3)
    pgbouncer.start()
    world.stack.env["DATABASE_URL"] = pgbouncer.url(world.database)
    world.stack.env["DATABASE_TRANSACTION_POOLING"] = "1"
    try:
        yield pgbouncer
    finally:
        world.stack.stop()  # its clients go before the pooler does
        pgbouncer.stop()


def test_the_app_runs_behind_pgbouncer_in_transaction_mode(world, bouncer):
    stack = world.stack
    stack.start_web()
    team = harness.seed_team(world, patients=PATIENTS)
    stack.start_worker()
    stack.start_beat()

    jobs = [(patient, day) for day in range(DAYS) for patient in team.patients]
    with ThreadPoolExecutor(max_workers=6) as pool:  # more phones than server connections
        results = list(pool.map(lambda job: harness.save_red_flag_log(stack.port, *job), jobs))
    assert [status for status, _ in results] == [201] * len(jobs), results
    assert all(harness.shows_urgent_advice(body) for _, body in results)

    wanted = PATIENTS * len(team.coordinators)

    def alerted() -> bool:
        figures = harness.alert_figures(world, team)
        return figures.emails >= wanted and harness.pending_follow_ups(world) == 0

    try:
        harness.wait_for(alerted, seconds=120, what="every alert", every=0.5)
    except AssertionError as error:
        figures = harness.alert_figures(world, team)
        raise AssertionError(f"{error}\n{figures}\n{world.logs()}") from None
    time.sleep(2)  # room for a wrongful duplicate
    figures = harness.alert_figures(world, team)
    assert figures.flags == PATIENTS and figures.flag_keys_duplicated == 0
    assert figures.emails == wanted and figures.duplicates == 0 and figures.missing == 0

    nightly = harness.django_run(stack.env, NIGHTLY)
    first, second = nightly["runs"]
    assert first["sweep"]["patients"] == PATIENTS and first["sweep"]["failed"] == 0
    assert first["planning"]["patients"] == PATIENTS and first["planning"]["failed"] == 0
    assert first["planning"]["log_reminders"] > 0  # planned in bulk: temporary table + COPY
    # Idempotent through the pooler too: the second night changes nothing.
    assert second["sweep"]["opened"] == second["sweep"]["updated"] == 0
    assert second["planning"]["log_reminders"] == 0

    # The nightly passes as beat starts them: chunks fanned out to the worker, through the pooler.
    harness.django_run(
        stack.env,
        "from flags.tasks import sweep_flags; from symptoms.tasks import plan_reminders_nightly; "
        "sweep_flags(); plan_reminders_nightly(); print('{}')",
    )
    finished = "SELECT count(*) FROM followups_nightlypass WHERE finished_at IS NOT NULL"
    try:
        harness.wait_for(lambda: world.scalar(finished) == 2, seconds=60, what="both passes")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{world.logs()}") from None
    assert world.scalar("SELECT count(*) FROM followups_passchunk WHERE done_at IS NULL") == 0

    # It all went through PgBouncer, on no more server connections than its pool.
    pools = [row for row in bouncer.show("POOLS") if row["database"] == world.database]
    assert pools and all(row["sv_active"] + row["sv_idle"] <= 3 for row in pools)
    stats = [row for row in bouncer.show("STATS") if row["database"] == world.database]
    assert stats and stats[0]["total_xact_count"] > 100
    for name in ("web", "worker", "beat"):
        text = stack.log_text(name)
        assert not any(error in text for error in SESSION_ERRORS), world.logs()
