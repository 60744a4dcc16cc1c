"""The post-scan check-in form: one 0-10 answer and an optional note.

The form checks the shape of the answer; ``appointments.support.services`` checks the rest, and its
messages are put back next to the field they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appointments.support.services import ANXIETY_ERROR, ANXIETY_MAX, ANXIETY_MIN, NOTE_MAX_LENGTH

# How each part of the scale is named, under the buttons and to screen readers.
BANDS: tuple[tuple[str, range], ...] = (
    (_("not at all"), range(0, 1)),
    (_("a little"), range(1, 4)),
    (_("quite a lot"), range(4, 7)),
    (_("very"), range(7, 11)),
)


@dataclass(frozen=True, slots=True)
class ScaleOption:
    value: str
    id: str
    checked: bool


@dataclass(frozen=True, slots=True)
class ScaleBand:
    name: str
    options: tuple[ScaleOption, ...]


class ScanCheckInForm(forms.Form):
    anxiety = forms.IntegerField(
        label=_("How anxious are you feeling?"),
        min_value=ANXIETY_MIN,
        max_value=ANXIETY_MAX,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), ANXIETY_ERROR
        ),
    )
    note = forms.CharField(
        label=_("Anything you would like to add? (optional)"),
        help_text=_(
            "For example, what is on your mind. It is kept with your answer, but nobody "
            "reads it straight away: if you would like to talk to someone now, please phone."
        ),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Notes can be up to %(limit_value)d characters. Please shorten it a little."
            )
        },
    )

    def add_service_error(self, error: ValidationError) -> None:
        """Put the check-in service's messages next to their fields (or at the top)."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    @property
    def bands(self) -> tuple[tuple[ScaleBand, ...], ...]:
        """0-3 and 4-10 as two rows that fit a phone's width, like the symptom log's scales."""
        value = self["anxiety"].value()
        chosen = "" if value is None else str(value).strip()
        bands = tuple(
            ScaleBand(
                name,
                tuple(
                    ScaleOption(str(score), f"id_anxiety_{score}", chosen == str(score))
                    for score in scores
                ),
            )
            for name, scores in BANDS
        )
        return bands[:2], bands[2:]
