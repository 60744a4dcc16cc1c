"""Forms for the coordinator's pages."""

from __future__ import annotations

from django import forms

NOTE_MAX_LENGTH = 2000


class FlagNoteForm(forms.Form):
    """The note that goes with acknowledging (optional) or resolving (required) a flag."""

    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
    )

    def __init__(self, *args: object, action: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.action = action

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if self.action == "resolve" and not note:
            raise forms.ValidationError(
                "Please add a short note saying how this was resolved, for the rest of the team."
            )
        return note
