"""The database restarts under load and Redis is gone at sign-in: clients get clean answers
(2xx, or 503 with Retry-After, JSON for the API), never a 500 or a traceback, and nothing a
client was told was saved is lost."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter

import pytest

from mbc_tracker.tests.faults import harness

pytestmark = pytest.mark.faults

PATIENTS = 6


def test_postgresql_restarts_during_saves(world):
    stack = world.stack
    stack.start_web()
    team = harness.seed_team(world, patients=PATIENTS, coordinators=1)
    stack.start_worker()
    stack.start_beat()
    (coordinator_email,) = team.coordinators.values()
    status, session = harness.web_sign_in(
        stack.port, coordinator_email, harness.PASSWORD, code=team.code(coordinator_email)
    )
    assert status == 302 and session
    status, _, body = harness.request(
        stack.port,
        "POST",
        "/api/v1/auth/token/",
        body={
            "email": coordinator_email,
            "password": harness.PASSWORD,
            "code": team.code(coordinator_email, steps_ahead=1),
        },
    )
    coordinator_token = json.loads(body)["token"]

    stop = threading.Event()
    lock = threading.Lock()
    answers: list[tuple[str, int, dict[str, str], bytes]] = []
    acknowledged: list[tuple[int, str]] = []  # (patient, day) answered 2xx
    errors: list[str] = []

    def record(kind: str, status: int, headers: dict[str, str], body: bytes) -> None:
        with lock:
            answers.append((kind, status, headers, body))

    def saver(patient: dict) -> None:
        today = dt.date.fromisoformat(patient["today"])
        for back in range(30):  # every save a new day: each 2xx must leave its own row
            if stop.is_set():
                return
            day = (today - dt.timedelta(days=back)).isoformat()
            try:
                status, headers, body = harness.request(
                    stack.port,
                    "POST",
                    "/api/v1/logs/",
                    body={"date": day, "entries": [{"symptom": "fatigue", "severity": 4}]},
                    headers={"Authorization": f"Token {patient['token']}"},
                )
            except OSError as error:
                errors.append(f"log save: {error!r}")
                continue
            record("api", status, headers, body)
            if status in {200, 201}:
                with lock:
                    acknowledged.append((patient["id"], day))
            time.sleep(0.15)

    def reader() -> None:
        while not stop.is_set():
            for kind, path, headers in (
                ("page", "/patients/", {"Cookie": session}),
                ("api", "/api/v1/patients/", {"Authorization": f"Token {coordinator_token}"}),
            ):
                try:
                    status, answer_headers, body = harness.get(stack.port, path, headers=headers)
                except OSError as error:
                    errors.append(f"{path}: {error!r}")
                    continue
                record(kind, status, answer_headers, body)
            time.sleep(0.1)

    threads = [threading.Thread(target=saver, args=(p,)) for p in team.patients]
    threads.append(threading.Thread(target=reader))
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        restart_started = time.monotonic()
        world.cluster.restart()
        restart_seconds = time.monotonic() - restart_started
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    # The app recovered without a restart: the next requests answer at once.
    recovered = harness.wait_for(
        lambda: (
            harness.get(
                stack.port,
                "/api/v1/patients/",
                headers={"Authorization": f"Token {coordinator_token}"},
            )[0]
            == 200
        ),
        seconds=30,
        what="the API to answer 200 again",
    )
    statuses = Counter((kind, status) for kind, status, _, _ in answers)
    unavailable = [answer for answer in answers if answer[1] == 503]
    stored = {
        (patient, day.isoformat())
        for patient, day in world.sql("SELECT patient_id, date FROM symptoms_dailylog")
    }
    lost = [key for key in acknowledged if key not in stored]
    print(
        f"\n[faults] PostgreSQL restart ({restart_seconds:.1f} s): answers {dict(statuses)}, "
        f"saves acknowledged {len(acknowledged)}, stored {len(stored)}, lost {len(lost)}, "
        f"client errors {len(errors)}, answering again {recovered:.1f} s after the checks began"
    )
    assert unavailable, "no request met the restart"
    assert {status for _, status, _, _ in answers} <= {200, 201, 503}, statuses
    for kind, _, headers, body in unavailable:
        assert headers.get("retry-after"), headers
        assert b"Traceback" not in body
        if kind == "api":
            assert headers["content-type"].startswith("application/json"), headers
            assert "detail" in json.loads(body)
        else:
            assert headers["content-type"].startswith("text/html"), headers
    assert not errors, errors[:5]
    assert lost == []
    assert "Traceback" not in stack.log_text("web"), stack.log_text("web")[-5000:]


def test_redis_down_sign_in_still_works(world):
    stack = world.stack
    stack.start_web()
    team = harness.seed_team(world, patients=1, coordinators=1)
    (coordinator_email,) = team.coordinators.values()
    patient = team.patients[0]
    world.redis.stop()

    started = time.monotonic()
    status, _, body = harness.request(
        stack.port,
        "POST",
        "/api/v1/auth/token/",
        body={"email": patient["email"], "password": harness.PASSWORD},
    )
    token_seconds = time.monotonic() - started
    assert status == 200, body[:500]
    token = json.loads(body)["token"]
    status, _, body = harness.get(
        stack.port, "/api/v1/me/", headers={"Authorization": f"Token {token}"}
    )
    assert status == 200, body[:500]
    # Wrong passwords are still refused (and counted) without the cache.
    status, _, _ = harness.request(
        stack.port,
        "POST",
        "/api/v1/auth/token/",
        body={"email": patient["email"], "password": "not-the-password"},
    )
    assert status == 400

    started = time.monotonic()
    status, session = harness.web_sign_in(
        stack.port, coordinator_email, harness.PASSWORD, code=team.code(coordinator_email)
    )
    page_seconds = time.monotonic() - started
    assert status == 302 and session
    status, _, body = harness.get(stack.port, "/patients/", headers={"Cookie": session})
    assert status == 200, body[:500]
    print(
        f"\n[faults] Redis down at sign-in: token {token_seconds:.2f} s, login page and form "
        f"{page_seconds:.2f} s, both answered"
    )
    assert b"Traceback" not in body and "Traceback" not in stack.log_text("web")
