"""The daily log form: one field per active symptom, grouped by site as the patient sees them.

The form checks only the shape of the answers (a whole number, yes or no, a number in °C). The
log service checks the rest (ranges, dates) and its messages are put back next to the field they
belong to. A log is a full snapshot, so only real answers become entries: a score above 0, a
"yes" or a temperature. Everything left at 0 / "no" / empty is simply not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms

from symptoms.catalogue import SiteInfo, SymptomInfo
from symptoms.charts import severity_band
from symptoms.models import QUESTION_MAX_LENGTH, DailyLog
from symptoms.selectors import SiteGroup
from symptoms.services import NOTES_MAX_LENGTH, LogInputError

YES, NO = "yes", "no"
SEVERITY_CHOICES = [str(score) for score in range(11)]
ENTRY_KEY = {"severity": "severity", "presence": "present", "temperature": "value"}


class TemperatureField(forms.DecimalField):
    """A temperature typed with a point or a comma ("37,5"); the service checks the range."""

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


@dataclass(frozen=True, slots=True)
class ScaleOption:
    value: str
    band: str
    checked: bool
    id: str


@dataclass(frozen=True, slots=True)
class ScaleBand:
    name: str
    options: tuple[ScaleOption, ...]


@dataclass(frozen=True, slots=True)
class SymptomRow:
    """What the template needs to draw one symptom's question."""

    symptom: SymptomInfo
    field: forms.BoundField
    value: str
    errors: tuple[str, ...]
    bands: tuple[ScaleBand, ...] = ()

    @property
    def name(self) -> str:
        return self.field.html_name

    @property
    def band_rows(self) -> tuple[tuple[ScaleBand, ...], ...]:
        """0-3 (none, mild) and 4-10 (moderate, severe): two rows that fit a phone's width."""
        return self.bands[:2], self.bands[2:]

    @property
    def id(self) -> str:
        return self.field.auto_id

    @property
    def first_input_id(self) -> str:
        """Where the error summary's link should land."""
        if self.symptom.kind == "severity":
            return f"{self.id}_0"
        if self.symptom.kind == "presence":
            return f"{self.id}_{NO}"
        return self.id

    @property
    def has_value(self) -> bool:
        """Anything other than the 0 / "no" / empty the form starts with."""
        return self.value not in {"", "0", NO}

    @property
    def is_red_flag(self) -> bool:
        return self.symptom.red_flag != "none"


@dataclass(frozen=True, slots=True)
class GroupRows:
    site: SiteInfo
    own_site: bool
    rows: tuple[SymptomRow, ...]

    @property
    def has_value(self) -> bool:
        return any(row.has_value or row.errors for row in self.rows)


def initial_from_log(log: DailyLog | None) -> dict[str, str]:
    """The form's starting answers: a saved log's values, else nothing (0 / no / empty)."""
    if log is None:
        return {}
    initial = {"notes": log.notes}
    for entry in log.entries.all():
        if entry.severity is not None:
            initial[entry.symptom_id] = str(entry.severity)
        elif entry.present is not None:
            initial[entry.symptom_id] = YES if entry.present else NO
        elif entry.temperature is not None:
            initial[entry.symptom_id] = str(entry.temperature)
    return initial


class DailyLogForm(forms.Form):
    """One day's answers. Field names are the symptom codes, plus ``notes``."""

    def __init__(self, *args: object, groups: list[SiteGroup], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.groups = groups
        self.symptoms: dict[str, SymptomInfo] = {}
        for group in groups:
            for symptom in group.symptoms:
                self.symptoms[symptom.code] = symptom
                self.fields[symptom.code] = self._field_for(symptom)
        self.fields["notes"] = forms.CharField(
            label="Anything else about this day? (optional)",
            help_text="In your own words. Your care team can read this, but not straight away: "
            "if you need help now, please phone.",
            required=False,
            max_length=NOTES_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={
                "max_length": "Notes can be up to %(limit_value)d characters. Please shorten "
                "them a little."
            },
        )

    @staticmethod
    def _field_for(symptom: SymptomInfo) -> forms.Field:
        if symptom.kind == "severity":
            return forms.IntegerField(
                label=symptom.name,
                required=False,
                initial="0",
                error_messages={
                    "invalid": f"{symptom.name}: please choose a number from 0 (none) to 10."
                },
            )
        if symptom.kind == "presence":
            return forms.ChoiceField(
                label=symptom.name,
                required=False,
                initial=NO,
                choices=[(NO, "No"), (YES, "Yes")],
                error_messages={"invalid_choice": f"{symptom.name}: please choose yes or no."},
            )
        return TemperatureField(
            label=f"{symptom.name} (°C)",
            required=False,
            widget=forms.NumberInput(
                attrs={"step": "0.1", "min": "34", "max": "43", "inputmode": "decimal"}
            ),
            error_messages={
                "invalid": f"{symptom.name}: please type a number, for example 37.2.",
            },
        )

    # --- What the template draws -------------------------------------------------------------

    def _value(self, name: str) -> str:
        value = self[name].value()
        return "" if value is None else str(value).strip()

    def _row(self, symptom: SymptomInfo) -> SymptomRow:
        field = self[symptom.code]
        value = self._value(symptom.code)
        errors = tuple(str(error) for error in field.errors)
        bands: tuple[ScaleBand, ...] = ()
        if symptom.kind == "severity":
            by_band: dict[str, list[ScaleOption]] = {}
            for choice in SEVERITY_CHOICES:
                band = severity_band(int(choice))
                option = ScaleOption(choice, band, value == choice, f"{field.auto_id}_{choice}")
                by_band.setdefault(band, []).append(option)
            bands = tuple(ScaleBand(name, tuple(options)) for name, options in by_band.items())
        return SymptomRow(symptom=symptom, field=field, value=value, errors=errors, bands=bands)

    def group_rows(self) -> tuple[list[GroupRows], list[GroupRows]]:
        """The patient's own groups (their sites, general, treatment) and the other sites."""
        own: list[GroupRows] = []
        other: list[GroupRows] = []
        for group in self.groups:
            rows = GroupRows(
                site=group.site,
                own_site=group.own_site,
                rows=tuple(self._row(symptom) for symptom in group.symptoms),
            )
            (own if group.own_site else other).append(rows)
        return own, other

    def error_links(self) -> list[tuple[str, str]]:
        """(target id, message) for the error summary at the top, in page order."""
        links: list[tuple[str, str]] = []
        own, other = self.group_rows()
        for group in own + other:
            for row in group.rows:
                links.extend((row.first_input_id, error) for error in row.errors)
        links.extend((self["notes"].auto_id, str(error)) for error in self["notes"].errors)
        return links

    # --- What the service receives -----------------------------------------------------------

    def entries(self) -> list[dict[str, object]]:
        """API-shaped entries for the answers that say something (call after is_valid())."""
        entries: list[dict[str, object]] = []
        for code, symptom in self.symptoms.items():
            value = self.cleaned_data.get(code)
            if value in (None, "", NO):
                continue
            if symptom.kind == "severity" and value == 0:
                continue
            if symptom.kind == "presence":
                value = value == YES
            entries.append({"symptom": code, ENTRY_KEY[symptom.kind]: value})
        return entries

    def add_service_error(self, error: LogInputError, entries: list[dict[str, object]]) -> None:
        """Put the service's messages next to the questions they are about."""
        for key, messages in error.detail.items():
            if key == "entries":
                for index, message in enumerate(messages):
                    if isinstance(message, dict) and index < len(entries):
                        code = str(entries[index]["symptom"])
                        field = code if code in self.fields else None
                        for texts in message.values():
                            self.add_error(field, list(texts))
                    elif isinstance(message, str):
                        self.add_error(None, message)
            else:
                self.add_error(key if key in self.fields else None, list(messages))


class QuestionForm(forms.Form):
    """One question for the care team, in the patient's own words."""

    text = forms.CharField(
        label="Your question",
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: Why is my back pain worse at night?",
        error_messages={
            "required": "Please write your question, or leave this page.",
            "max_length": f"Please keep a question to {QUESTION_MAX_LENGTH} characters or fewer.",
        },
    )

    def clean_text(self) -> str:
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError("Please write your question, or leave this page.")
        return text
