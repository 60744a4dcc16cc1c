"""The daily log form: the patient picks what bothered them, then answers only for those.

Every active symptom is a choice (a checkbox named ``chosen``); a chosen ``severity`` symptom
needs a score from 1 to 10, a chosen ``presence`` symptom means "yes, I had this". Temperatures
are typed in a box of their own. The form checks only the shape of the answers; the log service
checks the rest (ranges, dates) and its messages are put back next to the field they belong to.
A log is a full snapshot, so only chosen symptoms (and a typed temperature) become entries:
a score left behind on a symptom that was un-chosen again is not saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from symptoms.catalogue import SiteInfo, SymptomInfo
from symptoms.charts import severity_band
from symptoms.models import QUESTION_MAX_LENGTH, DailyLog
from symptoms.selectors import SiteGroup
from symptoms.services import NOTES_MAX_LENGTH, TOO_PRECISE, LogInputError, too_precise

YES, NO = "yes", "no"
CHOSEN = "chosen"
SCORES = [str(score) for score in range(1, 11)]
ENTRY_KEY = {"severity": "severity", "presence": "present", "temperature": "value"}


class TemperatureField(forms.DecimalField):
    """A temperature typed with a point or a comma ("38,4"), one decimal place at most; the
    service checks the range. It is a text box (not type=number, which turns "38,4" into 384
    or nothing in some browsers), so the server does all the parsing."""

    def __init__(self, *, label: str, name: str) -> None:
        super().__init__(
            label=label,
            required=False,
            decimal_places=1,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={
                "invalid": _("%(name)s: please type a number, for example 37.2 or 37,2.")
                % {"name": name},
                "max_decimal_places": _("%(name)s: %(problem)s")
                % {"name": name, "problem": TOO_PRECISE},
            },
        )

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        temperature = super().to_python(value)
        if temperature is not None and too_precise(temperature):  # the log service's rule
            raise forms.ValidationError(
                self.error_messages["max_decimal_places"], code="max_decimal_places"
            )
        return temperature


def below_pattern(threshold: Decimal) -> str:
    """An HTML ``pattern`` matching temperatures (point or comma, at most one decimal) below
    ``threshold``: the page's CSS shows the fever advice while the box does not match it, so the
    advice appears as the patient types, without JavaScript."""
    whole, tenth = divmod(int(threshold * 10), 10)
    below = "|".join(str(number) for number in range(whole))
    parts = [f"(?:{below})(?:[.,][0-9])?"] if whole else []
    if tenth:
        parts.append(f"{whole}(?:[.,][0-{tenth - 1}])?")
    return r"\s*(?:" + "|".join(parts or ["(?!)"]) + r")\s*"


@dataclass(frozen=True, slots=True)
class ScaleOption:
    value: str
    band: str
    checked: bool
    severe: bool  # at or above the score the care team is told about


@dataclass(frozen=True, slots=True)
class SymptomRow:
    """What the template needs to draw one symptom: its choice and, once chosen, its question."""

    symptom: SymptomInfo
    field: forms.BoundField | None  # None for presence symptoms: choosing them is the answer
    chosen: bool
    value: str
    errors: tuple[str, ...]
    find: str  # the words the finder matches, lower case
    shown: bool = True  # False when the finder's words do not match (still sent with the form)
    options: tuple[ScaleOption, ...] = ()
    feedback: str = ""  # "severe" | "distress": what a high score tells the team

    @property
    def code(self) -> str:
        return self.symptom.code

    @property
    def id(self) -> str:
        return f"id_{self.symptom.code}"

    @property
    def first_input_id(self) -> str:
        """Where the error summary's link should land."""
        if self.symptom.kind == "severity" and self.chosen:
            return f"{self.id}_1"
        if self.symptom.kind == "temperature":
            return self.id
        return f"pick_{self.symptom.code}"

    @property
    def is_red_flag(self) -> bool:
        return self.symptom.red_flag != "none"

    @property
    def has_value(self) -> bool:
        return self.chosen or (self.symptom.kind == "temperature" and bool(self.value))


@dataclass(frozen=True, slots=True)
class GroupRows:
    site: SiteInfo
    own_site: bool
    rows: tuple[SymptomRow, ...]

    @property
    def shown(self) -> bool:
        return any(row.shown for row in self.rows)

    @property
    def has_value(self) -> bool:
        return any(row.has_value or row.errors for row in self.rows)


@dataclass(frozen=True, slots=True)
class LogLayout:
    """The form as the page draws it: temperatures first, then the choices by site."""

    temperatures: tuple[SymptomRow, ...]
    own: tuple[GroupRows, ...]
    other: tuple[GroupRows, ...]
    query: str = ""
    matches: int = 0
    chosen: tuple[str, ...] = field(default=())


def find_words(symptom: SymptomInfo, site: SiteInfo) -> str:
    return " ".join(
        {symptom.name.lower(): None, site.name.lower(): None, symptom.code.replace("_", " "): None}
    )


def matches(words: str, query: str) -> bool:
    return all(word in words for word in query.lower().split())


def initial_from_log(log: DailyLog | None) -> dict[str, object]:
    """The form's starting answers: a saved log's values, else nothing chosen."""
    if log is None:
        return {}
    initial: dict[str, object] = {"notes": log.notes}
    chosen: list[str] = []
    for entry in log.entries.all():
        if entry.severity:
            chosen.append(entry.symptom_id)
            initial[entry.symptom_id] = str(entry.severity)
        elif entry.present:
            chosen.append(entry.symptom_id)
        elif entry.temperature is not None:
            initial[entry.symptom_id] = number_format(entry.temperature, 1)  # 38,4 in Spanish
    initial[CHOSEN] = chosen
    return initial


def initial_from_answers(answers: Mapping[str, list[str]]) -> dict[str, object]:
    """Unsaved answers carried over a search (lists of strings, as a posted form holds them)."""
    initial: dict[str, object] = {CHOSEN: list(answers.get(CHOSEN, []))}
    for name, values in answers.items():
        if name != CHOSEN and values and name != "csrfmiddlewaretoken":
            initial[name] = values[-1]
    return initial


class ChosenField(forms.MultipleChoiceField):
    """The symptoms the patient picked. A code no longer in the form (retired since the page was
    loaded) is dropped rather than refused: there is nothing the patient could do about it."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value: object) -> list[str]:
        known = {str(code) for code, _ in self.choices}
        return [code for code in dict.fromkeys(self.to_python(value)) if code in known]


class DailyLogForm(forms.Form):
    """One day's answers: ``chosen`` symptom codes, one field per symptom code, and ``notes``."""

    def __init__(
        self,
        *args: object,
        groups: list[SiteGroup],
        severe_from: int = 7,
        distress_from: int = 7,
        distress_codes: tuple[str, ...] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.groups = groups
        self.severe_from = severe_from
        self.distress_from = distress_from
        self.distress_codes = distress_codes
        self.symptoms: dict[str, SymptomInfo] = {}
        choices: list[tuple[str, str]] = []
        for group in groups:
            for symptom in group.symptoms:
                self.symptoms[symptom.code] = symptom
                self.fields[symptom.code] = self._field_for(symptom)
                if symptom.kind != "temperature":
                    choices.append((symptom.code, symptom.name))
        self.fields[CHOSEN] = ChosenField(choices=choices, required=False)
        self.fields["notes"] = forms.CharField(
            label=_("Anything else about this day? (optional)"),
            help_text=_(
                "In your own words. Your care team can read this, but not straight away: "
                "if you need help now, please phone."
            ),
            required=False,
            max_length=NOTES_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={
                "max_length": _(
                    "Notes can be up to %(limit_value)d characters. Please shorten them a little."
                )
            },
        )

    @staticmethod
    def _field_for(symptom: SymptomInfo) -> forms.Field:
        if symptom.kind == "severity":
            return forms.IntegerField(
                label=symptom.name,
                required=False,
                error_messages={
                    "invalid": _("%(name)s: please choose a number from 1 to 10.")
                    % {"name": symptom.name}
                },
            )
        if symptom.kind == "presence":
            # Not drawn: choosing the symptom is the "yes". An explicit "yes" (an older page, a
            # script) still counts as chosen.
            return forms.ChoiceField(
                label=symptom.name,
                required=False,
                choices=[(NO, _("No")), (YES, _("Yes"))],
                error_messages={
                    "invalid_choice": _("%(name)s: please choose yes or no.")
                    % {"name": symptom.name}
                },
            )
        return TemperatureField(
            label=_("%(name)s (°C)") % {"name": symptom.name}, name=symptom.name
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        chosen = set(cleaned.get(CHOSEN) or [])
        for code, symptom in self.symptoms.items():
            if symptom.kind != "severity":
                continue
            if code not in chosen:
                # A score left on a symptom the patient took off the list again is not an
                # answer, so it cannot be a wrong one either.
                self._errors.pop(code, None)
            elif cleaned.get(code) is None and code not in self._errors:
                self.add_error(
                    code,
                    _(
                        "%(name)s: please choose how bad it was, from 1 to 10, or tap "
                        "“%(name)s” again to take it off."
                    )
                    % {"name": symptom.name},
                )
        return cleaned

    # --- What the template draws -------------------------------------------------------------

    def _value(self, name: str) -> str:
        value = self[name].value()
        return "" if value is None else str(value).strip()

    def chosen_now(self) -> set[str]:
        """The symptoms picked on the page as it stands (typed or saved answers)."""
        value = self[CHOSEN].value() or []
        chosen = {str(code) for code in (value if isinstance(value, list | tuple) else [value])}
        for code, symptom in self.symptoms.items():
            if symptom.kind == "presence" and self._value(code) == YES:
                chosen.add(code)
        return chosen & set(self.symptoms)

    def _row(
        self, symptom: SymptomInfo, site: SiteInfo, chosen: set[str], query: str
    ) -> SymptomRow:
        code = symptom.code
        bound = self[code]
        value = self._value(code)
        errors = tuple(str(error) for error in bound.errors) if self.is_bound else ()
        is_chosen = code in chosen
        words = find_words(symptom, site)
        shown = not query or is_chosen or bool(errors) or matches(words, query)
        options: tuple[ScaleOption, ...] = ()
        feedback = ""
        if symptom.kind == "severity":
            distress = code in self.distress_codes
            threshold = self.distress_from if distress else self.severe_from
            feedback = "distress" if distress else "severe"
            options = tuple(
                ScaleOption(
                    score, severity_band(int(score)), value == score, int(score) >= threshold
                )
                for score in SCORES
            )
        return SymptomRow(
            symptom=symptom,
            field=None if symptom.kind == "presence" else bound,
            chosen=is_chosen,
            value=value,
            errors=errors,
            find=words,
            shown=shown,
            options=options,
            feedback=feedback,
        )

    def layout(self, query: str = "") -> LogLayout:
        """Temperatures first, then the patient's own groups (their sites, general, treatment),
        then the other sites; with a search, symptoms that do not match are hidden (but still
        sent, so nothing chosen is lost)."""
        query = " ".join(query.split())[:60]
        chosen = self.chosen_now()
        temperatures: list[SymptomRow] = []
        own: list[GroupRows] = []
        other: list[GroupRows] = []
        for group in self.groups:
            rows = []
            for symptom in group.symptoms:
                row = self._row(symptom, group.site, chosen, query)
                (temperatures if symptom.kind == "temperature" else rows).append(row)
            if rows:
                group_rows = GroupRows(site=group.site, own_site=group.own_site, rows=tuple(rows))
                (own if group.own_site else other).append(group_rows)
        found = sum(
            1 for group in own + other for row in group.rows if query and matches(row.find, query)
        )
        return LogLayout(
            temperatures=tuple(temperatures),
            own=tuple(own),
            other=tuple(other),
            query=query,
            matches=found,
            chosen=tuple(code for code in self.symptoms if code in chosen),
        )

    def error_links(self) -> list[tuple[str, str]]:
        """(target id, message) for the error summary at the top, in page order."""
        links: list[tuple[str, str]] = []
        layout = self.layout()
        rows = list(layout.temperatures)
        for group in layout.own + layout.other:
            rows.extend(group.rows)
        for row in rows:
            links.extend((row.first_input_id, error) for error in row.errors)
        links.extend((self["notes"].auto_id, str(error)) for error in self["notes"].errors)
        return links

    # --- What the service receives -----------------------------------------------------------

    def entries(self) -> list[dict[str, object]]:
        """API-shaped entries for the chosen symptoms and a typed temperature (after is_valid())."""
        chosen = set(self.cleaned_data.get(CHOSEN) or [])
        entries: list[dict[str, object]] = []
        for code, symptom in self.symptoms.items():
            value = self.cleaned_data.get(code)
            if symptom.kind == "severity":
                if code in chosen and value:
                    entries.append({"symptom": code, "severity": value})
            elif symptom.kind == "presence":
                if code in chosen or value == YES:
                    entries.append({"symptom": code, "present": True})
            elif value is not None:
                entries.append({"symptom": code, ENTRY_KEY[symptom.kind]: value})
        return entries

    def add_service_error(self, error: LogInputError, entries: list[dict[str, object]]) -> None:
        """Put the service's messages next to the questions they are about."""
        for key, messages in error.detail.items():
            if key == "entries":
                for index, message in enumerate(messages):
                    if isinstance(message, dict) and index < len(entries):
                        code = str(entries[index]["symptom"])
                        field_name = code if code in self.fields else None
                        for texts in message.values():
                            self.add_error(field_name, list(texts))
                    elif isinstance(message, str):
                        self.add_error(None, message)
            else:
                self.add_error(key if key in self.fields else None, list(messages))


class QuestionForm(forms.Form):
    """One question for the care team, in the patient's own words."""

    text = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: Why is my back pain worse at night?"),
        error_messages={
            "required": gettext_lazy("Please write your question, or leave this page."),
            "max_length": gettext_lazy(
                "Please keep a question to %(limit_value)d characters or fewer."
            ),
        },
    )

    def clean_text(self) -> str:
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError(_("Please write your question, or leave this page."))
        return text
