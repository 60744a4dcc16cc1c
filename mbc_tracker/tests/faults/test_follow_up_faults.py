"""Follow-ups survive a dead worker and a dead broker: every red-flag log is stored, each urgent
flag exists once, and each coordinator gets exactly one alert per flag, within minutes.

These processes run the production code with shortened clocks (faults/settings.py: beat every
3 s, a follow-up claim of 10 s, an outbox lease of 12 s). The production bound is the same sum
with production clocks: a claim (2 min) plus a drain interval (1 min) after a worker dies, a
drain interval after the broker returns.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mbc_tracker.tests.faults import harness

pytestmark = pytest.mark.faults

PATIENTS = 10
DAYS = 5  # 10 patients x 5 days = 50 red-flag logs, one urgent flag per patient


def wait_for_alerts(world, team, *, seconds: float) -> harness.AlertFigures:
    wanted = PATIENTS * len(team.coordinators)

    def arrived() -> bool:
        figures = harness.alert_figures(world, team)
        return (
            figures.flags == PATIENTS
            and figures.emails >= wanted
            and harness.pending_follow_ups(world) == 0
        )

    try:
        harness.wait_for(arrived, seconds=seconds, what="every alert", every=0.5)
    except AssertionError as error:
        figures = harness.alert_figures(world, team)
        raise AssertionError(f"{error}\n{figures}\n{world.logs()}") from None
    time.sleep(2)  # room for a wrongful duplicate to arrive
    return harness.alert_figures(world, team)


def assert_exactly_once(figures: harness.AlertFigures, team: harness.Team) -> None:
    assert figures.flags == PATIENTS and figures.flag_keys_duplicated == 0
    assert figures.alert_rows_sent == PATIENTS * len(team.coordinators)
    assert figures.emails == PATIENTS * len(team.coordinators)
    assert figures.duplicates == 0 and figures.missing == 0


def test_a_worker_killed_while_red_flag_logs_are_saved(world):
    stack = world.stack
    stack.start_web()
    team = harness.seed_team(world, patients=PATIENTS)
    stack.start_worker()
    stack.start_beat()

    jobs = [(patient, day) for day in range(DAYS) for patient in team.patients]
    results: list[tuple[int, bool]] = []
    done = threading.Event()
    lock = threading.Lock()

    def save(job) -> None:
        status, body = harness.save_red_flag_log(stack.port, *job)
        with lock:
            results.append((status, harness.shows_urgent_advice(body)))

    def save_all() -> None:
        with ThreadPoolExecutor(max_workers=5) as pool:  # five phones at once
            list(pool.map(save, jobs))
        done.set()

    saver = threading.Thread(target=save_all)
    saver.start()
    # SIGKILL the worker in the middle of a task: once it has claimed a follow-up and before
    # it finishes. A task may finish in the instant between seeing its claim and the kill; then
    # the worker starts again and the next task is the target.
    for _ in range(10):
        harness.wait_for(
            lambda: harness.follow_ups_in_work(world) > 0,
            seconds=60,
            what="a follow-up in a worker's hands",
            every=0.005,
        )
        stack.kill_worker()
        killed_at = time.time()
        evaluating = harness.follow_ups_in_work(world)
        alerts_at_kill = harness.alert_figures(world, team).emails
        if evaluating:
            break
        stack.start_worker()
    assert evaluating, "the worker finished every task before it could be killed mid-task"
    time.sleep(3)  # saves go on with no worker at all
    stack.start_worker()
    saver.join(timeout=120)
    assert done.is_set()
    last_save = time.time()

    figures = wait_for_alerts(world, team, seconds=120)
    stored = world.scalar("SELECT count(*) FROM symptoms_dailylog")
    statuses = sorted({status for status, _ in results})
    print(
        f"\n[faults] worker SIGKILL: saved {len(results)} (statuses {statuses}), stored {stored}, "
        f"urgent flags {figures.flags}, alerts {figures.emails} "
        f"({len(team.coordinators)} coordinators), duplicates {figures.duplicates}, "
        f"follow-ups in the killed worker's hands {evaluating}, alerts sent before the kill "
        f"{alerts_at_kill}, last alert "
        f"{figures.last_sent_at - killed_at:.1f} s after the kill and "
        f"{figures.last_sent_at - last_save:.1f} s after the last save"
    )
    assert len(results) == PATIENTS * DAYS
    assert all(status in {200, 201} and advice for status, advice in results), results
    assert stored == PATIENTS * DAYS
    assert_exactly_once(figures, team)
    # Minutes, not the broker's hour: here a claim (10 s) and a few drains (3 s).
    assert figures.last_sent_at - killed_at < 90


def test_redis_stopped_for_30_seconds_during_saves(world):
    stack = world.stack
    stack.start_web()
    team = harness.seed_team(world, patients=PATIENTS)
    stack.start_worker()
    stack.supervise_worker()
    stack.start_beat()

    jobs = [(patient, day) for day in range(DAYS) for patient in team.patients]
    results: list[tuple[float, int, bool]] = []
    seconds: list[tuple[float, float]] = []  # each save's start and answer time
    outage: dict[str, float] = {}

    def save_all() -> None:
        for job in jobs:  # one save every ~0.9 s: about 30 of them fall in the outage
            started = time.time()
            status, body = harness.save_red_flag_log(stack.port, *job)
            results.append((started, status, harness.shows_urgent_advice(body)))
            seconds.append((started, time.time() - started))
            time.sleep(0.9)

    saver = threading.Thread(target=save_all)
    saver.start()
    harness.wait_for(lambda: len(results) >= 5, seconds=60, what="the first saves")
    world.redis.stop()
    outage["from"] = time.time()
    time.sleep(30)
    world.redis.start()
    outage["to"] = back = time.time()
    saver.join(timeout=120)

    figures = wait_for_alerts(world, team, seconds=150)
    during = [row for row in results if outage["from"] <= row[0] <= outage["to"]]
    slowest = max(took for at, took in seconds if outage["from"] <= at <= outage["to"])
    stored = world.scalar("SELECT count(*) FROM symptoms_dailylog")
    recovery = figures.last_sent_at - back
    print(
        f"\n[faults] Redis down 30 s: saved {len(results)} ({len(during)} during the outage, "
        f"statuses {sorted({status for _, status, _ in results})}), stored {stored}, "
        f"urgent flags {figures.flags}, alerts {figures.emails}, duplicates "
        f"{figures.duplicates}; slowest save in the outage {slowest:.2f} s; last alert "
        f"{recovery:.1f} s after Redis returned; worker restarted by its supervisor "
        f"{stack.worker_restarts} times"
    )
    assert len(during) >= 20, "too few saves fell in the outage"
    assert slowest < 3  # a save never waits for the missing broker
    assert all(status in {200, 201} and advice for _, status, advice in results), results
    assert stored == PATIENTS * DAYS
    assert_exactly_once(figures, team)
    assert recovery < 120
