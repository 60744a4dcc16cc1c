"""Evaluating and reconciling flags: dedup, evidence growth, no reopening from old evidence,
self-resolution, idempotence and the acknowledge / resolve state machine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import PatientProfile
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from appointments.models import Appointment
from flags import facts
from flags import services as flags
from flags.models import Flag, FlagStatus, FlagThresholds
from flags.tasks import sweep
from flags.tests.flag_helpers import NOW, day, live
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return CareTeamFactory(name="Lifecycle team")


@pytest.fixture
def coordinator(team):
    return CoordinatorFactory(email="lc.coord@example.org", teams=[team])


@pytest.fixture
def patient(team):
    return make_patient(
        email="lc.patient@example.org", care_team=team, enrolled_on=dt.date(2026, 3, 1)
    )


def evaluate(patient, now):
    return flags.evaluate_patient(patient=patient, now=now)


def test_red_flag_opens_one_urgent_flag_with_its_day(patient):
    log_day(patient, day(0), {"seizure": True}, now=NOW)
    result = evaluate(patient, NOW)
    (flag,) = live(patient, "red_flag")
    assert flag in result.opened and flag in result.urgent
    assert (flag.level, flag.status, flag.symptom_id, flag.site) == (
        "urgent",
        "open",
        "seizure",
        "",
    )
    assert flag.subject == "seizure"
    assert flag.evidence == [day(0).isoformat()]
    assert flag.opened_at == NOW and flag.title and flag.advice


def test_evaluating_twice_changes_nothing(patient):
    log_day(patient, day(-1), {"back_pain": 8, "seizure": True}, now=NOW)
    log_day(patient, day(0), {"back_pain": 8}, now=NOW)
    evaluate(patient, NOW)
    before = {flag.pk: (flag.updated_at, flag.evidence, flag.level) for flag in live(patient)}
    assert before
    later = NOW + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        result = evaluate(patient, later)
    assert not result.changed and result.alerts_planned == 0
    after = {flag.pk: (flag.updated_at, flag.evidence, flag.level) for flag in live(patient)}
    assert after == before


def test_new_evidence_grows_the_live_flag_instead_of_opening_another(patient):
    log_day(patient, day(0), {"back_pain": 8}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "severe")
    assert flag.evidence == [day(0).isoformat()]
    flag_services_ack = flags.flag_acknowledge  # an acknowledged flag keeps growing too
    coordinator = CoordinatorFactory(teams=[patient.patient_profile.care_team])
    flag_services_ack(flag=flag, by=coordinator, note="Called, booked a review.")

    tomorrow = NOW + dt.timedelta(days=1)
    log_day(patient, day(1), {"back_pain": 9}, now=tomorrow)
    result = evaluate(patient, tomorrow)
    (same,) = live(patient, "severe")
    assert same.pk == flag.pk and same in result.updated
    assert same.status == FlagStatus.ACKNOWLEDGED
    assert same.evidence == [day(0).isoformat(), day(1).isoformat()]
    assert Flag.objects.filter(patient=patient, rule="severe").count() == 1


def test_after_resolution_only_newer_evidence_opens_a_flag(patient, coordinator):
    log_day(patient, day(0), {"back_pain": 8}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "severe")
    flags.flag_resolve(flag=flag, by=coordinator, note="Seen in clinic.", now=NOW)

    # Same day, same logs (and a re-saved log for that day): nothing reopens.
    later = NOW + dt.timedelta(hours=3)
    log_day(patient, day(0), {"back_pain": 9}, now=later)
    assert not evaluate(patient, later).opened
    # Next day the old log is still "recent", but it predates the resolution: still nothing.
    tomorrow = NOW + dt.timedelta(days=1)
    log_day(patient, day(1), {"back_pain": 2}, now=tomorrow)
    assert not live(patient, "severe") and not evaluate(patient, tomorrow).opened
    # A new severe day after the resolution opens a new flag, on that evidence only.
    log_day(patient, day(1), {"back_pain": 8}, now=tomorrow)
    result = evaluate(patient, tomorrow)
    (new,) = live(patient, "severe")
    assert new.pk != flag.pk and new in result.opened
    assert new.evidence == [day(1).isoformat()]


def test_not_logging_resolves_itself_when_the_patient_logs_again(patient):
    log_day(patient, day(-5), {}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "not_logging")
    assert flag.level == "soon"
    log_day(patient, day(0), {}, now=NOW)
    result = evaluate(patient, NOW)
    flag.refresh_from_db()
    assert flag in result.resolved
    assert flag.status == FlagStatus.RESOLVED and flag.resolved_by is None
    assert "automatically" in flag.note
    assert not evaluate(patient, NOW).changed


def test_not_logging_that_resolved_itself_opens_again_when_the_patient_goes_quiet_again(patient):
    log_day(patient, day(-5), {}, now=NOW)
    evaluate(patient, NOW)
    log_day(patient, day(0), {}, now=NOW)  # logs again: the flag resolves itself today
    evaluate(patient, NOW)
    assert not live(patient, "not_logging")
    later = NOW + dt.timedelta(days=5)  # nothing since today's log: quiet again
    evaluate(patient, later)
    (again,) = live(patient, "not_logging")
    assert again.evidence == [day(0).isoformat()]


def test_a_state_flag_a_person_resolved_stays_resolved_while_the_state_lasts(patient, coordinator):
    log_day(patient, day(-5), {}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "not_logging")
    flags.flag_resolve(flag=flag, by=coordinator, note="Spoke to her: on holiday.", now=NOW)
    assert not evaluate(patient, NOW + dt.timedelta(days=1)).opened  # the same quiet spell
    log_day(patient, day(2), {}, now=NOW + dt.timedelta(days=2))  # back, then quiet again
    evaluate(patient, NOW + dt.timedelta(days=7))
    (again,) = live(patient, "not_logging")
    assert again.evidence == [day(2).isoformat()]


def test_restaging_overdue_resolves_itself_when_a_scan_is_booked(patient):
    profile = patient.patient_profile
    profile.enrolled_on = dt.date(2025, 11, 1)  # > 12 weeks + 14 days ago, nothing booked
    profile.save(update_fields=["enrolled_on"])
    evaluate(patient, NOW)
    (flag,) = live(patient, "restaging_overdue")
    assert flag.level == "next_visit"
    Appointment.objects.create(
        patient=patient, kind="ct", starts_at=NOW + dt.timedelta(days=10), duration_minutes=30
    )
    result = evaluate(patient, NOW)
    flag.refresh_from_db()
    assert flag in result.resolved and flag.status == FlagStatus.RESOLVED


def test_a_flag_that_is_not_self_resolving_stays_when_no_longer_found(patient):
    log_day(patient, day(0), {"back_pain": 8}, now=NOW)
    evaluate(patient, NOW)
    later = NOW + dt.timedelta(days=5)
    log_day(patient, day(5), {"back_pain": 1}, now=later)
    evaluate(patient, later)
    assert len(live(patient, "severe")) == 1


def test_acknowledge_and_resolve_state_machine(patient, coordinator):
    log_day(patient, day(0), {"seizure": True}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "red_flag")
    flag = flags.flag_acknowledge(flag=flag, by=coordinator, note="Phoned, going to A&E.", now=NOW)
    assert flag.status == "acknowledged" and flag.acknowledged_by == coordinator
    assert flag.acknowledged_at == NOW and flag.note == "Phoned, going to A&E."
    with pytest.raises(ValidationError):
        flags.flag_acknowledge(flag=flag, by=coordinator, note="again")
    flag = flags.flag_resolve(flag=flag, by=coordinator, note="Admitted.", now=NOW)
    assert flag.status == "resolved" and flag.resolved_by == coordinator
    assert flag.note == "Phoned, going to A&E.\nAdmitted."
    with pytest.raises(ValidationError):
        flags.flag_acknowledge(flag=flag, by=coordinator, note="late")
    with pytest.raises(ValidationError):
        flags.flag_resolve(flag=flag, by=coordinator, note="twice")


def test_an_open_flag_can_be_resolved_directly(patient, coordinator):
    log_day(patient, day(0), {"seizure": True}, now=NOW)
    evaluate(patient, NOW)
    (flag,) = live(patient, "red_flag")
    assert flags.flag_resolve(flag=flag, by=coordinator, note="False alarm.").status == "resolved"


def test_thresholds_come_from_the_admin_row(patient):
    assert facts.thresholds().severe == 7
    FlagThresholds.objects.create(severe=9)
    assert facts.thresholds().severe == 9
    log_day(patient, day(0), {"back_pain": 8}, now=NOW)
    evaluate(patient, NOW)
    assert not live(patient, "severe")


def test_threshold_changes_are_audited():
    from auditlog.models import LogEntry

    row = FlagThresholds.objects.create()
    row.severe = 8
    row.save()
    assert LogEntry.objects.get_for_object(row).count() == 2


def test_sweep_evaluates_everyone_in_batches_and_the_command_reports(patient, team, capsys):
    other = make_patient(email="lc.other@example.org", care_team=team)
    log_day(patient, day(0), {"seizure": True}, now=NOW)
    log_day(other, day(0), {"back_pain": 8}, now=NOW)
    with time_machine.travel(NOW, tick=False):
        totals = sweep(now=NOW, batch=1)
        assert totals["patients"] == 2 and totals["opened"] >= 2
        assert sweep(now=NOW)["opened"] == 0
        call_command("evaluate_flags", "--patient", str(patient.pk))
    assert "No changes." in capsys.readouterr().out
    assert live(patient, "red_flag") and live(other, "severe")


def test_the_sweep_skips_and_reports_a_patient_who_cannot_be_evaluated(patient, team, caplog):
    others = [make_patient(email=f"lc.sweep{i}@example.org", care_team=team) for i in range(3)]
    for person in (patient, *others):
        log_day(person, day(0), {"seizure": True}, now=NOW)
    broken = others[0]
    # A zone stored when it was valid and since removed from the time zone database.
    PatientProfile.objects.filter(pk=broken.pk).update(timezone="US/Pacific-New")
    with time_machine.travel(NOW, tick=False):
        totals = sweep(now=NOW, batch=2)  # the broken patient shares the first batch
    assert (totals["patients"], totals["failed"]) == (3, 1)
    for person in (patient, *others[1:]):
        assert live(person, "red_flag")
    assert not Flag.objects.filter(patient=broken).exists()
    (record,) = [row for row in caplog.records if row.levelname == "ERROR"]
    assert f"patient {broken.pk}" in record.getMessage()
    assert record.exc_info is not None
