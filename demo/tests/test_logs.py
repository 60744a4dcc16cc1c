"""demo.logs: sixty days of demo logs, each patient's story in their own time zone."""

import datetime as dt
import statistics

import pytest
import time_machine

from accounts.models import User
from accounts.tests.factories import make_patient
from demo.logs import DEMO_DAYS, demo_log_summaries, plan_logs, seed_demo_logs
from demo.management.commands.seed_demo import PATIENTS
from symptoms import services
from symptoms.models import DailyLog, LogEntry

pytestmark = pytest.mark.django_db

# 11:30 UTC: already 10 March in Auckland (NZDT, +13), still 9 March everywhere else. The US
# changed to summer time on 8 March, inside the window.
NOW = dt.datetime(2026, 3, 9, 11, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 9)
AUCKLAND_TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def patients() -> dict[str, User]:
    return {
        p.email: make_patient(email=p.email, name=p.name, timezone=p.timezone, sites=list(p.sites))
        for p in PATIENTS
    }


@pytest.fixture
def seeded(patients) -> dict[str, User]:
    seed_demo_logs(patients=patients, now=NOW)
    return patients


def _seed_one(patients: dict[str, User], name: str) -> User:
    """Seed one patient's story only (a sixth of the work of `seeded`)."""
    patient = patients[f"{name}@example.org"]
    seed_demo_logs(patients={patient.email: patient}, now=NOW)
    return patient


def _today(patient: User) -> dt.date:
    return patient.patient_profile.local_today(NOW)


def _logs(patient: User) -> list[DailyLog]:
    """Oldest first, with entries."""
    return list(
        DailyLog.objects.filter(patient=patient).order_by("date").prefetch_related("entries")
    )


def _values(log: DailyLog) -> dict:
    return {entry.symptom_id: entry.value for entry in log.entries.all()}


def _snapshot() -> list[tuple]:
    return [
        (log.patient_id, log.date, log.notes, sorted(_values(log).items()))
        for log in DailyLog.objects.order_by("patient_id", "date").prefetch_related("entries")
    ]


@pytest.mark.parametrize("email", ["ada", "bea", "cara", "eve"])
def test_regular_patients_have_sixty_days(patients, email):
    patient = _seed_one(patients, email)
    logs = _logs(patient)
    assert logs[0].date == _today(patient) - dt.timedelta(days=DEMO_DAYS - 1)
    assert 50 <= len(logs) <= DEMO_DAYS


def test_ada_is_stable_and_skips_a_few_days(patients):
    ada = _seed_one(patients, "ada")
    logs = _logs(ada)
    assert len(logs) < DEMO_DAYS  # skips the odd day
    assert logs[-1].date == _today(ada)
    for log in logs:
        values = _values(log)
        assert 1 <= values["bone_pain"] <= 3
        assert 2 <= values["fatigue"] <= 4
        assert not any(value is True for value in values.values())


def test_bea_back_pain_creeps_up_over_two_weeks(patients):
    bea = _seed_one(patients, "bea")
    logs = _logs(bea)
    last_three = logs[-3:]
    assert [log.date for log in last_three] == [
        _today(bea) - dt.timedelta(days=n) for n in (2, 1, 0)
    ]
    assert all(_values(log)["back_pain"] >= 5 for log in last_three)
    window_start = last_three[0].date - dt.timedelta(days=14)
    before = [
        _values(log)["back_pain"] for log in logs if window_start <= log.date < last_three[0].date
    ]
    assert len(before) >= 4  # enough days for the `worsening` rule's baseline
    assert statistics.median(before) <= 3
    earlier = [_values(log)["back_pain"] for log in logs if log.date < window_start]
    assert max(earlier) <= 3  # a stable baseline before the last two weeks
    assert all(_values(log)["fatigue"] >= 2 for log in logs)


def test_cara_has_a_red_flag_yesterday(patients):
    cara = _seed_one(patients, "cara")
    logs = _logs(cara)
    yesterday = logs[-1]
    assert yesterday.date == _today(cara) - dt.timedelta(days=1)
    assert _values(yesterday)["seizure"] is True
    assert _values(yesterday)["headache"] == 6
    assert "fit" in yesterday.notes
    for log in logs[:-1]:
        assert 1 <= _values(log)["headache"] <= 3
        assert "seizure" not in _values(log)


def test_dee_stopped_logging_five_days_ago(patients):
    dee = _seed_one(patients, "dee")
    logs = _logs(dee)
    assert logs[-1].date == _today(dee) - dt.timedelta(days=5)
    assert logs[0].date == _today(dee) - dt.timedelta(days=DEMO_DAYS - 1)
    assert len(logs) >= 40  # regular until then


def test_eve_steady_mild_cough_and_breathlessness(patients):
    eve = _seed_one(patients, "eve")
    for log in _logs(eve):
        values = _values(log)
        assert 1 <= values["cough"] <= 3
        assert 1 <= values["shortness_of_breath"] <= 3
        assert values["neuropathy"] >= 1


def test_eve_had_one_fever_the_team_called_her_about(patients):
    from accounts.tests.factories import CoordinatorFactory
    from demo.contacts import seed_demo_contacts
    from demo.logs import EVE_FEVER_DAYS_BACK
    from flags.models import Flag

    eve = _seed_one(patients, "eve")
    hot = [log.date for log in _logs(eve) if _values(log).get("fever")]
    assert hot == [_today(eve) - dt.timedelta(days=EVE_FEVER_DAYS_BACK)]
    CoordinatorFactory(email="nurse.south@example.org", teams=[eve.patient_profile.care_team])
    assert seed_demo_contacts(patients={"eve@example.org": eve}, now=NOW) == 2
    assert seed_demo_contacts(patients={"eve@example.org": eve}, now=NOW) == 0  # idempotent
    flag = Flag.objects.get(patient=eve)
    minutes = [(c.at - flag.reported_at).total_seconds() / 60 for c in flag.contacts.all()]
    assert minutes == [25, 50]


def test_fay_is_new_with_five_days(patients):
    fay = _seed_one(patients, "fay")
    dates = [log.date for log in _logs(fay)]
    assert dates == [_today(fay) - dt.timedelta(days=n) for n in range(4, -1, -1)]


def test_dates_follow_each_patients_own_time_zone(seeded):
    newest = {email: _logs(patient)[-1].date for email, patient in seeded.items()}
    assert newest == {
        "ada@example.org": TODAY,
        "bea@example.org": TODAY,
        "cara@example.org": TODAY - dt.timedelta(days=1),
        "dee@example.org": TODAY - dt.timedelta(days=5),
        "eve@example.org": AUCKLAND_TODAY,  # already tomorrow in New Zealand
        "fay@example.org": TODAY,
    }
    assert _logs(seeded["eve@example.org"])[0].date == AUCKLAND_TODAY - dt.timedelta(days=59)


def test_symptoms_stay_within_each_patients_sites(seeded):
    """No other metastasis site's symptoms, so the demo raises no `new_site` flag by accident."""
    for patient in seeded.values():
        allowed = {*patient.patient_profile.sites, "general", "treatment"}
        sites = set(
            LogEntry.objects.filter(log__patient=patient).values_list("symptom__site", flat=True)
        )
        assert sites <= allowed, patient.email


def test_some_days_have_notes_in_plain_words(seeded):
    logs = DailyLog.objects.all()
    with_notes = [log.notes for log in logs if log.notes]
    assert 0.05 * len(logs) <= len(with_notes) <= 0.3 * len(logs)
    assert all(len(note) < 200 for note in with_notes)


def test_second_run_changes_nothing(patients):
    created = seed_demo_logs(patients=patients, now=NOW)
    assert created == DailyLog.objects.count() > 250
    before = _snapshot()
    assert seed_demo_logs(patients=patients, now=NOW) == 0
    assert _snapshot() == before


def test_existing_days_are_left_alone(patients):
    ada = patients["ada@example.org"]
    services.daily_log_save(
        patient=ada, date=TODAY, entries=[{"symptom": "fatigue", "severity": 8}], notes="Mine."
    )
    seed_demo_logs(patients=patients, now=NOW)
    log = DailyLog.objects.get(patient=ada, date=TODAY)
    assert (_values(log), log.notes) == ({"fatigue": 8}, "Mine.")


def test_plan_is_deterministic():
    first = plan_logs(email="bea@example.org", today=TODAY)
    assert first == plan_logs(email="bea@example.org", today=TODAY)
    assert first != plan_logs(email="ada@example.org", today=TODAY)


def test_unknown_patient_is_refused(patients):
    with pytest.raises(ValueError, match="No demo story"):
        seed_demo_logs(patients={"zed@example.org": patients["ada@example.org"]}, now=NOW)
    assert not DailyLog.objects.exists()


def test_summaries_say_what_the_data_shows(patients):
    for name in ("bea", "cara", "dee", "fay"):
        _seed_one(patients, name)
    lines = {s.email: s.line() for s in demo_log_summaries(patients=patients, now=NOW)}
    assert "newest 5 days ago" in lines["dee@example.org"]
    assert "newest yesterday" in lines["cara@example.org"]
    assert "back pain slowly worsening" in lines["bea@example.org"]
    assert " 5 logs" in lines["fay@example.org"]
