"""Dispatch 10,000 due email notifications with concurrent dispatchers; count duplicates.

The notifications (email channel, spread over 50 bench recipients) are bulk-created as due a
minute ago. Then several dispatcher processes (production settings, Django's locmem email
backend) start at the same moment and each calls ``notifications.services.dispatch_due`` until
nothing is left to claim. Prints the wall time, notifications/s, each dispatcher's peak memory,
and duplicates: emails sent minus distinct notifications emailed, and rows reported sent by more
than one dispatcher (both should be 0).

Run: make bench   (or .venv/bin/python bench/bench_dispatch.py [--notifications 10000]
     [--dispatchers 2] [--batch 500])
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, _machine_cpu_ticks, bench_environment, django_shell, prepare_database

KEY_PREFIX = "bench-dispatch:"
RECIPIENTS = 50

SETUP = """
import datetime as dt, json
from django.utils import timezone
from accounts.models import Role, User
from notifications.models import Channel, Kind, Notification, Status
Notification.objects.filter(key__startswith="{prefix}").delete()
emails = [f"bench.dispatch{{n}}@example.org" for n in range({recipients})]
User.objects.bulk_create(
    [User(email=email, name="Bench Recipient", role=Role.PATIENT, password="!") for email in
     emails],
    ignore_conflicts=True,
)
ids = list(User.objects.filter(email__in=emails).values_list("pk", flat=True))
due = timezone.now() - dt.timedelta(minutes=1)
Notification.objects.bulk_create(
    [
        Notification(
            recipient_id=ids[n % len(ids)], kind=Kind.APPOINTMENT_REMINDER, channel=Channel.EMAIL,
            key=f"{prefix}{{n}}", title="You have an appointment reminder",
            body=f"Bench message {{n}}", link="/appointments/1/", due_at=due,
        )
        for n in range({count})
    ],
    batch_size=2000,
)
others = Notification.objects.filter(due_at__lte=timezone.now()).exclude(
    key__startswith="{prefix}"
).filter(status__in=[Status.PLANNED, Status.CLAIMED]).count()
print(json.dumps({{"others_due": others}}))
"""

RESULT = """
import json
from notifications.models import Notification, Status
rows = Notification.objects.filter(key__startswith="{prefix}")
print(json.dumps({{"total": rows.count(), "sent": rows.filter(status=Status.SENT).count(),
                  "attempts_over_1": rows.filter(attempts__gt=1).count()}}))
"""


def child(batch: int) -> None:
    """One dispatcher process: set up Django, say ready, wait for "go", dispatch until empty."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail

    from notifications import services

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    started = time.perf_counter()
    ids: list[int] = []
    claims = 0
    while True:
        result = services.dispatch_due(limit=batch)
        ids.extend(result.ids)
        claims += 1
        if result.claimed == 0:
            break
    seconds = time.perf_counter() - started
    markers = [
        message.body.split("\n", 1)[0]
        for message in mail.outbox
        if message.body.startswith("Bench message ")
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "ids": ids,
                "markers": markers,
                "emails": len(mail.outbox),
                "seconds": seconds,
                "claims": claims,
                "peak_mb": peak_mb,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="rows claimed per call")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _others = parser.parse_known_args()  # make bench passes every bench's options
    if args.child:
        child(args.batch)
        return

    env = bench_environment()
    prepare_database(env)
    setup = json.loads(
        django_shell(
            env,
            SETUP.format(prefix=KEY_PREFIX, recipients=RECIPIENTS, count=args.notifications),
        ).splitlines()[-1]
    )
    child_env = {**env, "EMAIL_URL": "memorymail://"}  # Django's locmem email backend
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                "--batch",
                str(args.batch),
            ],
            cwd=ROOT,
            env=child_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.dispatchers)
    ]
    for process in processes:
        line = process.stdout.readline().strip()
        if line != "ready":
            sys.exit(f"a dispatcher did not start: {line!r}")
    machine_before = _machine_cpu_ticks()
    started = time.perf_counter()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            sys.exit(f"a dispatcher failed with exit code {process.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    machine_after = _machine_cpu_ticks()
    busy = float("nan")
    if machine_before and machine_after and machine_after[1] > machine_before[1]:
        busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    rows = json.loads(django_shell(env, RESULT.format(prefix=KEY_PREFIX)).splitlines()[-1])

    ids = Counter(pk for result in results for pk in result["ids"])
    markers = Counter(marker for result in results for marker in result["markers"])
    emails = sum(len(result["markers"]) for result in results)
    duplicate_emails = emails - len(markers)
    rows_sent_twice = sum(1 for count in ids.values() if count > 1)
    rate = rows["sent"] / seconds if seconds else float("nan")

    print(
        f"bench_dispatch: {args.notifications} due email notifications, {args.dispatchers} "
        f"dispatcher processes at once, batches of {args.batch}, locmem email, "
        f"{os.cpu_count()} cores"
    )
    for number, result in enumerate(results, 1):
        print(
            f"  dispatcher {number}: sent {len(result['ids']):>6} in {result['seconds']:6.2f} s, "
            f"{result['claims']} claims, peak memory {result['peak_mb']:.0f} MB"
        )
    print(f"  time {seconds:.2f} s   {rate:,.0f} notifications/s   (target >= 500/s)")
    print(f"  machine {busy:.0%} busy meanwhile (dispatchers, PostgreSQL and anything else)")
    print(
        f"  rows sent {rows['sent']} of {rows['total']}; emails {emails} for "
        f"{len(markers)} distinct notifications"
    )
    print(
        f"  duplicates: {duplicate_emails} emails, {rows_sent_twice} rows sent twice "
        f"(target 0); rows needing more than one attempt: {rows['attempts_over_1']}"
    )
    if setup["others_due"]:
        print(f"  note: {setup['others_due']} other due rows in the bench database were sent too")
    print(f"  peak memory (largest dispatcher): {max(r['peak_mb'] for r in results):.0f} MB")


if __name__ == "__main__":
    main()
