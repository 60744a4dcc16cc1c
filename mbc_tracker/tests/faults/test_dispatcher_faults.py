"""The dispatcher is killed mid-batch with 1,000 messages due: after its restart every message
is delivered, and each exactly once.

The one duplicate no outbox can rule out: a message handed to the mail server (here, written
to the file) just before the kill, whose confirming UPDATE never ran. Its lease lapses and it is
sent again, with the same Message-ID, so mail clients show it once. The test counts deliveries
and distinct Message-IDs separately and allows at most that one message in flight.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from mbc_tracker.tests.faults import harness

pytestmark = pytest.mark.faults

MESSAGES = 1000

_PLAN = """
import json
from django.utils import timezone
from accounts.models import User
from notifications.models import Channel, Kind
from notifications.services import Planned, notifications_plan
ids = list(User.objects.filter(role="patient").values_list("pk", flat=True))
now = timezone.now()
planned = notifications_plan(planned=[
    Planned(key=f"fault:{n}", kind=Kind.ACCOUNT, recipient_id=ids[n % len(ids)], due_at=now,
            title="A message", body=f"Message {n}", channels=(Channel.EMAIL,))
    for n in range(MESSAGES)
])
print(json.dumps({"planned": planned}))
"""


def test_the_dispatcher_killed_mid_batch_sends_each_message_once(world):
    stack = world.stack
    harness.seed_team(world, patients=10, coordinators=1)
    planned = harness.django_run(stack.env, f"MESSAGES = {MESSAGES}\n{_PLAN}")["planned"]
    assert planned == MESSAGES

    def count(status: str) -> int:
        return world.scalar(
            "SELECT count(*) FROM notifications_notification WHERE key LIKE 'fault:%%' "
            "AND status = %s",
            (status,),
        )

    stack.start_worker()
    stack.start_beat()  # the dispatcher runs every tick
    harness.wait_for(lambda: count("sent") >= 50, seconds=60, what="sending to start", every=0.02)
    stack.kill_worker()
    killed_at = time.monotonic()
    sent_at_kill, claimed_at_kill = count("sent"), count("claimed")
    stack.start_worker()
    harness.wait_for(
        lambda: count("sent") == MESSAGES, seconds=120, what="every message sent", every=0.5
    )
    all_sent = time.monotonic() - killed_at
    time.sleep(2)  # room for a wrongful duplicate

    deliveries = Counter(
        message["Message-ID"]
        for message in harness.delivered_mail(world.mail_dir)
        if message["Subject"] == "A message"
    )
    total = sum(deliveries.values())
    duplicated = {key: n for key, n in deliveries.items() if n > 1}
    print(
        f"\n[faults] dispatcher SIGKILL: {MESSAGES} due, {sent_at_kill} sent and "
        f"{claimed_at_kill} claimed at the kill; after the restart {count('sent')} sent, "
        f"{total} deliveries, {len(deliveries)} distinct, duplicates {total - len(deliveries)} "
        f"(same Message-ID), all sent {all_sent:.1f} s after the kill (lease 12 s here)"
    )
    assert 0 < sent_at_kill < MESSAGES and claimed_at_kill > 0, "the kill missed the batch"
    assert count("sent") == MESSAGES and count("claimed") == count("planned") == 0
    assert len(deliveries) == MESSAGES
    assert total - len(deliveries) <= 1, duplicated  # the one in flight at the kill, at most
