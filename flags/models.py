"""What to raise with the care team: flags and the rules' thresholds.

The tables keep the names they had when these models lived in ``symptoms`` (``symptoms_flag``,
``flags_flagthresholds``), so moving the code moved no data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from flags.rules.types import Thresholds
from symptoms.models import Symptom


class FlagRule(models.TextChoices):
    RED_FLAG = "red_flag", _("Red-flag symptom")
    FEVER = "fever", _("Fever")
    MSCC = "mscc", _("Possible spinal cord compression")
    HYPERCALCEMIA = "hypercalcemia", _("Possible high calcium")
    SEVERE = "severe", _("Severe symptom")
    WORSENING = "worsening", _("Worsening symptom")
    PERSISTENT = "persistent", _("Persistent symptom")
    NEW_SITE = "new_site", _("Symptoms at a new site")
    DISTRESS = "distress", _("Distress")
    SEVERAL_WARNINGS = "several_warnings", _("Several warnings together")
    NOT_LOGGING = "not_logging", _("Not logging")
    RESTAGING_OVERDUE = "restaging_overdue", _("Restaging overdue")


class FlagLevel(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    SOON = "soon", _("Soon")
    NEXT_VISIT = "next_visit", _("Next visit")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class PatientResponse(models.TextChoices):
    """What the patient says they did about urgent advice (CLINICAL.md, "The urgent loop")."""

    CALLED_TEAM = "called_team", _("I have called my care team")
    GOT_HELP = "got_help", _("I have had emergency help")
    WILL_CALL = "will_call", _("I will call now")


class Flag(models.Model):
    """A pattern worth raising with the care team. One open-or-acknowledged flag per patient,
    rule and subject (symptom code, site, or "" for whole-patient rules): new evidence updates it.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    rule = models.CharField(max_length=20, choices=FlagRule.choices)
    level = models.CharField(max_length=12, choices=FlagLevel.choices)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    symptom = models.ForeignKey(
        Symptom, on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    site = models.CharField(max_length=20, blank=True)
    subject = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("The symptom code or site this flag is about, or ''."),
    )
    title = models.CharField(max_length=200)
    explanation = models.TextField()
    advice = models.TextField()
    evidence = models.JSONField(default=list, help_text=_("ISO dates of the logs behind it."))
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    reported_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the patient saved the log that raised it (null for whole-patient rules)."
        ),
    )
    patient_response = models.CharField(max_length=12, choices=PatientResponse.choices, blank=True)
    patient_responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        db_table = "symptoms_flag"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule", "subject"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="one_live_flag_per_patient_rule_subject",
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"], name="flag_patient_status")]

    def __str__(self) -> str:
        return f"{self.rule} ({self.level}) for {self.patient_id}: {self.status}"

    @property
    def evidence_days(self) -> list[dt.date]:
        """The days of the logs behind this flag, oldest first, each once (unreadable entries
        skipped)."""
        days = set()
        for value in self.evidence or []:
            try:
                days.add(dt.date.fromisoformat(str(value)))
            except ValueError:
                continue
        return sorted(days)


class ContactOutcome(models.TextChoices):
    """How a call attempt about a flag ended (CLINICAL.md, "Every call attempt is recorded")."""

    REACHED = "reached", _("Reached the patient")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    SENT_TO_EMERGENCY = "sent_to_emergency", _("Sent to the emergency department")
    ADVISED = "advised", _("Gave advice by phone")


class FlagContact(models.Model):
    """One attempt by the care team to reach the patient about a flag: who, when, how it ended."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="contacts")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flag_contacts"
    )
    at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["flag", "at"], name="flagcontact_flag_at")]

    def __str__(self) -> str:
        return f"{self.outcome} about flag {self.flag_id} at {self.at:%Y-%m-%d %H:%M}"


DEFAULTS = Thresholds()  # the shipped thresholds, defined once in the pure rules


def _points(name: object, default: int, help_text: object) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        name, default=default, help_text=help_text, validators=[MaxValueValidator(10)]
    )


def _count(
    name: object, default: int, help_text: object, least: int = 1
) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        name, default=default, help_text=help_text, validators=[MinValueValidator(least)]
    )


class FlagThresholds(models.Model):
    """The numeric thresholds of the flag rules (CLINICAL.md, "Flag rules"). One row; admins tune
    it in Django admin and every change is audited (django-auditlog). Defaults are the shipped
    ones, ``flags.rules.Thresholds``."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    fever_celsius = models.DecimalField(
        _("fever from (°C)"),
        max_digits=3,
        decimal_places=1,
        default=DEFAULTS.fever_celsius,
        help_text=_("°C. A temperature at or above this in a recent log is urgent."),
    )
    severe = _points(
        _("severe from (points)"),
        DEFAULTS.severe,
        _(
            "Points on the 0 to 10 scale. A symptom at or above this in a recent log is raised "
            "today."
        ),
    )
    worsening_rise = _points(
        _("rise above usual (points)"),
        DEFAULTS.worsening_rise,
        _("Points on the 0 to 10 scale above the patient's usual level (their median)."),
    )
    worsening_floor = _points(
        _("worsening from at least (points)"),
        DEFAULTS.worsening_floor,
        _("Points on the 0 to 10 scale. Both of the last two logs must be at least this."),
    )
    worsening_min_baseline_logs = _count(
        _("logs needed for the usual level (logs)"),
        DEFAULTS.worsening_min_baseline_logs,
        _("Logs. With fewer logs in the baseline days there is no usual level and no flag."),
    )
    worsening_baseline_days = _count(
        _("days behind the usual level (days)"),
        DEFAULTS.worsening_baseline_days,
        _("Days before the older of the two logs that the usual level is taken from."),
    )
    persistent_level = _points(
        _("persistent from (points)"),
        DEFAULTS.persistent_level,
        _("Points on the 0 to 10 scale a symptom must reach in enough recent logs."),
    )
    persistent_count = _count(
        _("logs at that level (logs)"),
        DEFAULTS.persistent_count,
        _("Logs. How many of the last logs must reach the level."),
    )
    persistent_of_last = _count(
        _("out of the last (logs)"),
        DEFAULTS.persistent_of_last,
        _("Logs. How many logs are looked at."),
    )
    persistent_days = _count(
        _("within (days)"), DEFAULTS.persistent_days, _("Days. All those logs must be this recent.")
    )
    new_site_level = _points(
        _("new site from (points)"),
        DEFAULTS.new_site_level,
        _("Points on the 0 to 10 scale for a symptom of a site not in the profile (or present)."),
    )
    new_site_count = _count(
        _("logs needed (logs)"),
        DEFAULTS.new_site_count,
        _("Logs. How many logs must show that site's symptoms."),
    )
    new_site_days = _count(
        _("within (days)"), DEFAULTS.new_site_days, _("Days. Those logs must be this recent.")
    )
    distress_level = _points(
        _("distress from (points)"),
        DEFAULTS.distress_level,
        _("Points on the 0 to 10 scale for anxiety or low mood in a recent log."),
    )
    hypercalcemia_level = _points(
        _("high calcium sign from (points)"),
        DEFAULTS.hypercalcemia_level,
        _("Points on the 0 to 10 scale for thirst, constipation or nausea (two signs are needed)."),
    )
    hypercalcemia_days = _count(
        _("within (days)"),
        DEFAULTS.hypercalcemia_days,
        _("Days of logs the signs are looked for in."),
    )
    not_logging_days = _count(
        _("no log for (days)"),
        DEFAULTS.not_logging_days,
        _("Days since the newest log before a patient who has logged before is raised."),
    )
    restaging_grace_days = _count(
        _("grace after the interval (days)"),
        DEFAULTS.restaging_grace_days,
        _("Days after the patient's restaging interval before restaging counts as overdue."),
        least=0,
    )
    recent_red_flag_days = _count(
        _("older red flags looked back (days)"),
        DEFAULTS.recent_red_flag_days,
        _(
            "Days. A red-flag symptom logged this far back (not today or yesterday) is raised "
            "today."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "symptoms_flagthresholds"
        verbose_name = _("flag thresholds")
        verbose_name_plural = _("flag thresholds")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=1), name="flag_thresholds_singleton"),
        ]

    def __str__(self) -> str:
        return "Flag thresholds"
