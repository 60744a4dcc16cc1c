"""Care-team alerts through the outbox: urgent at once and once, the 2-hour escalation, the
08:00 digest of `soon` flags."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from accounts.tests.factories import CoordinatorFactory
from flags import services as flags
from flags.tasks import evaluate_patient_flags
from flags.tests.flag_helpers import NOW, day, live
from notifications.models import Notification, Status
from notifications.services import dispatch_due
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_coordinator(people):
    return CoordinatorFactory(email="coord.a2@example.org", teams=[people.team_a])


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def urgent_flag(people):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    with time_machine.travel(NOW, tick=False):
        flags.evaluate_patient(patient=people.patient_a, now=NOW)
    (flag,) = live(people.patient_a, "red_flag")
    return flag


def test_an_urgent_flag_emails_every_coordinator_once(people, second_coordinator):
    flag = urgent_flag(people)
    result = dispatch_due(now=NOW + dt.timedelta(seconds=30))
    assert result.sent == 4  # email + in-app for each of team A's two coordinators
    for coordinator in (people.coordinator_a, second_coordinator):
        (message,) = emails_to(coordinator.email)
        assert message.subject == "A patient needs a call"
        assert "seizure" not in (message.subject + message.body).lower()
        assert f"/patients/{people.patient_a.pk}/" in message.body
    assert not emails_to(people.coordinator_b.email) and not emails_to(people.patient_a.email)
    keys = set(
        Notification.objects.filter(subject_id=flag.pk, due_at=NOW).values_list("key", flat=True)
    )
    assert keys == {
        f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}",
        f"flag:{flag.pk}:urgent:{second_coordinator.pk}",
    }

    # Evaluating again, or the task being delivered again, plans and sends nothing more.
    later = NOW + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        flags.evaluate_patient(patient=people.patient_a, now=later)
        evaluate_patient_flags.delay(people.patient_a.pk)
        evaluate_patient_flags.delay(people.patient_a.pk)
    assert dispatch_due(now=later).sent == 0
    assert len(mail.outbox) == 2


def test_unacknowledged_urgent_flag_escalates_once_after_two_hours(people, second_coordinator):
    flag = urgent_flag(people)
    dispatch_due(now=NOW)
    mail.outbox.clear()
    assert dispatch_due(now=NOW + dt.timedelta(minutes=119)).sent == 0
    result = dispatch_due(now=NOW + dt.timedelta(hours=2, minutes=1))
    assert result.sent == 6  # two coordinators and the patient, each email + in-app
    for address in (people.coordinator_a.email, second_coordinator.email):
        (message,) = emails_to(address)
        assert message.subject.startswith("Still waiting")
    (to_patient,) = emails_to(people.patient_a.email)
    assert "24-hour line" in to_patient.body
    assert (
        Notification.objects.filter(key=f"flag:{flag.pk}:escalation:{people.patient_a.pk}").count()
        == 2
    )
    # Once, not every minute.
    assert dispatch_due(now=NOW + dt.timedelta(hours=3)).sent == 0
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        flags.evaluate_patient(patient=people.patient_a)
    assert dispatch_due(now=NOW + dt.timedelta(hours=3, minutes=1)).sent == 0
    assert len(mail.outbox) == 3


def test_no_escalation_when_acknowledged_in_time(people):
    flag = urgent_flag(people)
    dispatch_due(now=NOW)
    mail.outbox.clear()
    flags.flag_acknowledge(flag=flag, by=people.coordinator_a, note="Called her.")
    # Cancelled at once (never shown as coming), so the dispatcher has nothing to claim.
    escalations = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:escalation:")
    assert {row.status for row in escalations} == {Status.CANCELLED}
    result = dispatch_due(now=NOW + dt.timedelta(hours=2, minutes=1))
    assert result.claimed == 0
    assert mail.outbox == []


def test_the_send_time_check_still_drops_an_escalation_of_a_flag_no_longer_open(people):
    # A flag whose status changed by another road (a data fix) than the handling services.
    flag = urgent_flag(people)
    dispatch_due(now=NOW)
    mail.outbox.clear()
    type(flag).objects.filter(pk=flag.pk).update(status="acknowledged")
    result = dispatch_due(now=NOW + dt.timedelta(hours=2, minutes=1))
    assert result.sent == 0 and result.skipped == 4
    assert mail.outbox == []


def test_soon_flags_reach_coordinators_in_an_0800_digest(people, second_coordinator):
    log_day(people.patient_a, day(0), {"back_pain": 8}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    assert live(people.patient_a, "severe")
    assert dispatch_due(now=NOW).sent == 0  # `soon` sends nothing at once

    night = dt.datetime(2026, 3, 11, 3, 0, tzinfo=dt.UTC)
    assert flags.flag_digests_plan(now=night) == 4
    assert flags.flag_digests_plan(now=night) == 0  # idempotent by key
    row = Notification.objects.get(
        key=f"digest:{people.coordinator_a.pk}:2026-03-11", channel="email"
    )
    assert row.due_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)  # 08:00 in London (GMT)
    assert dispatch_due(now=row.due_at - dt.timedelta(minutes=1)).sent == 0
    assert dispatch_due(now=row.due_at).sent == 4
    (message,) = emails_to(people.coordinator_a.email)
    assert "1 flag to look at today, for 1 patient" in message.body
    assert "back" not in message.body.lower()
    assert not emails_to(people.coordinator_b.email)


def test_no_digest_without_soon_flags(people):
    assert flags.flag_digests_plan(now=NOW) == 0
    assert not Notification.objects.exists()


def test_raising_a_flag_to_urgent_alerts_then(people):
    # An old red-flag log (3 days back) is a `soon` flag: no alert. A new one today is urgent.
    log_day(people.patient_a, day(-3), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    (flag,) = live(people.patient_a, "red_flag")
    assert flag.level == "soon"
    assert not Notification.objects.filter(status=Status.PLANNED, kind="flag_alert").exists()
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    result = flags.evaluate_patient(patient=people.patient_a, now=NOW)
    (raised,) = live(people.patient_a, "red_flag")
    assert raised.pk == flag.pk and raised.level == "urgent" and raised in result.urgent
    assert dispatch_due(now=NOW).sent == 2
