"""The FHIR R4 Bundle (exports.fhir): valid, complete, coded, and read in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from accounts.models import User
from appointments.models import Appointment, AppointmentStatus
from exports.fhir import bundle_data, bundle_json, codes, dumps, patient_bundle
from flags.models import Flag
from flags.tests.factories import FlagFactory
from symptoms.catalogue import clear_catalogue_cache, get_catalogue
from symptoms.models import DailyLog, LogEntry, Symptom
from symptoms.tests.factories import log_day, log_days_back

pytestmark = pytest.mark.django_db

LOINC = "http://loinc.org"


def parsed(patient: User, since: dt.date | None = None) -> Bundle:
    """The Bundle as a receiver reads it: the JSON parsed and validated again."""
    return Bundle.model_validate_json(bundle_json(patient_id=patient.pk, since=since))


def resources(bundle: Bundle, resource_type: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == resource_type]


def coding(concept, system: str):
    return next((c for c in concept.coding if c.system == system), None)


def observation_value(observation) -> int | bool | Decimal:
    if observation.valueInteger is not None:
        return observation.valueInteger
    if observation.valueBoolean is not None:
        return observation.valueBoolean
    quantity = observation.valueQuantity
    assert (quantity.unit, quantity.system, quantity.code) == (
        "Cel",
        "http://unitsofmeasure.org",
        "Cel",
    )
    return Decimal(str(quantity.value))


# --- The demo patients' 60 days, round trip -------------------------------------------------


def test_the_demo_patients_records_round_trip(settings):
    settings.DEBUG = True  # seed_demo runs in development only
    call_command("seed_demo", stdout=io.StringIO())
    patients = User.objects.filter(email__endswith="@example.org", role="patient")
    assert patients.count() == 6
    catalogue = get_catalogue()
    kinds_seen: Counter[str] = Counter()
    coded: dict[str, tuple[str, str]] = {}
    for patient in patients:
        bundle = parsed(patient)
        assert bundle.type == "collection" and bundle.id and bundle.timestamp
        counts = Counter(e.resource.get_resource_type() for e in bundle.entry)
        assert counts["Patient"] == 1 and counts["Questionnaire"] == 1
        # Every fullUrl is unique and matches the resource's own id.
        urls = [e.fullUrl for e in bundle.entry]
        assert len(set(urls)) == len(urls)
        for entry in bundle.entry:
            resource = entry.resource
            assert entry.fullUrl == codes.resource_url(resource.get_resource_type(), resource.id)

        # Every log once as a QuestionnaireResponse, with its answers and notes.
        logs = {f"log-{log.pk}": log for log in DailyLog.objects.filter(patient=patient)}
        responses = {r.id: r for r in resources(bundle, "QuestionnaireResponse")}
        assert responses.keys() == logs.keys()
        for response_id, response in responses.items():
            log = logs[response_id]
            assert response.status == "completed"
            assert response.subject.reference == f"Patient/{patient.pk}"
            assert response.questionnaire.startswith(codes.questionnaire_url() + "|")
            answers = {
                item.linkId: item.answer[0]
                for group in response.item or []
                for item in (group.item or [group])
            }
            notes = answers.pop("notes", None)
            assert (notes.valueString if notes else "") == log.notes
            assert set(answers) == set(log.entries.values_list("symptom_id", flat=True))

        # Every entry once as an Observation, with the right code and value.
        entries = {
            f"entry-{e.pk}": e
            for e in LogEntry.objects.filter(log__patient=patient).select_related("log")
        }
        observations = {o.id: o for o in resources(bundle, "Observation")}
        assert observations.keys() == entries.keys()
        for observation_id, observation in observations.items():
            entry = entries[observation_id]
            assert observation.status == "final"
            assert coding(observation.category[0], codes.OBSERVATION_CATEGORY).code == "survey"
            assert coding(observation.code, codes.code_system("symptom")).code == entry.symptom_id
            assert observation.effectiveDateTime == entry.log.date
            assert (
                observation.derivedFrom[0].reference == f"QuestionnaireResponse/log-{entry.log_id}"
            )
            assert observation_value(observation) == entry.value
            kinds_seen[type(entry.value).__name__] += 1
            # The shipped catalogue's codes (symptoms/migrations/0009), as the catalogue says.
            symptom = catalogue.symptoms[entry.symptom_id]
            loinc = coding(observation.code, LOINC)
            assert (loinc.code if loinc else "") == symptom.loinc_code
            proctcae = coding(observation.code, codes.code_system("pro-ctcae"))
            assert (proctcae.code if proctcae else "") == (
                f"{symptom.proctcae_term}/{symptom.proctcae_attribute}"
                if symptom.proctcae_term
                else ""
            )
            coded[entry.symptom_id] = (
                loinc.code if loinc else "",
                proctcae.code if proctcae else "",
            )

        # Flags and appointments, each once.
        assert {f.id for f in resources(bundle, "Flag")} == {
            f"flag-{pk}" for pk in Flag.objects.filter(patient=patient).values_list("pk", flat=True)
        }
        assert {a.id for a in resources(bundle, "Appointment")} == {
            f"appointment-{pk}"
            for pk in Appointment.objects.filter(patient=patient).values_list("pk", flat=True)
        }
    # The demo holds all three kinds of answer, and entries coded each way.
    assert kinds_seen["int"] and kinds_seen["bool"] and kinds_seen["Decimal"]
    assert coded["fever"] == ("8310-5", "")
    assert coded["fatigue"] == ("", "Fatigue/interference")
    assert coded["headache"] == ("72514-3", "Headache/severity")


# --- Resources --------------------------------------------------------------------------------


def test_the_patient_carries_identity_and_contact(people):
    profile = people.patient_a.patient_profile
    profile.date_of_birth = dt.date(1961, 4, 2)
    profile.hospital_number = "MRN 0048213"
    profile.phone = "+447911123456"
    profile.save()
    patient = resources(parsed(people.patient_a), "Patient")[0]
    assert patient.id == str(people.patient_a.pk)
    assert patient.name[0].text == "Alice Patient"
    assert patient.birthDate == dt.date(1961, 4, 2)
    ours = next(i for i in patient.identifier if i.system == codes.identifier_system("patient"))
    assert ours.value == str(people.patient_a.pk)
    hospital = next(i for i in patient.identifier if i.type is not None)
    assert (hospital.type.coding[0].code, hospital.value) == ("MR", "MRN 0048213")
    assert {(t.system, t.value) for t in patient.telecom} == {
        ("email", "patient.a@example.org"),
        ("phone", "+447911123456"),
    }


def test_the_questionnaire_is_the_whole_catalogue_grouped_by_site(people):
    Symptom.objects.filter(code="mouth_sores").update(active=False)
    clear_catalogue_cache()
    questionnaire = resources(parsed(people.patient_a), "Questionnaire")[0]
    assert questionnaire.status == "active"
    assert questionnaire.url == codes.questionnaire_url() and questionnaire.version
    groups = {g.linkId: g for g in questionnaire.item if g.type == "group"}
    assert "site-bone" in groups and "site-treatment" in groups
    items = {i.linkId: i for g in groups.values() for i in g.item}
    assert len(items) == Symptom.objects.count()
    assert (items["bone_pain"].type, items["seizure"].type, items["fever"].type) == (
        "integer",
        "boolean",
        "decimal",
    )
    assert [c.code for c in items["fever"].code] == ["8310-5", "fever"]
    assert [c.system for c in items["fatigue"].code] == [
        codes.code_system("symptom"),
        codes.code_system("pro-ctcae"),
    ]
    # A retired symptom is still there for old answers, but no longer asked.
    assert items["mouth_sores"].readOnly is True
    assert not items["bone_pain"].readOnly


def test_a_retired_symptom_in_an_old_log_is_still_answered(people):
    log_days_back(people.patient_a, 3, {"mouth_sores": 4})
    Symptom.objects.filter(code="mouth_sores").update(active=False)
    clear_catalogue_cache()
    bundle = parsed(people.patient_a)
    observation = resources(bundle, "Observation")[0]
    assert coding(observation.code, codes.code_system("symptom")).code == "mouth_sores"
    assert observation.valueInteger == 4


def test_a_symptom_newer_than_the_cached_catalogue_is_still_answered(people):
    get_catalogue()  # cached in this process
    Symptom.objects.create(code="hiccups", name="Hiccups", site_id="general", kind="severity")
    log = DailyLog.objects.create(patient=people.patient_a, date=dt.date(2026, 1, 5))
    LogEntry.objects.create(log=log, symptom_id="hiccups", severity=3)
    observation = resources(parsed(people.patient_a), "Observation")[0]
    assert coding(observation.code, codes.code_system("symptom")).display == "Hiccups"


def test_flags_carry_status_rule_level_period_and_evidence(people):
    today = people.patient_a.patient_profile.local_today()
    log = log_day(people.patient_a, today - dt.timedelta(days=1), {"bone_pain": 8})
    now = timezone.now()
    FlagFactory(
        patient=people.patient_a,
        rule="severe",
        title="Bone pain 8 out of 10",
        advice="Call the team today.",
        evidence=[log.date.isoformat(), "2001-01-01"],
    )
    FlagFactory(
        patient=people.patient_a,
        rule="fever",
        status="resolved",
        resolved_at=now,
        note="Called, fine.",
    )
    flags = {f.code.coding[0].code: f for f in resources(parsed(people.patient_a), "Flag")}
    severe, fever = flags["severe"], flags["fever"]
    assert severe.status == "active" and fever.status == "inactive"
    assert severe.code.text == "Bone pain 8 out of 10"
    assert severe.code.coding[0].system == codes.code_system("flag-rule")
    assert coding(severe.category[0], codes.FLAG_CATEGORY).code == "clinical"
    assert coding(severe.category[1], codes.code_system("flag-level")).code == "soon"
    assert severe.period.start and severe.period.end is None
    assert fever.period.end >= fever.period.start
    extensions = [
        (e.url, e.valueDate or (e.valueReference and e.valueReference.reference))
        for e in severe.extension
    ]
    assert (codes.extension("flag-evidence-day"), log.date) in extensions
    assert (codes.extension("flag-evidence-day"), dt.date(2001, 1, 1)) in extensions
    assert (codes.extension("flag-evidence"), f"QuestionnaireResponse/log-{log.pk}") in extensions
    # What the patient was told to do stays out.
    assert "Call the team today." not in bundle_json(patient_id=people.patient_a.pk).decode()


def test_appointments_are_booked_cancelled_or_fulfilled(people):
    now = timezone.now()

    def make(**fields: object) -> Appointment:
        return Appointment.objects.create(patient=people.patient_a, **fields)

    ahead = make(kind="ct", starts_at=now + dt.timedelta(days=5), location="Imaging, level 1")
    cancelled = make(
        kind="mri", starts_at=now + dt.timedelta(days=6), status=AppointmentStatus.CANCELLED
    )
    past = make(kind="restaging", starts_at=now - dt.timedelta(days=5), duration_minutes=30)
    done = make(
        kind="blood_test", starts_at=now - dt.timedelta(days=9), status=AppointmentStatus.DONE
    )
    found = {a.id: a for a in resources(parsed(people.patient_a), "Appointment")}
    status = {
        pk: found[f"appointment-{pk}"].status for pk in (ahead.pk, cancelled.pk, past.pk, done.pk)
    }
    assert status == {
        ahead.pk: "booked",
        cancelled.pk: "cancelled",
        past.pk: "fulfilled",
        done.pk: "fulfilled",
    }
    booked = found[f"appointment-{ahead.pk}"]
    assert booked.serviceType[0].coding[0].code == "ct"
    assert booked.start == ahead.starts_at and booked.end == ahead.starts_at + dt.timedelta(hours=1)
    assert booked.participant[0].actor.reference == f"Patient/{people.patient_a.pk}"
    assert booked.participant[0].status == "accepted"


def test_our_codes_live_under_the_configured_base(people, settings):
    settings.FHIR_BASE_URL = "https://mbc.example.org/fhir/"
    log_days_back(people.patient_a, 0, {"bone_pain": 2})
    text = bundle_json(patient_id=people.patient_a.pk).decode()
    systems = {c["system"] for c in _codings(json.loads(text))}
    assert "https://mbc.example.org/fhir/CodeSystem/symptom" in systems
    assert all(
        s.startswith(
            (
                "https://mbc.example.org/fhir/",
                "http://loinc.org",
                "http://unitsofmeasure.org",
                "http://terminology.hl7.org/",
            )
        )
        for s in systems
    )


def _codings(node):
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _codings(value)


# --- ?since= ----------------------------------------------------------------------------------


def test_since_keeps_later_logs_and_flags_and_every_appointment(people):
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    old = log_day(patient, today - dt.timedelta(days=10), {"bone_pain": 2})
    new = log_day(patient, today - dt.timedelta(days=2), {"bone_pain": 5})
    stale = FlagFactory(patient=patient, age=dt.timedelta(days=20))
    Flag.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=20))
    fresh = FlagFactory(patient=patient, age=dt.timedelta(hours=2))
    Appointment.objects.create(
        patient=patient, kind="ct", starts_at=timezone.now() - dt.timedelta(days=30)
    )

    bundle = parsed(patient, since=today - dt.timedelta(days=5))
    assert [r.id for r in resources(bundle, "QuestionnaireResponse")] == [f"log-{new.pk}"]
    assert len(resources(bundle, "Observation")) == 1
    assert [f.id for f in resources(bundle, "Flag")] == [f"flag-{fresh.pk}"]
    assert len(resources(bundle, "Appointment")) == 1
    assert len(resources(bundle, "Patient")) == len(resources(bundle, "Questionnaire")) == 1

    everything = parsed(patient)
    assert {r.id for r in resources(everything, "QuestionnaireResponse")} == {
        f"log-{old.pk}",
        f"log-{new.pk}",
    }
    assert len(resources(everything, "Flag")) == 2


def test_a_flag_changed_since_counts_even_if_opened_before(people):
    patient = people.patient_a
    flag = FlagFactory(patient=patient, age=dt.timedelta(days=20))  # updated_at is now
    since = patient.patient_profile.local_today() - dt.timedelta(days=1)
    assert [f.id for f in resources(parsed(patient, since=since), "Flag")] == [f"flag-{flag.pk}"]


@pytest.mark.parametrize("since", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_since_at_the_ends_of_the_calendar(people, since):
    people.patient_a.patient_profile.timezone = "Pacific/Kiritimati"
    people.patient_a.patient_profile.save()
    log_days_back(people.patient_a, 0, {"bone_pain": 2})
    assert isinstance(patient_bundle(patient_id=people.patient_a.pk, since=since), Bundle)


# --- Queries ----------------------------------------------------------------------------------


def _log_days(patient: User, days: int) -> None:
    today = patient.patient_profile.local_today()
    for back in range(days):
        log_day(
            patient,
            today - dt.timedelta(days=back),
            {"bone_pain": back % 10, "seizure": back % 7 == 0, "fever": 37.0 + back % 3},
            notes=f"Day {back}",
            now=timezone.now() - dt.timedelta(days=back) if back > 30 else None,
        )


def test_the_bundle_reads_in_the_same_number_of_queries_for_10_and_60_days(
    people, django_assert_max_num_queries
):
    short, long = people.patient_a, people.patient_b
    _log_days(short, 10)
    _log_days(long, 60)
    for patient in (short, long):
        FlagFactory(patient=patient)
        Appointment.objects.create(patient=patient, kind="ct", starts_at=timezone.now())
    clear_catalogue_cache()
    patient_bundle(patient_id=short.pk)  # the catalogue is cached per process; warm it
    with django_assert_max_num_queries(6) as short_queries:
        small = patient_bundle(patient_id=short.pk)
    with django_assert_max_num_queries(6) as long_queries:
        big = patient_bundle(patient_id=long.pk)
    assert len(short_queries.captured_queries) == len(long_queries.captured_queries)
    assert len(resources(small, "QuestionnaireResponse")) == 10
    assert len(resources(big, "QuestionnaireResponse")) == 60
    assert len(resources(big, "Observation")) == 180


def test_the_json_says_exactly_what_the_fhir_models_say(people):
    """The export writes its validated data with ``json`` (fast); a receiver reading it gets
    the same Bundle, value for value, as fhir.resources' own serialiser would have written."""
    patient = people.patient_a
    log_days_back(patient, 0, {"fever": Decimal("38.0"), "bone_pain": 3}, notes="Hot, sore.")
    log_days_back(patient, 1, {"seizure": True})
    FlagFactory(patient=patient, rule="red_flag")
    data = bundle_data(patient_id=patient.pk)
    ours = json.loads(dumps(data))
    theirs = json.loads(Bundle.model_validate(data).model_dump_json())
    assert ours == theirs
    temperatures = [
        e["resource"]["valueQuantity"]["value"]
        for e in ours["entry"]
        if e["resource"]["resourceType"] == "Observation" and "valueQuantity" in e["resource"]
    ]
    assert temperatures == [38.0]
    assert ours["timestamp"].endswith("Z")
