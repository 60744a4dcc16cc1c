"""The flag rules of CLINICAL.md at each edge: pure functions, no database.

Each case gives logs as {days ago: {code: value}} and the exact set of (rule, level, subject) that
must come out, so a stray finding fails the case as surely as a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from flags.rules import (
    NEXT_VISIT,
    SOON,
    URGENT,
    AdviceNumbers,
    DayLog,
    Finding,
    PatientFacts,
    RestagingFacts,
    SymptomFacts,
    Thresholds,
    evaluate,
)

# CLINICAL.md, "Sites and symptom catalogue": code, name, site, kind, red flag.
CATALOGUE_TABLE = (
    ("bone_pain", "Bone pain", "bone", "severity", "none"),
    ("back_pain", "Back or neck pain", "bone", "severity", "none"),
    ("bone_swelling", "Swelling over a bone", "bone", "severity", "none"),
    ("fracture", "A bone broke, or you think it may have", "bone", "presence", "call_now"),
    ("limb_weakness_numbness", "New weakness, numbness or tingling in legs or arms", "bone",
     "presence", "emergency"),
    ("bladder_bowel_change", "New trouble controlling bladder or bowels", "bone", "presence",
     "emergency"),
    ("headache", "Headache", "brain", "severity", "none"),
    ("vision_change", "Blurred or double vision", "brain", "severity", "none"),
    ("balance_problems", "Dizziness or trouble with balance", "brain", "severity", "none"),
    ("seizure", "Seizure (fit)", "brain", "presence", "emergency"),
    ("confusion", "Confusion or sudden memory problems", "brain", "presence", "call_now"),
    ("speech_difficulty", "Sudden trouble speaking", "brain", "presence", "emergency"),
    ("abdominal_pain", "Pain under the right ribs or in the belly", "liver", "severity", "none"),
    ("abdominal_swelling", "Swollen belly", "liver", "severity", "none"),
    ("jaundice", "Yellow skin or eyes", "liver", "presence", "call_now"),
    ("itching", "Itchy skin", "liver", "severity", "none"),
    ("shortness_of_breath", "Shortness of breath", "lung", "severity", "none"),
    ("breathless_at_rest", "Breathless while resting", "lung", "presence", "emergency"),
    ("cough", "Cough", "lung", "severity", "none"),
    ("chest_pain", "Chest pain", "lung", "severity", "none"),
    ("coughing_blood", "Coughing up blood", "lung", "presence", "emergency"),
    ("fatigue", "Tiredness", "general", "severity", "none"),
    ("appetite_loss", "Loss of appetite", "general", "severity", "none"),
    ("nausea", "Nausea or vomiting", "general", "severity", "none"),
    ("thirst", "Very thirsty", "general", "severity", "none"),
    ("constipation", "Constipation", "general", "severity", "none"),
    ("anxiety", "Feeling anxious or worried", "general", "severity", "none"),
    ("low_mood", "Feeling low or sad", "general", "severity", "none"),
    ("fever", "Temperature", "general", "temperature", "none"),
    ("neuropathy", "Numbness or tingling in hands or feet", "treatment", "severity", "none"),
    ("diarrhea", "Diarrhoea", "treatment", "severity", "none"),
    ("mouth_sores", "Mouth sores", "treatment", "severity", "none"),
    ("hand_foot", "Sore, red or peeling hands or feet", "treatment", "severity", "none"),
)  # fmt: skip
METASTASIS_SITES = frozenset({"bone", "brain", "liver", "lung"})
SYMPTOMS = {
    code: SymptomFacts(
        code=code,
        name=name,
        site=site,
        kind=kind,
        red_flag=red_flag,
        is_metastasis_site=site in METASTASIS_SITES,
    )
    for code, name, site, kind, red_flag in CATALOGUE_TABLE
}
TODAY = dt.date(2025, 3, 12)  # a Wednesday
ALL_SITES = METASTASIS_SITES  # so that new_site stays quiet unless a case narrows the profile
C = Decimal


def day(ago: int, today: dt.date = TODAY) -> dt.date:
    return today - dt.timedelta(days=ago)


def facts(
    logs: dict[int, dict[str, int | bool | Decimal]],
    *,
    sites: frozenset[str] = ALL_SITES,
    today: dt.date = TODAY,
    restaging: RestagingFacts | None = None,
    ever_logged: bool | None = None,
) -> PatientFacts:
    return PatientFacts(
        sites=sites,
        today=today,
        logs=tuple(DayLog(date=day(ago, today), values=dict(v)) for ago, v in logs.items()),
        restaging=restaging,
        ever_logged=ever_logged,
    )


def run(patient: PatientFacts, **kwargs: object) -> list[Finding]:
    return evaluate(patient, symptoms=SYMPTOMS, **kwargs)  # type: ignore[arg-type]


def fired(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.rule, f.level, f.subject) for f in findings}


def only(findings: list[Finding], rule: str) -> Finding:
    [finding] = [f for f in findings if f.rule == rule]
    return finding


@dataclass(frozen=True)
class Case:
    logs: dict[int, dict[str, int | bool | Decimal]]
    expected: set[tuple[str, str, str]]
    sites: frozenset[str] = ALL_SITES
    evidence: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)


# Five quiet days of baseline, 2..6 days back: a background that fires nothing.
QUIET = {ago: {"fatigue": 1} for ago in range(2, 7)}

# Headache >= 4 in 3 logs of the week, but in only 2 of the last 5 (so ``persistent`` stays quiet).
NEW_HEADACHE = {0: {"headache": 4}, 1: {}, 2: {}, 3: {}, 4: {"headache": 5}, 6: {"headache": 4}}

CASES = {
    # --- fever: 37.9 vs 38.0 °C, recent vs not ---
    "fever 37.9 today: nothing": Case({0: {"fever": C("37.9")}}, set()),
    "fever 38.0 today: urgent": Case(
        {0: {"fever": C("38.0")}}, {("fever", URGENT, "fever")}, evidence={("fever", "fever"): (0,)}
    ),
    "fever 38.0 yesterday: urgent": Case({1: {"fever": C("38.0")}}, {("fever", URGENT, "fever")}),
    "fever 38.5 two days ago: not recent": Case({2: {"fever": C("38.5")}, 0: {}}, set()),
    # --- severe: 6 vs 7, anxiety and low mood left to distress ---
    "severity 6: nothing": Case({0: {"bone_pain": 6}}, set()),
    "severity 7: severe": Case({0: {"bone_pain": 7}}, {("severe", SOON, "bone_pain")}),
    "severity 9 two days ago: not recent": Case({2: {"bone_pain": 9}, 0: {}}, set()),
    "anxiety 7: distress, not severe": Case({0: {"anxiety": 7}}, {("distress", SOON, "anxiety")}),
    "low mood 6: nothing": Case({0: {"low_mood": 6}}, set()),
    "low mood 8 yesterday: distress": Case({1: {"low_mood": 8}}, {("distress", SOON, "low_mood")}),
    # --- red_flag: recent -> urgent, 2..30 days back -> soon, 31 -> nothing ---
    "red flag today: urgent": Case({0: {"seizure": True}}, {("red_flag", URGENT, "seizure")}),
    "red flag yesterday: urgent": Case({1: {"jaundice": True}}, {("red_flag", URGENT, "jaundice")}),
    "red flag two days ago: soon": Case(
        {2: {"jaundice": True}, 0: {}}, {("red_flag", SOON, "jaundice")}
    ),
    "red flag 30 days ago: soon": Case(
        {30: {"coughing_blood": True}, 0: {}}, {("red_flag", SOON, "coughing_blood")}
    ),
    "red flag 31 days ago: nothing": Case({31: {"coughing_blood": True}, 0: {}}, set()),
    "red flag recent and older: one urgent on the recent day": Case(
        {0: {"fracture": True}, 10: {"fracture": True}},
        {("red_flag", URGENT, "fracture")},
        evidence={("red_flag", "fracture"): (0,)},
    ),
    "red flag older twice: soon on both days": Case(
        {3: {"fracture": True}, 9: {"fracture": True}, 0: {}},
        {("red_flag", SOON, "fracture")},
        evidence={("red_flag", "fracture"): (9, 3)},
    ),
    "absent red flag (False): nothing": Case({0: {"seizure": False}}, set()),
    # --- mscc, absorbing the red flags of its nerve symptoms on the same days ---
    "mscc: back pain 1 + weakness absorbs the red flag": Case(
        {0: {"back_pain": 1, "limb_weakness_numbness": True}},
        {("mscc", URGENT, "")},
        evidence={("mscc", ""): (0,)},
    ),
    "mscc: back pain + bladder yesterday absorbs the red flag": Case(
        {1: {"back_pain": 3, "bladder_bowel_change": True}}, {("mscc", URGENT, "")}
    ),
    "mscc: both nerve symptoms absorbed": Case(
        {0: {"back_pain": 2, "limb_weakness_numbness": True, "bladder_bowel_change": True}},
        {("mscc", URGENT, "")},
    ),
    "no mscc without back pain: the red flag stands": Case(
        {0: {"back_pain": 0, "limb_weakness_numbness": True}},
        {("red_flag", URGENT, "limb_weakness_numbness")},
    ),
    "no mscc when back pain and weakness are on different days": Case(
        {0: {"back_pain": 5}, 1: {"limb_weakness_numbness": True}},
        {("red_flag", URGENT, "limb_weakness_numbness")},
    ),
    "mscc absorbs only its own days": Case(
        {0: {"back_pain": 2, "limb_weakness_numbness": True}, 1: {"limb_weakness_numbness": True}},
        {("mscc", URGENT, ""), ("red_flag", URGENT, "limb_weakness_numbness")},
        evidence={("mscc", ""): (0,), ("red_flag", "limb_weakness_numbness"): (1,)},
    ),
    "mscc two days ago: not recent, a soon red flag": Case(
        {2: {"back_pain": 4, "limb_weakness_numbness": True}, 0: {}},
        {("red_flag", SOON, "limb_weakness_numbness")},
    ),
    "mscc leaves other red flags alone": Case(
        {0: {"back_pain": 2, "bladder_bowel_change": True, "fracture": True}},
        {("mscc", URGENT, ""), ("red_flag", URGENT, "fracture")},
    ),
    # --- hypercalcemia: bone only; two different criteria within the last 3 days ---
    "hypercalcemia: thirst 4 + constipation 4": Case(
        {0: {"thirst": 4, "constipation": 4}}, {("hypercalcemia", URGENT, "")}
    ),
    "hypercalcemia: criteria on different days of the 3": Case(
        {0: {"thirst": 5}, 2: {"nausea": 4}},
        {("hypercalcemia", URGENT, "")},
        evidence={("hypercalcemia", ""): (2, 0)},
    ),
    "hypercalcemia: a criterion 3 days ago is outside": Case(
        {0: {"thirst": 5}, 3: {"nausea": 4}}, set()
    ),
    "hypercalcemia: one criterion twice is not two": Case(
        {0: {"thirst": 6}, 1: {"thirst": 6}}, set()
    ),
    "hypercalcemia: 3 is below the level": Case({0: {"thirst": 3, "constipation": 4}}, set()),
    "hypercalcemia: confusion + nausea (confusion is also a red flag)": Case(
        {0: {"confusion": True, "nausea": 4}},
        {("hypercalcemia", URGENT, ""), ("red_flag", URGENT, "confusion")},
    ),
    "hypercalcemia: never without bone metastases": Case(
        {0: {"thirst": 6, "constipation": 6, "nausea": 6}},
        set(),
        sites=frozenset({"brain", "liver", "lung", "bone_marrow"}),
    ),
    "hypercalcemia: no sites at all": Case(
        {0: {"thirst": 6, "constipation": 6}}, set(), sites=frozenset({"general"})
    ),
    # --- worsening: the baseline needs 4 logs in the 14 days before the older of the two ---
    "worsening: baseline from 4 logs": Case(
        {
            0: {"cough": 4},
            1: {"cough": 4},
            2: {"cough": 2},
            5: {"cough": 2},
            9: {"cough": 2},
            15: {"cough": 2},
        },
        {("worsening", SOON, "cough")},
        evidence={("worsening", "cough"): (1, 0)},
    ),
    "worsening: baseline from 3 logs is no baseline": Case(
        {0: {"cough": 4}, 1: {"cough": 4}, 2: {"cough": 2}, 5: {"cough": 2}, 9: {"cough": 2}},
        set(),
    ),
    "worsening: a log 16 days ago is outside the 14 days before yesterday": Case(
        {
            0: {"cough": 4},
            1: {"cough": 4},
            2: {"cough": 2},
            5: {"cough": 2},
            9: {"cough": 2},
            16: {"cough": 2},
        },
        set(),
    ),
    "worsening: rise of 1 is not enough": Case(
        {
            0: {"cough": 4},
            1: {"cough": 4},
            2: {"cough": 3},
            3: {"cough": 3},
            4: {"cough": 3},
            5: {"cough": 3},
        },
        set(),
    ),
    "worsening: 3 is below the floor even from 0": Case(
        {0: {"cough": 3}, 1: {"cough": 3}, 2: {}, 3: {}, 4: {}, 5: {}}, set()
    ),
    "worsening: both logs must rise": Case(
        {0: {"cough": 6}, 1: {"cough": 2}, 2: {}, 3: {}, 4: {}, 5: {}}, set()
    ),
    "worsening: median of 2,2,3,3 is 2.5, so 4 is not enough": Case(
        {
            0: {"cough": 4},
            1: {"cough": 4},
            2: {"cough": 2},
            3: {"cough": 2},
            4: {"cough": 3},
            5: {"cough": 3},
        },
        set(),
    ),
    "worsening: ... and 5 is": Case(
        {
            0: {"cough": 5},
            1: {"cough": 5},
            2: {"cough": 2},
            3: {"cough": 2},
            4: {"cough": 3},
            5: {"cough": 3},
        },
        {("worsening", SOON, "cough")},
    ),
    "worsening: today and two days ago (the last 3 days)": Case(
        {0: {"cough": 5}, 2: {"cough": 5}, 3: {}, 4: {}, 5: {}, 6: {}},
        {("worsening", SOON, "cough")},
    ),
    "worsening: yesterday and three days ago is too old": Case(
        {1: {"cough": 5}, 3: {"cough": 5}, 4: {}, 5: {}, 6: {}, 7: {}}, set()
    ),
    "worsening applies to anxiety too (distress stays quiet below 7)": Case(
        {0: {"anxiety": 5}, 1: {"anxiety": 5}, **QUIET}, {("worsening", SOON, "anxiety")}
    ),
    # --- persistent: >= 4 in 3 of the last 5 logs, those 3 within the last 7 days ---
    "persistent: 2 of the last 5": Case(
        {0: {"fatigue": 4}, 1: {"fatigue": 5}, 2: {}, 3: {}, 4: {}}, set()
    ),
    "persistent: 3 of the last 5": Case(
        {0: {"fatigue": 4}, 2: {"fatigue": 5}, 4: {"fatigue": 4}, 5: {}, 6: {}},
        {("persistent", NEXT_VISIT, "fatigue")},
        evidence={("persistent", "fatigue"): (4, 2, 0)},
    ),
    "persistent: a qualifying log 7 days ago is outside the week": Case(
        {0: {"fatigue": 4}, 3: {"fatigue": 4}, 7: {"fatigue": 4}}, set()
    ),
    "persistent: 3 in the week but one is not among the last 5 logs": Case(
        {0: {}, 1: {}, 2: {"fatigue": 4}, 3: {}, 4: {"fatigue": 4}, 5: {"fatigue": 4}}, set()
    ),
    "persistent: just 3 logs, all at the level": Case(
        {0: {"neuropathy": 5}, 3: {"neuropathy": 5}, 6: {"neuropathy": 5}},
        {("persistent", NEXT_VISIT, "neuropathy")},
    ),
    # --- new_site: a site not in the profile, one symptom >= 4 (or present) in 3 logs of 7 days ---
    "new_site: headache 4 on 3 days, brain not known": Case(
        NEW_HEADACHE,
        {("new_site", SOON, "brain")},
        sites=frozenset({"bone"}),
        evidence={("new_site", "brain"): (6, 4, 0)},
    ),
    "new_site: never for a known site": Case(NEW_HEADACHE, set(), sites=ALL_SITES),
    "new_site: only 2 logs": Case(
        {0: {"headache": 4}, 3: {"headache": 5}, 5: {}}, set(), sites=frozenset({"bone"})
    ),
    "new_site: a log 7 days ago is outside": Case(
        {0: {"itching": 4}, 3: {"itching": 4}, 7: {"itching": 4}}, set(), sites=frozenset()
    ),
    "new_site: 3 different symptoms once each is not one symptom 3 times": Case(
        {0: {"headache": 4}, 2: {"vision_change": 4}, 4: {"balance_problems": 4}},
        set(),
        sites=frozenset(),
    ),
    "new_site: a presence symptom counts when present": Case(
        {2: {"jaundice": True}, 4: {"jaundice": True}, 6: {"jaundice": True}, 0: {}},
        {("new_site", SOON, "liver"), ("red_flag", SOON, "jaundice")},
        sites=frozenset({"bone"}),
    ),
    "new_site: severity 3 does not count": Case(
        {0: {"cough": 3}, 1: {"cough": 3}, 2: {"cough": 3}}, set(), sites=frozenset()
    ),
    # --- several_warnings: two ambers make a red ---
    "several_warnings: severe of two different symptoms": Case(
        {0: {"bone_pain": 7, "headache": 8}},
        {
            ("severe", SOON, "bone_pain"),
            ("severe", SOON, "headache"),
            ("several_warnings", URGENT, ""),
        },
        evidence={("several_warnings", ""): (0,)},
    ),
    "several_warnings: severe + distress": Case(
        {1: {"nausea": 7, "low_mood": 9}},
        {
            ("severe", SOON, "nausea"),
            ("distress", SOON, "low_mood"),
            ("several_warnings", URGENT, ""),
        },
    ),
    "several_warnings: severe + new_site": Case(
        {0: {"cough": 4, "fatigue": 7}, 1: {}, 2: {}, 3: {}, 4: {"cough": 4}, 6: {"cough": 4}},
        {("severe", SOON, "fatigue"), ("new_site", SOON, "lung"), ("several_warnings", URGENT, "")},
        sites=frozenset({"bone"}),
    ),
    "several_warnings: not from severe + worsening of the same symptom": Case(
        {0: {"cough": 7}, 1: {"cough": 7}, **QUIET},
        {("severe", SOON, "cough"), ("worsening", SOON, "cough")},
    ),
    "several_warnings: not from an older soon red flag": Case(
        {0: {"bone_pain": 8}, 5: {"jaundice": True}},
        {("severe", SOON, "bone_pain"), ("red_flag", SOON, "jaundice")},
    ),
    "several_warnings: not from one soon finding alone": Case(
        {0: {"headache": 7}}, {("severe", SOON, "headache")}
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_rule_edges(case: Case) -> None:
    findings = run(facts(case.logs, sites=case.sites))
    assert fired(findings) == case.expected
    for (rule, subject), agos in case.evidence.items():
        [finding] = [f for f in findings if f.rule == rule and f.subject == subject]
        assert finding.evidence == tuple(day(ago) for ago in agos)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/London", {("fever", URGENT, "fever")}),  # 20:00 on the 11th: the log is yesterday
        ("Pacific/Auckland", set()),  # 09:00 on the 12th: the same log is two days ago
    ],
)
def test_recent_is_decided_by_the_patients_own_date(zone: str, expected: set) -> None:
    """One moment, one log dated 10 March: two patients whose local ``today`` differs."""
    moment = dt.datetime(2025, 3, 11, 20, 0, tzinfo=dt.UTC)
    today = moment.astimezone(ZoneInfo(zone)).date()
    patient = PatientFacts(
        sites=ALL_SITES,
        today=today,
        logs=(DayLog(date=dt.date(2025, 3, 10), values={"fever": C("38.2")}),),
    )
    assert fired(run(patient)) == expected


def test_red_flag_wording_follows_its_level() -> None:
    findings = run(facts({0: {"seizure": True, "jaundice": True}}))
    seizure, jaundice = (only([f for f in findings if f.symptom == c], "red_flag")
                         for c in ("seizure", "jaundice"))  # fmt: skip
    assert "Call 999 or go to the emergency department now" in seizure.advice
    assert "24-hour line now" in jaundice.advice
    assert findings[0] is seizure  # emergencies first

    older = only(run(facts({6: {"seizure": True}, 0: {}})), "red_flag")
    assert older.level == SOON
    assert "on Thursday 6 March" in older.explanation  # it says which day


def test_advice_numbers_come_from_the_caller() -> None:
    numbers = AdviceNumbers(emergency="112", care_line="0800 123 4567")
    findings = run(facts({0: {"speech_difficulty": True, "fever": C("39.1")}}), numbers=numbers)
    assert "Call 112 or go to the emergency department now" in only(findings, "red_flag").advice
    assert "24-hour line on 0800 123 4567 now" in only(findings, "fever").advice
    assert "39.1 °C today" in only(findings, "fever").explanation


def test_hypercalcemia_advises_a_same_day_calcium_test() -> None:
    finding = only(run(facts({0: {"thirst": 4, "constipation": 4}})), "hypercalcemia")
    assert "blood test for calcium today" in finding.advice
    assert "strong thirst and constipation" in finding.explanation


def test_distress_points_to_support() -> None:
    finding = only(run(facts({0: {"anxiety": 9}})), "distress")
    assert "support resources" in finding.advice


def test_new_site_sets_the_site_and_no_symptom() -> None:
    finding = only(
        run(facts({0: {"headache": 4}, 1: {"headache": 4}, 2: {"headache": 4}}, sites=frozenset())),
        "new_site",
    )
    assert (finding.symptom, finding.site) == (None, "brain")


@pytest.mark.parametrize(
    ("logs", "ever_logged", "expected"),
    [
        ({3: {}}, None, set()),
        ({4: {}}, None, {("not_logging", SOON, "")}),
        ({4: {}, 9: {}}, True, {("not_logging", SOON, "")}),
        ({}, None, set()),  # never logged: nothing
        ({}, False, set()),
        ({}, True, {("not_logging", SOON, "")}),  # logged long ago, nothing in the window
    ],
)
def test_not_logging(logs: dict, ever_logged: bool | None, expected: set) -> None:
    findings = run(facts(logs, ever_logged=ever_logged))
    assert fired(findings) == expected
    if expected and logs:
        assert only(findings, "not_logging").evidence == (day(min(logs)),)


INTERVAL = 12 * 7  # the default 12 weeks, in days


@pytest.mark.parametrize(
    ("booked", "last_ago", "enrolled_ago", "fires"),
    [
        (True, INTERVAL + 100, 400, False),  # booked: nothing, however late
        (True, None, 400, False),
        (False, INTERVAL + 14, 400, False),  # interval + 14 days is not "more than"
        (False, INTERVAL + 15, 400, True),
        (False, None, 14, False),  # none at all: enrolment 14 days ago is not "more than 14"
        (False, None, 15, True),
        (False, 20, 20, False),  # recently scanned, enrolment does not matter
    ],
)
def test_restaging_overdue(
    booked: bool, last_ago: int | None, enrolled_ago: int, fires: bool
) -> None:
    restaging = RestagingFacts(
        interval_weeks=12,
        enrolled_on=day(enrolled_ago),
        last_restaging_on=None if last_ago is None else day(last_ago),
        next_booked=booked,
    )
    findings = run(facts({0: {}}, restaging=restaging))
    assert fired(findings) == ({("restaging_overdue", NEXT_VISIT, "")} if fires else set())


def test_restaging_uses_the_patients_interval() -> None:
    restaging = RestagingFacts(8, day(400), day(8 * 7 + 15), next_booked=False)
    assert fired(run(facts({0: {}}, restaging=restaging))) == {
        ("restaging_overdue", NEXT_VISIT, "")
    }


def test_no_restaging_facts_no_restaging_finding() -> None:
    assert run(facts({0: {}})) == []


def test_thresholds_are_read_from_the_caller() -> None:
    patient = facts({0: {"bone_pain": 6, "fever": C("37.6")}})
    assert run(patient) == []
    tuned = Thresholds(severe=6, fever_celsius=C("37.5"))
    assert fired(run(patient, thresholds=tuned)) == {
        ("severe", SOON, "bone_pain"),
        ("fever", URGENT, "fever"),
    }


def busy_patient(today: dt.date = TODAY) -> PatientFacts:
    """A month of logs that sets off most rules at once."""
    logs: dict[int, dict[str, int | bool | Decimal]] = {
        ago: {"fatigue": 2, "cough": 1, "anxiety": 2, "fever": C("36.8")} for ago in range(2, 30)
    }
    logs[0] = {"back_pain": 3, "bladder_bowel_change": True, "cough": 6, "fatigue": 8,
               "thirst": 5, "nausea": 4, "headache": 5, "fever": C("38.3")}  # fmt: skip
    logs[1] = {"cough": 6, "fatigue": 4, "low_mood": 8, "headache": 5, "jaundice": True}
    logs[3] = {**logs[3], "headache": 4, "fatigue": 5}
    logs[12] = {**logs[12], "fracture": True}
    restaging = RestagingFacts(12, day(300, today), day(120, today), next_booked=False)
    return facts(logs, sites=frozenset({"bone", "liver"}), today=today, restaging=restaging)


def test_order_is_urgent_then_soon_then_next_visit() -> None:
    findings = run(busy_patient())
    levels = [f.level for f in findings]
    assert levels == sorted(levels, key=[URGENT, SOON, NEXT_VISIT].index)
    assert {f.rule for f in findings} >= {
        "mscc", "red_flag", "fever", "hypercalcemia", "several_warnings", "severe", "worsening",
        "distress", "new_site", "persistent", "restaging_overdue",
    }  # fmt: skip
    assert findings[0].rule == "mscc"
    for finding in findings:
        assert finding.evidence == tuple(sorted(finding.evidence))
        assert finding.title and finding.explanation and finding.advice


def test_deterministic() -> None:
    patient = busy_patient()
    first, second = run(patient), run(patient)
    assert first == second
    shuffled = replace(patient, logs=tuple(reversed(patient.logs)))
    assert run(shuffled) == first
