"""One function per rule of CLINICAL.md, "Flag rules". Each reads a prepared ``Context`` and
returns its findings; ``engine.evaluate`` runs them in order and combines them.

Readings of the spec that needed a decision (the tests pin each one):

- "Recent" is today or yesterday; "the last N days" counts today as the first of the N, so "the
  last 3 days" is today, yesterday and the day before, and "the last 7 days" is today and the six
  days before it.
- ``red_flag``: one finding per symptom. ``urgent`` when present in a recent log (evidence: those
  recent days); otherwise ``soon`` when present 2-30 days back (evidence: those days; the text names
  the latest). The ``soon`` finding never rests on a recent log.
- ``mscc`` needs ``back_pain`` and the nerve symptom in the *same* recent log. Its days are taken
  out of the ``red_flag`` findings of ``limb_weakness_numbness`` and ``bladder_bowel_change``; a
  red flag left with no recent day is dropped, not turned into a ``soon`` one from older days.
- ``hypercalcemia``: at least two *different* criteria, each met in some log of the last 3 days
  (not necessarily the same log). Evidence: the days on which a met criterion holds.
- ``worsening``: the baseline days are the 14 days before the older of the two logs (that day
  itself excluded); the median of an even count is the mean of the middle two.
- ``persistent``: of the last 5 logs, only those dated in the last 7 days count, and at least 3 of
  them must be at the level (so the 3 qualifying logs all lie within the 7 days).
- ``new_site``: a single symptom of the site must qualify in at least 3 logs of the last 7 days
  (the literal reading of "one of its symptoms is >= 4 (or present) in at least 3 logs"); evidence
  is the union of the days of every symptom of the site that qualifies.
- ``distress``: one finding per symptom (anxiety, low mood), like ``severe``.
- ``worsening`` and ``persistent`` apply to every severity symptom, anxiety and low mood included;
  only ``severe`` leaves those two to ``distress``.
- ``several_warnings``: counts distinct subjects (a symptom, or a site) of ``soon`` findings with at
  least one evidence day that is recent; its evidence is those recent days.
- ``not_logging``: with ``ever_logged`` true but no log in the facts, it fires without evidence.
- ``restaging_overdue``: "more than interval + 14 days" means at least interval + 15 days; with no
  past scan or restaging visit, enrolment at least 15 days ago. No restaging facts, no finding.
"""

from __future__ import annotations

import datetime as dt
from statistics import median

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flags.rules import wording as w
from flags.rules.context import EMERGENCY, SEVERITY, Context, level, present
from flags.rules.types import NEXT_VISIT, SOON, URGENT, Finding

BACK_PAIN = "back_pain"
MSCC_NERVE_SYMPTOMS = ("limb_weakness_numbness", "bladder_bowel_change")
DISTRESS_SYMPTOMS = ("anxiety", "low_mood")
WORSENING_WINDOW_DAYS = 3  # "recent-or-the-day-before"
BONE = "bone"
# (code, how the patient reads it, kind): the hypercalcaemia criteria of CLINICAL.md.
HYPERCALCEMIA_CRITERIA = (
    ("thirst", gettext_lazy("strong thirst"), SEVERITY),
    ("constipation", gettext_lazy("constipation"), SEVERITY),
    ("nausea", gettext_lazy("nausea or vomiting"), SEVERITY),
    ("confusion", gettext_lazy("confusion"), "presence"),
)


def _evidence(days: list[dt.date] | set[dt.date]) -> tuple[dt.date, ...]:
    return tuple(sorted(set(days)))


def mscc(ctx: Context) -> list[Finding]:
    days: list[dt.date] = []
    nerve: set[str] = set()
    for log in ctx.recent:
        if level(log, BACK_PAIN) < 1:
            continue
        with_it = [code for code in MSCC_NERVE_SYMPTOMS if present(log, code)]
        if with_it:
            days.append(log.date)
            nerve.update(with_it)
    if not days:
        return []
    what = w.join([w.lower(ctx.name(code)) for code in MSCC_NERVE_SYMPTOMS if code in nerve])
    return [
        Finding(
            rule="mscc",
            level=URGENT,
            title=_("Back pain with weakness or bladder trouble: get emergency help now"),
            explanation=_(
                "You told us about %(pain)s together with %(what)s %(when)s. Together these can "
                "mean pressure on the spinal cord, which needs treatment straight away."
            )
            % {
                "pain": w.lower(ctx.name(BACK_PAIN)),
                "what": what,
                "when": w.days(days, ctx.today),
            },
            advice=w.emergency_advice(ctx.numbers)
            + " "
            + _("Tell them you have cancer and what you noticed."),
            evidence=_evidence(days),
        )
    ]


def red_flag(ctx: Context, absorbed: frozenset[dt.date] = frozenset()) -> list[Finding]:
    """``absorbed``: the ``mscc`` days, taken out of the nerve symptoms' red flags."""
    findings = []
    month = ctx.within(ctx.thresholds.recent_red_flag_days + 1)  # today and 30 days back
    for code in ctx.red_flags:
        recent = [log.date for log in ctx.recent if present(log, code)]
        name = ctx.name(code)
        emergency = ctx.symptoms[code].red_flag == EMERGENCY
        if recent:
            if code in MSCC_NERVE_SYMPTOMS:
                recent = [day for day in recent if day not in absorbed]
                if not recent:
                    continue
            findings.append(
                Finding(
                    rule="red_flag",
                    level=URGENT,
                    title=(
                        _("%(name)s: get emergency help now")
                        if emergency
                        else _("%(name)s: call your care team now")
                    )
                    % {"name": name},
                    explanation=_(
                        'You told us "%(name)s" %(when)s. This needs checking straight away.'
                    )
                    % {"name": name, "when": w.days(recent, ctx.today)},
                    advice=w.emergency_advice(ctx.numbers)
                    if emergency
                    else w.call_now_advice(ctx.numbers),
                    evidence=_evidence(recent),
                    symptom=code,
                )
            )
            continue
        older = [log.date for log in month if present(log, code) and ctx.days_ago(log.date) >= 2]
        if older:
            latest = max(older)
            again = w.emergency_advice if emergency else w.call_now_advice
            findings.append(
                Finding(
                    rule="red_flag",
                    level=SOON,
                    title=_("%(name)s, %(when)s: tell your care team")
                    % {"name": name, "when": w.day(latest, ctx.today)},
                    explanation=_(
                        'You told us "%(name)s" %(when)s. Your care team should know about it, '
                        "even if it has passed."
                    )
                    % {"name": name, "when": w.day(latest, ctx.today)},
                    advice=_(
                        "Your care team will look at this today and may call you. "
                        "If it happens again, %(advice)s"
                    )
                    % {"advice": w.lower(again(ctx.numbers))},
                    evidence=_evidence(older),
                    symptom=code,
                )
            )
    return findings


def fever(ctx: Context) -> list[Finding]:
    findings = []
    limit = ctx.thresholds.fever_celsius
    for code in ctx.temperature:
        hot = [(log.date, level(log, code)) for log in ctx.recent if level(log, code) >= limit]
        if not hot:
            continue
        when, highest = max(hot, key=lambda item: (item[1], item[0]))
        findings.append(
            Finding(
                rule="fever",
                level=URGENT,
                title=_("High temperature: call your care team now"),
                explanation=_(
                    "Your temperature was %(value)s °C %(when)s. During cancer treatment a fever "
                    "can be a sign of infection, which needs treating quickly."
                )
                % {"value": w.decimal(highest), "when": w.day(when, ctx.today)},
                advice=w.call_now_advice(ctx.numbers),
                evidence=_evidence([day for day, _value in hot]),
                symptom=code,
            )
        )
    return findings


def hypercalcemia(ctx: Context) -> list[Finding]:
    if BONE not in ctx.sites:
        return []
    floor = ctx.thresholds.hypercalcemia_level
    logs = ctx.within(ctx.thresholds.hypercalcemia_days)
    met: list[str] = []
    days: set[dt.date] = set()
    for code, words, kind in HYPERCALCEMIA_CRITERIA:
        hits = [
            log.date
            for log in logs
            if (level(log, code) >= floor if kind == SEVERITY else present(log, code))
        ]
        if hits:
            met.append(str(words))
            days.update(hits)
    if len(met) < 2:
        return []
    return [
        Finding(
            rule="hypercalcemia",
            level=URGENT,
            title=_("Signs your calcium may be high: call your care team now"),
            explanation=_(
                "In the last %(days)d days you told us about %(signs)s. With cancer in the "
                "bones, this can mean too much calcium in the blood. A blood test can check it, "
                "and it can be treated."
            )
            % {"days": ctx.thresholds.hypercalcemia_days, "signs": w.join(met)},
            advice=_("Call %(line)s now and ask for a blood test for calcium today.")
            % {"line": w.care_line(ctx.numbers)},
            evidence=_evidence(days),
        )
    ]


def severe(ctx: Context) -> list[Finding]:
    findings = []
    floor = ctx.thresholds.severe
    for code in ctx.severity:
        if code in DISTRESS_SYMPTOMS:
            continue
        hits = [(log.date, level(log, code)) for log in ctx.recent if level(log, code) >= floor]
        if not hits:
            continue
        when, value = hits[0]  # the newest
        name = ctx.name(code)
        findings.append(
            Finding(
                rule="severe",
                level=SOON,
                title=_("%(name)s: severe") % {"name": name},
                explanation=_("You rated %(name)s %(value)s out of 10 %(when)s.")
                % {"name": w.lower(name), "value": value, "when": w.day(when, ctx.today)},
                advice=w.soon_advice(ctx.numbers),
                evidence=_evidence([day for day, _value in hits]),
                symptom=code,
            )
        )
    return findings


def worsening(ctx: Context) -> list[Finding]:
    t = ctx.thresholds
    if len(ctx.logs) < 2:
        return []
    newer, older = ctx.logs[0], ctx.logs[1]
    if ctx.days_ago(older.date) >= WORSENING_WINDOW_DAYS:
        return []
    start = older.date - dt.timedelta(days=t.worsening_baseline_days)
    base = [log for log in ctx.logs[2:] if log.date >= start]
    if len(base) < t.worsening_min_baseline_logs:
        return []
    findings = []
    for code in ctx.severity:
        now, before = level(newer, code), level(older, code)
        if min(now, before) < t.worsening_floor:
            continue
        baseline = median([level(log, code) for log in base])
        if min(now, before) < baseline + t.worsening_rise:
            continue
        name = ctx.name(code)
        findings.append(
            Finding(
                rule="worsening",
                level=SOON,
                title=_("%(name)s: getting worse") % {"name": name},
                explanation=_(
                    "You rated %(name)s %(now)s %(now_when)s and %(before)s %(before_when)s. "
                    "That is higher than usual for you: it was about %(usual)s in the two weeks "
                    "before."
                )
                % {
                    "name": w.lower(name),
                    "now": now,
                    "now_when": w.day(newer.date, ctx.today),
                    "before": before,
                    "before_when": w.day(older.date, ctx.today),
                    "usual": w.number(baseline),
                },
                advice=w.soon_advice(ctx.numbers),
                evidence=_evidence([newer.date, older.date]),
                symptom=code,
            )
        )
    return findings


def persistent(ctx: Context) -> list[Finding]:
    t = ctx.thresholds
    last = [
        log
        for log in ctx.logs[: t.persistent_of_last]
        if ctx.days_ago(log.date) < t.persistent_days
    ]
    if len(last) < t.persistent_count:
        return []
    findings = []
    for code in ctx.severity:
        days = [log.date for log in last if level(log, code) >= t.persistent_level]
        if len(days) < t.persistent_count:
            continue
        name = ctx.name(code)
        findings.append(
            Finding(
                rule="persistent",
                level=NEXT_VISIT,
                title=_("%(name)s: not easing") % {"name": name},
                explanation=_(
                    "You rated %(name)s %(level)d out of 10 or more on %(count)d of your last "
                    "%(of_last)d logs, all in the last %(days)d days."
                )
                % {
                    "name": w.lower(name),
                    "level": t.persistent_level,
                    "count": len(days),
                    "of_last": t.persistent_of_last,
                    "days": t.persistent_days,
                },
                advice=w.next_visit_advice(ctx.numbers),
                evidence=_evidence(days),
                symptom=code,
            )
        )
    return findings


def new_site(ctx: Context) -> list[Finding]:
    t = ctx.thresholds
    logs = ctx.within(t.new_site_days)
    if len(logs) < t.new_site_count:
        return []
    findings = []
    for site, codes in ctx.metastasis.items():
        if site in ctx.sites:
            continue
        names: list[str] = []
        days: set[dt.date] = set()
        for code in codes:
            if ctx.symptoms[code].kind == SEVERITY:
                hits = [log.date for log in logs if level(log, code) >= t.new_site_level]
            else:
                hits = [log.date for log in logs if present(log, code)]
            if len(hits) >= t.new_site_count:
                names.append(w.lower(ctx.name(code)))
                days.update(hits)
        if not names:
            continue
        findings.append(
            Finding(
                rule="new_site",
                level=SOON,
                title=_("New symptoms that may involve your %(site)s")
                % {"site": w.site_word(site)},
                explanation=_(
                    "In the last %(days)d days you told us about %(names)s on %(count)d days. "
                    "These can have many causes. Your care team may want to look into them "
                    "before your next scan."
                )
                % {"days": t.new_site_days, "names": w.join(names), "count": len(days)},
                advice=w.soon_advice(ctx.numbers),
                evidence=_evidence(days),
                site=site,
            )
        )
    return findings


def distress(ctx: Context) -> list[Finding]:
    findings = []
    floor = ctx.thresholds.distress_level
    for code in DISTRESS_SYMPTOMS:
        hits = [(log.date, level(log, code)) for log in ctx.recent if level(log, code) >= floor]
        if not hits:
            continue
        when, value = hits[0]
        name = ctx.name(code)
        findings.append(
            Finding(
                rule="distress",
                level=SOON,
                title=_("%(name)s: support is here") % {"name": name},
                explanation=_(
                    "You rated %(name)s %(value)s out of 10 %(when)s. Many people feel like this "
                    "at times, and there is help."
                )
                % {"name": w.lower(name), "value": value, "when": w.day(when, ctx.today)},
                advice=w.support_advice(ctx.numbers),
                evidence=_evidence([day for day, _value in hits]),
                symptom=code,
            )
        )
    return findings


def several_warnings(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Two ambers make a red: ``soon`` findings about different subjects, on recent logs."""
    subjects: dict[tuple[str, str], str] = {}
    days: set[dt.date] = set()
    for finding in findings:
        if finding.level != SOON:
            continue
        recent = [day for day in finding.evidence if ctx.is_recent(day)]
        if not recent:
            continue
        if finding.symptom:
            key, words = ("symptom", finding.symptom), w.lower(ctx.name(finding.symptom))
        elif finding.site:
            key = ("site", finding.site)
            words = _("symptoms in your %(site)s") % {"site": w.site_word(finding.site)}
        else:
            continue
        subjects.setdefault(key, words)
        days.update(recent)
    if len(subjects) < 2:
        return []
    return [
        Finding(
            rule="several_warnings",
            level=URGENT,
            title=_("Several warning signs together: call your care team now"),
            explanation=_(
                "You told us about several things at once: %(things)s. Together they need a "
                "call with your care team today."
            )
            % {"things": w.join(list(subjects.values()))},
            advice=w.call_now_advice(ctx.numbers),
            evidence=_evidence(days),
        )
    ]


def not_logging(ctx: Context) -> list[Finding]:
    if not ctx.ever_logged:
        return []
    newest = ctx.newest_any
    if newest is not None and ctx.days_ago(newest) < ctx.thresholds.not_logging_days:
        return []
    when = (
        _("Your last log was %(when)s, %(count)d days ago.")
        % {"when": w.day(newest, ctx.today), "count": ctx.days_ago(newest)}
        if newest is not None
        else _("It has been a while since your last log.")
    )
    return [
        Finding(
            rule="not_logging",
            level=SOON,
            title=_("We have not heard from you for a few days"),
            explanation=when + " " + _("That is fine. We would just like to know how you are."),
            advice=_(
                "When you can, add a quick log for today. It helps your care team spot changes "
                "early. If you feel unwell, call %(line)s."
            )
            % {"line": w.care_line(ctx.numbers)},
            evidence=(newest,) if newest is not None else (),
        )
    ]


def restaging_overdue(ctx: Context) -> list[Finding]:
    facts = ctx.restaging
    if facts is None or facts.next_booked:
        return []
    grace = ctx.thresholds.restaging_grace_days
    last = facts.last_restaging_on
    if last is not None:
        if ctx.days_ago(last) <= facts.interval_weeks * 7 + grace:
            return []
        explanation = _(
            "Your last scan or restaging visit was on %(date)s. These usually happen every "
            "%(weeks)d weeks, and we cannot see the next one booked."
        ) % {"date": w.date(last), "weeks": facts.interval_weeks}
    else:
        if ctx.days_ago(facts.enrolled_on) <= grace:
            return []
        explanation = _("We cannot see a scan or restaging visit for you yet, and none is booked.")
    return [
        Finding(
            rule="restaging_overdue",
            level=NEXT_VISIT,
            title=_("Your next scan may be due"),
            explanation=explanation,
            advice=_(
                "Ask your care team about booking your next scan or restaging visit. You can "
                "add it to your questions for your next appointment."
            ),
        )
    ]
