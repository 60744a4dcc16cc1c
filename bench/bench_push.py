"""Push notifications/s through the dispatcher to a local fake push service, beside email.

A fake push service (``notifications/tests/fake_push.py``) runs in this process on 127.0.0.1:
for every request it checks the VAPID JWT (ES256 signature, audience, subject, expiry) and
decrypts the aes128gcm body with the device's private key, as a real push service and phone do
between them. 50 bench recipients get one device each. The same number of due notifications is
then dispatched twice in one run by the same dispatcher processes (production settings), first
as email rows (Django's locmem backend, as in bench_dispatch.py), then as push rows (pywebpush:
one encryption and one signed HTTP request per device). Prints both rates and the push
duplicates (requests for one notification and device beyond the first: target 0).

``--latency`` adds a delay to each push service response (a real one answers in tens of
milliseconds across the internet; the dispatcher sends one device at a time).

Run: .venv/bin/python bench/bench_push.py [--notifications 2000] [--dispatchers 2]
     [--batch 500] [--latency 0]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_dispatch import RESULT  # the same count of the bench rows, sent or not
from harness import ROOT, bench_environment, django_shell, prepare_database

sys.path.insert(0, str(ROOT))
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.tests.fake_push import FakePushService

KEY_PREFIX = "bench-push:"
RECIPIENTS = 50
CONTACT = "mailto:bench@example.org"

SETUP = """
import datetime as dt, json
from django.utils import timezone
from accounts.models import Role, User
from notifications.models import Channel, Kind, Notification, PushSubscription, Status
Notification.objects.filter(key__startswith="{prefix}").delete()
emails = [f"bench.push{{n}}@example.org" for n in range({recipients})]
User.objects.bulk_create(
    [User(email=email, name="Bench Recipient", role=Role.PATIENT, password="!") for email in
     emails],
    ignore_conflicts=True,
)
ids = list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))
PushSubscription.objects.filter(user_id__in=ids).delete()
devices = json.loads({devices!r})
PushSubscription.objects.bulk_create(
    [PushSubscription(user_id=pk, device="bench", **device) for pk, device in zip(ids, devices)]
)
due = timezone.now() - dt.timedelta(minutes=1)
Notification.objects.bulk_create(
    [
        Notification(
            recipient_id=ids[n % len(ids)], kind=Kind.APPOINTMENT_REMINDER,
            channel=Channel.{channel}, key=f"{prefix}{{n}}", title="You have a reminder",
            body=f"Bench message {{n}}", link="/notifications/", due_at=due,
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


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big")), _b64url(public)


def child(batch: int) -> None:
    """One dispatcher process: set up Django, then for each "go", dispatch until empty."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail

    from notifications import services

    assert settings.WEBPUSH_ENABLED
    print("ready", flush=True)
    for _line in sys.stdin:  # one "go" per round
        mail.outbox = []
        started = time.perf_counter()
        sent = 0
        while True:
            result = services.dispatch_due(limit=batch)
            sent += result.sent
            if result.claimed == 0:
                break
        print(json.dumps({"sent": sent, "seconds": time.perf_counter() - started}), flush=True)


def run_round(processes, env, *, channel, count, devices) -> dict:
    setup = django_shell(
        env,
        SETUP.format(
            prefix=KEY_PREFIX,
            recipients=RECIPIENTS,
            count=count,
            channel=channel,
            devices=json.dumps(devices),
        ),
    )
    others = json.loads(setup.splitlines()[-1])["others_due"]
    started = time.perf_counter()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    per = [json.loads(process.stdout.readline()) for process in processes]
    seconds = time.perf_counter() - started
    rows = json.loads(django_shell(env, RESULT.format(prefix=KEY_PREFIX)).splitlines()[-1])
    return {"seconds": seconds, "rows": rows, "per": per, "others": others}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=2_000)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="rows claimed per call")
    parser.add_argument("--latency", type=float, default=0.0, help="push service delay, s")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _others = parser.parse_known_args()  # make bench passes every bench's options
    if args.child:
        child(args.batch)
        return

    private, public = vapid_pair()
    env = bench_environment()
    prepare_database(env)
    env = {
        **env,
        "EMAIL_URL": "memorymail://",
        "WEBPUSH_VAPID_PRIVATE_KEY": private,
        "WEBPUSH_VAPID_PUBLIC_KEY": public,
        "WEBPUSH_CONTACT": CONTACT,
    }
    with FakePushService(contact=CONTACT, public_key=public, delay=args.latency) as service:
        fakes = [service.new_device() for _ in range(RECIPIENTS)]
        devices = [fake.subscription_fields() for fake in fakes]
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--child", "--batch", str(args.batch)],
                cwd=ROOT,
                env=env,
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
        rounds = {}
        for channel in ("EMAIL", "PUSH"):
            rounds[channel] = run_round(
                processes, env, channel=channel, count=args.notifications, devices=devices
            )
        for process in processes:
            process.stdin.close()
            process.wait(timeout=60)
        received = list(service.received)

    per_device = Counter(
        (item.token, item.payload["body"]) for item in received if item.payload is not None
    )
    problems = sum(1 for item in received if item.problems)
    duplicates = sum(count - 1 for count in per_device.values())
    print(
        f"bench_push: {args.notifications} due notifications per channel, {RECIPIENTS} "
        f"recipients with one device each, {args.dispatchers} dispatcher processes, batches of "
        f"{args.batch}, fake push service latency {args.latency * 1000:.0f} ms, "
        f"{os.cpu_count()} cores"
    )
    for channel, label in (("EMAIL", "email (locmem)"), ("PUSH", "push (fake service)")):
        result = rounds[channel]
        rate = result["rows"]["sent"] / result["seconds"] if result["seconds"] else float("nan")
        print(
            f"  {label:<20} {result['rows']['sent']:>6} of {result['rows']['total']} sent in "
            f"{result['seconds']:6.2f} s   {rate:8,.0f} notifications/s   "
            f"(rows needing a retry: {result['rows']['attempts_over_1']})"
        )
        if result["others"]:
            print(f"    note: {result['others']} other due rows were sent in this round too")
    print(
        f"  push requests {len(received)}: {problems} failed the VAPID/decryption checks, "
        f"{duplicates} duplicates per notification and device (target 0)"
    )


if __name__ == "__main__":
    main()
