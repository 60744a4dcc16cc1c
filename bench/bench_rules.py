"""The pure flag rules: one patient with 30 days of logs over the whole catalogue (33 symptoms).

No database. Builds ``--patients`` synthetic patients (seeded, so every run sees the same data):
each symptom has a personal baseline with day-to-day noise, some patients have a bad spell in the
last few days, and red flags, fevers and unknown-site symptoms turn up now and then, so most
rules fire for somebody. Evaluates them all with ``flags.rules.evaluate``, ``--repeat`` times,
and prints the median time per patient (target <= 1 ms), the fastest and slowest run, and how
many findings of each rule the patients produced.

Run: make bench   (or .venv/bin/python bench/bench_rules.py [--patients 1000] [--repeat 7])
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import platform
import random
import statistics
import sys
import timeit
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flags.rules import DayLog, PatientFacts, RestagingFacts, SymptomFacts, evaluate

TODAY = dt.date(2025, 3, 12)
DAYS = 30
METASTASIS_SITES = ("bone", "brain", "liver", "lung")
# CLINICAL.md's catalogue: code, site, kind, red flag.
CATALOGUE = (
    ("bone_pain", "bone", "severity", "none"),
    ("back_pain", "bone", "severity", "none"),
    ("bone_swelling", "bone", "severity", "none"),
    ("fracture", "bone", "presence", "call_now"),
    ("limb_weakness_numbness", "bone", "presence", "emergency"),
    ("bladder_bowel_change", "bone", "presence", "emergency"),
    ("headache", "brain", "severity", "none"),
    ("vision_change", "brain", "severity", "none"),
    ("balance_problems", "brain", "severity", "none"),
    ("seizure", "brain", "presence", "emergency"),
    ("confusion", "brain", "presence", "call_now"),
    ("speech_difficulty", "brain", "presence", "emergency"),
    ("abdominal_pain", "liver", "severity", "none"),
    ("abdominal_swelling", "liver", "severity", "none"),
    ("jaundice", "liver", "presence", "call_now"),
    ("itching", "liver", "severity", "none"),
    ("shortness_of_breath", "lung", "severity", "none"),
    ("breathless_at_rest", "lung", "presence", "emergency"),
    ("cough", "lung", "severity", "none"),
    ("chest_pain", "lung", "severity", "none"),
    ("coughing_blood", "lung", "presence", "emergency"),
    ("fatigue", "general", "severity", "none"),
    ("appetite_loss", "general", "severity", "none"),
    ("nausea", "general", "severity", "none"),
    ("thirst", "general", "severity", "none"),
    ("constipation", "general", "severity", "none"),
    ("anxiety", "general", "severity", "none"),
    ("low_mood", "general", "severity", "none"),
    ("fever", "general", "temperature", "none"),
    ("neuropathy", "treatment", "severity", "none"),
    ("diarrhea", "treatment", "severity", "none"),
    ("mouth_sores", "treatment", "severity", "none"),
    ("hand_foot", "treatment", "severity", "none"),
)
SYMPTOMS = {
    code: SymptomFacts(
        code=code,
        name=code.replace("_", " ").capitalize(),
        site=site,
        kind=kind,
        red_flag=red_flag,
        is_metastasis_site=site in METASTASIS_SITES,
    )
    for code, site, kind, red_flag in CATALOGUE
}


def patient(rng: random.Random) -> PatientFacts:
    """30 days of full-catalogue logs (a day or two skipped now and then)."""
    sites = frozenset(rng.sample(METASTASIS_SITES, rng.randint(1, 3)))
    baseline = {code: rng.choice((0, 0, 0, 1, 1, 2, 3)) for code in SYMPTOMS}
    bad_spell = rng.random() < 0.3  # the last three days run high for a few symptoms
    flaring = rng.sample(sorted(SYMPTOMS), 4)
    logs = []
    for ago in range(DAYS):
        if ago > 0 and rng.random() < 0.1:
            continue
        values: dict[str, int | bool | Decimal] = {}
        for code, facts in SYMPTOMS.items():
            if facts.kind == "severity":
                value = baseline[code] + rng.choice((-1, 0, 0, 0, 1))
                if bad_spell and ago < 3 and code in flaring:
                    value += rng.randint(3, 6)
                values[code] = max(0, min(10, value))
            elif facts.kind == "presence":
                values[code] = rng.random() < 0.0015
            else:
                hot = rng.random() < 0.02
                values[code] = Decimal(rng.randint(380, 391) if hot else rng.randint(362, 374)) / 10
        logs.append(DayLog(date=TODAY - dt.timedelta(days=ago), values=values))
    restaging = RestagingFacts(
        interval_weeks=12,
        enrolled_on=TODAY - dt.timedelta(days=rng.randint(30, 600)),
        last_restaging_on=TODAY - dt.timedelta(days=rng.randint(1, 130)),
        next_booked=rng.random() < 0.6,
    )
    return PatientFacts(sites=sites, today=TODAY, logs=tuple(logs), restaging=restaging)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args, _ = parser.parse_known_args()  # make bench passes every bench the same arguments

    rng = random.Random(20250312)
    patients = [patient(rng) for _ in range(args.patients)]

    def run_all() -> None:
        for facts in patients:
            evaluate(facts, symptoms=SYMPTOMS)

    run_all()  # warm up
    runs = timeit.repeat(run_all, number=1, repeat=args.repeat)
    per_patient_ms = [seconds * 1000 / len(patients) for seconds in runs]

    counts: collections.Counter[str] = collections.Counter()
    with_findings = 0
    for facts in patients:
        findings = evaluate(facts, symptoms=SYMPTOMS)
        with_findings += bool(findings)
        counts.update(f"{f.rule}/{f.level}" for f in findings)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"patients: {len(patients)} x {DAYS} days x {len(SYMPTOMS)} symptoms; "
        f"{with_findings} with findings"
    )
    print("findings: " + ", ".join(f"{key} {n}" for key, n in sorted(counts.items())))
    print(
        f"pure rules: median {statistics.median(per_patient_ms):.3f} ms per patient "
        f"(fastest run {min(per_patient_ms):.3f}, slowest {max(per_patient_ms):.3f}; "
        f"{args.repeat} runs; target <= 1 ms)"
    )


if __name__ == "__main__":
    main()
