"""The FHIR R4 export of one 90-day patient: build time, size, and the HTTP endpoint.

Sets up (not timed; replaced each run) a bench patient with a full log every day for 90 days
(``--entries`` per day: severities of their sites' and general symptoms with a personal baseline
and a bad spell, a yes/no and a temperature; a note now and then), six flags (open,
acknowledged and resolved, with evidence days) and eight appointments (done, cancelled, booked).
Then, in a process of its own with production settings, builds the Bundle ``--repeat`` times
(``exports.fhir.bundle_data``: the reads and every resource validated by fhir.resources), and
times the JSON text on its own and the patient's ``GET /api/v1/me/fhir/`` through Django's whole
request handler. Prints the median, fastest and slowest of each, the resources in the Bundle,
its size (bytes, and gzipped as the server sends it to a client that accepts gzip) and the
queries per build.

Run: make bench   (or .venv/bin/python bench/bench_fhir.py [--days 90] [--entries 12]
                   [--repeat 20])
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import random
import statistics
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, bench_environment, prepare_database, run_child

EMAIL = "bench.fhir@example.org"
TEAM = "Bench FHIR team"
# Severity symptoms of the patient's sites (bone, liver) and general and treatment ones, in the
# order they are added as --entries grows; then a yes/no and a temperature every day.
SEVERITIES = (
    "bone_pain", "back_pain", "fatigue", "anxiety", "appetite_loss", "nausea", "abdominal_pain",
    "itching", "low_mood", "constipation", "diarrhea", "hand_foot", "mouth_sores", "neuropathy",
    "thirst", "abdominal_swelling", "bone_swelling", "headache", "cough", "shortness_of_breath",
)  # fmt: skip
NOTES = (
    "Tired after the clinic.",
    "Good day, walked to the shops.",
    "Back stiff in the morning.",
    "Slept badly.",
)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()


def _patient(days: int, entries: int):
    """The bench patient with exactly ``days`` days of logs, flags and appointments (made in
    bulk, replacing the last run's)."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts import services
    from accounts.models import PatientProfile, Role, User
    from appointments.models import Appointment
    from flags.models import Flag
    from symptoms.models import DailyLog, LogEntry

    team = services.care_team_get_or_create(name=TEAM)
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create(
            email=EMAIL, name="Bench Patient", role=Role.PATIENT, password=make_password(None)
        )
        PatientProfile.objects.create(
            user=user,
            care_team=team,
            timezone="Europe/London",
            sites=["bone", "liver"],
            hospital_number="MRN 000123",
            phone="+447911123456",
            date_of_birth=dt.date(1964, 5, 17),
        )
    DailyLog.objects.filter(patient=user).delete()
    Flag.objects.filter(patient=user).delete()
    Appointment.objects.filter(patient=user).delete()

    now = timezone.now()
    today = user.patient_profile.local_today(now)
    rng = random.Random(f"bench-fhir:{days}:{entries}")
    severities = SEVERITIES[: max(entries - 2, 0)]
    baseline = {code: rng.choice((0, 1, 1, 2, 2, 3)) for code in severities}
    logs = DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=user,
                date=today - dt.timedelta(days=back),
                notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
            )
            for back in range(days)
        ]
    )
    rows = []
    for log in logs:
        back = (today - log.date).days
        bad_spell = 20 <= back < 25  # a bad week three weeks ago
        for code in severities:
            value = baseline[code] + rng.choice((-1, 0, 0, 0, 1)) + (3 if bad_spell else 0)
            rows.append(LogEntry(log=log, symptom_id=code, severity=min(max(value, 0), 10)))
        rows.append(LogEntry(log=log, symptom_id="fracture", present=False))
        temperature = Decimal("38.3") if back == 22 else Decimal(f"36.{rng.randint(4, 9)}")
        rows.append(LogEntry(log=log, symptom_id="fever", temperature=temperature))
    LogEntry.objects.bulk_create(rows, batch_size=2000)

    flags = []
    for n, (rule, level, status, back) in enumerate(
        (
            ("fever", "urgent", "resolved", 22),
            ("severe", "soon", "resolved", 21),
            ("persistent", "next_visit", "resolved", 20),
            ("worsening", "soon", "acknowledged", 3),
            ("severe", "soon", "open", 1),
            ("not_logging", "soon", "resolved", 60),
        )
    ):
        opened = now - dt.timedelta(days=back)
        flags.append(
            Flag(
                patient=user,
                rule=rule,
                level=level,
                status=status,
                symptom_id={"fever": "fever", "severe": "back_pain"}.get(rule),
                subject=f"bench{n}",
                title=f"Bench {rule.replace('_', ' ')} flag",
                explanation="Bench flag.",
                advice="Bench advice.",
                evidence=[(today - dt.timedelta(days=back + d)).isoformat() for d in range(3)],
                opened_at=opened,
                reported_at=opened,
                acknowledged_at=opened + dt.timedelta(hours=1) if status != "open" else None,
                resolved_at=opened + dt.timedelta(days=1) if status == "resolved" else None,
            )
        )
    Flag.objects.bulk_create(flags)

    appointments = []
    for back, kind, status in (
        (-84, "ct", "done"),
        (-84, "bone_scan", "done"),
        (-80, "restaging", "done"),
        (-40, "blood_test", "done"),
        (-30, "oncology_visit", "cancelled"),
        (-2, "blood_test", "done"),
        (10, "ct", "scheduled"),
        (14, "restaging", "scheduled"),
    ):
        appointments.append(
            Appointment(
                patient=user,
                kind=kind,
                starts_at=now + dt.timedelta(days=back),
                status=status,
                location="Bench hospital",
                preparation_notes="Bring your medicines list." if kind == "ct" else "",
            )
        )
    Appointment.objects.bulk_create(appointments)
    return user, len(rows)


def _figures(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median_ms": round(statistics.median(times), 1),
        "fastest_ms": round(times[0], 1),
        "slowest_ms": round(times[-1], 1),
    }


def child(args: argparse.Namespace) -> dict:
    _django()
    from django.db import connection
    from django.test import Client
    from fhir.resources.R4B.bundle import Bundle

    from exports.fhir import bundle_data, dumps

    user, entries = _patient(args.days, args.entries)
    bundle_data(patient_id=user.pk)  # warm: imports, the catalogue cache

    builds, dumps_ms, models_ms = [], [], []
    body = b""
    for _ in range(args.repeat):
        gc.collect()  # each run starts clean: the last Bundle's objects are not this one's cost
        started = time.perf_counter()
        data = bundle_data(patient_id=user.pk)
        built = time.perf_counter()
        body = dumps(data)
        builds.append((built - started) * 1000)
        dumps_ms.append((time.perf_counter() - built) * 1000)
        # For comparison, in the same run: the same Bundle as a fhir.resources model, written
        # by the model's own serialiser (model_dump_json), as the export first did.
        model = Bundle.model_validate(data)
        gc.collect()
        started = time.perf_counter()
        model.model_dump_json()
        models_ms.append((time.perf_counter() - started) * 1000)
        del data, model
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        bundle_data(patient_id=user.pk)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    requests = []
    for n in range(args.repeat + 2):
        gc.collect()
        started = time.perf_counter()
        response = client.get("/api/v1/me/fhir/", secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if n >= 2:  # two warm-up requests
            requests.append(elapsed)
    gzipped = client.get("/api/v1/me/fhir/", secure=True, headers={"Accept-Encoding": "gzip"})
    assert gzipped["Content-Encoding"] == "gzip"

    resources = Counter(entry["resource"]["resourceType"] for entry in json.loads(body)["entry"])
    return {
        "days": args.days,
        "entries": entries,
        "resources": dict(resources),
        "total_resources": sum(resources.values()),
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body)),
        "served_gzip_bytes": len(gzipped.content),
        "build": _figures(builds),
        "dump": _figures(dumps_ms),
        "total": _figures([b + d for b, d in zip(builds, dumps_ms, strict=True)]),
        "models": _figures(models_ms),
        "http": _figures(requests),
        "queries": len(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--entries", type=int, default=12, help="entries per daily log")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    env = bench_environment()
    prepare_database(env)
    extra = ["--days", str(args.days), "--entries", str(args.entries)]
    result = run_child(__file__, env, "--child", *extra, "--repeat", str(args.repeat))
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result["resources"].items()))
    print(
        f"FHIR export: {result['days']} days, {result['entries']} entries; "
        f"{result['total_resources']} resources ({kinds}); {result['queries']} queries per build"
    )
    size = result["bytes"]
    print(
        f"  Bundle JSON: {size:,} bytes ({size / 1024:.0f} KB); gzipped {result['gzip_bytes']:,} "
        f"bytes ({result['gzip_bytes'] / 1024:.0f} KB; {result['served_gzip_bytes']:,} as served)"
    )
    for name, label in [
        ("build", "build (reads + validated resources)"),
        ("dump", "JSON text (json module)"),
        ("total", "build + JSON (bundle_json)"),
        ("models", "for comparison: JSON text by fhir.resources' model_dump_json"),
        ("http", "GET /api/v1/me/fhir/ (whole request)"),
    ]:
        figures = result[name]
        print(
            f"  {label}: median {figures['median_ms']} ms, fastest {figures['fastest_ms']} ms, "
            f"slowest {figures['slowest_ms']} ms over {args.repeat}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
