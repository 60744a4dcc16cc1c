"""Forms for the coordinator's pages."""

from __future__ import annotations

from django import forms

from flags.models import ContactOutcome
from flags.services.handling import NOTE_MAX_LENGTH


class FlagNoteForm(forms.Form):
    """The note that goes with acknowledging or resolving a flag (``flag_resolve`` refuses a
    blank one)."""

    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
    )


class FlagContactForm(forms.Form):
    """One call attempt in one step: how it went, and an optional note."""

    outcome = forms.ChoiceField(
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        label="How did the call go?",
        error_messages={"required": "Please choose how the call went."},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="About the call (optional)",
    )
