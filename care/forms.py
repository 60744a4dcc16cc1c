"""Forms for the coordinator's pages."""

from __future__ import annotations

from django import forms

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
