"""The symptom catalogue (sites and symptoms) and patients' daily logs.

A daily log is a full snapshot of one day in the patient's own time zone: any catalogue symptom
it does not mention counts as 0 / absent that day.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """Where a symptom belongs: a metastasis site (bone, brain, liver, lung), general, treatment."""

    code = models.SlugField(max_length=20, primary_key=True)
    name = models.CharField(max_length=60)
    is_metastasis_site = models.BooleanField(
        default=True, help_text=_("Off for general symptoms and treatment side effects.")
    )
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return self.name


class SymptomKind(models.TextChoices):
    SEVERITY = "severity", _("Severity 0 to 10")
    PRESENCE = "presence", _("Yes or no")
    TEMPERATURE = "temperature", _("Temperature (°C)")


class RedFlag(models.TextChoices):
    NONE = "none", _("Not a red flag")
    CALL_NOW = "call_now", _("Call the 24-hour line now")
    EMERGENCY = "emergency", _("Emergency: call the emergency number")


class ProCtcaeAttribute(models.TextChoices):
    """Which PRO-CTCAE question about a symptom term our item asks (NCI's item library)."""

    FREQUENCY = "frequency", _("Frequency")
    SEVERITY = "severity", _("Severity")
    INTERFERENCE = "interference", _("Interference with usual activities")
    PRESENCE = "presence", _("Presence or absence")
    AMOUNT = "amount", _("Amount")


class Symptom(models.Model):
    """One thing a patient can report. Retire (``active`` off) rather than delete."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=120)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="symptoms")
    kind = models.CharField(max_length=12, choices=SymptomKind.choices)
    red_flag = models.CharField(max_length=12, choices=RedFlag.choices, default=RedFlag.NONE)
    help_text = models.TextField(
        blank=True,
        help_text=_(
            "Plain words for patients: what counts, and when to call. Never type a phone "
            "number: write {emergency_number} or {care_team_line} and the numbers in the settings "
            "are shown."
        ),
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(
        default=True, help_text=_("Retired symptoms leave the forms but keep their history.")
    )
    loinc_code = models.CharField(
        _("LOINC code"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,7}-[0-9]$", _("A LOINC code looks like 8310-5."))],
        help_text=_("The LOINC code for this observation, where one exists (e.g. 8310-5)."),
    )
    loinc_display = models.CharField(
        _("LOINC name"), max_length=200, blank=True, help_text=_("LOINC's name for that code.")
    )
    proctcae_term = models.CharField(
        _("PRO-CTCAE term"),
        max_length=80,
        blank=True,
        help_text=_("The PRO-CTCAE symptom term this matches, where one exists (e.g. Fatigue)."),
    )
    proctcae_attribute = models.CharField(
        _("PRO-CTCAE attribute"),
        max_length=12,
        choices=ProCtcaeAttribute.choices,
        blank=True,
        help_text=_("Which PRO-CTCAE question about that term our question asks."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
        ordering = ["site__display_order", "display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proctcae_term="", proctcae_attribute="")
                | (~Q(proctcae_term="") & ~Q(proctcae_attribute="")),
                name="symptom_proctcae_term_with_attribute",
            ),
            models.CheckConstraint(
                condition=Q(loinc_code="", loinc_display="") | ~Q(loinc_code=""),
                name="symptom_loinc_name_needs_code",
            ),
            models.CheckConstraint(
                condition=Q(red_flag="none") | Q(kind="presence"),
                name="symptom_red_flags_are_presence",
            ),
        ]

    def __str__(self) -> str:
        return self.name


SEVERITY_MIN, SEVERITY_MAX = 0, 10
TEMPERATURE_MIN, TEMPERATURE_MAX = Decimal("34.0"), Decimal("43.0")


class DailyLog(models.Model):
    """How a patient felt on one day (their own calendar day)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_logs"
    )
    date = models.DateField(help_text=_("The day in the patient's own time zone."))
    notes = models.TextField(blank=True, max_length=2000)
    # Who filled it in last: the patient, or a carer on their behalf (accounts.CarerLink). Empty
    # on logs from before carers existed, which the patient entered.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who saved this log: the patient, or their carer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily log")
        verbose_name_plural = _("daily logs")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_log_per_patient_day"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} on {self.date:%Y-%m-%d}"


class LogEntry(models.Model):
    """One symptom in one log: a severity, a yes/no or a temperature, by the symptom's kind."""

    log = models.ForeignKey(DailyLog, on_delete=models.CASCADE, related_name="entries")
    symptom = models.ForeignKey(Symptom, on_delete=models.PROTECT, related_name="entries")
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    present = models.BooleanField(null=True, blank=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["symptom__site__display_order", "symptom__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["log", "symptom"], name="one_entry_per_symptom"),
            models.CheckConstraint(
                condition=Q(severity__isnull=True)
                | Q(severity__gte=SEVERITY_MIN, severity__lte=SEVERITY_MAX),
                name="entry_severity_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="entry_temperature_34_to_43",
            ),
            models.CheckConstraint(
                condition=(
                    Q(severity__isnull=False, present__isnull=True, temperature__isnull=True)
                    | Q(severity__isnull=True, present__isnull=False, temperature__isnull=True)
                    | Q(severity__isnull=True, present__isnull=True, temperature__isnull=False)
                ),
                name="entry_exactly_one_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symptom_id}: {self.value}"

    @property
    def value(self) -> int | bool | Decimal | None:
        if self.severity is not None:
            return self.severity
        if self.present is not None:
            return self.present
        return self.temperature


QUESTION_MAX_LENGTH = 500


class PatientQuestion(models.Model):
    """Something the patient wants to ask their care team at the next visit."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(max_length=QUESTION_MAX_LENGTH)
    done = models.BooleanField(default=False, help_text=_("Asked, or no longer needed."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["done", "created_at", "pk"]
        indexes = [models.Index(fields=["patient", "done"], name="question_patient_done")]

    def __str__(self) -> str:
        return f"Question {self.pk} of {self.patient_id}"
