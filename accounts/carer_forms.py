"""Forms for inviting a carer, changing what they may do and (for staff) the patient's word.
Pages say the rights to the patient ("for you") or, to staff, about the patient ("for them")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from accounts.access import CARER_RIGHTS as RIGHT_FIELDS
from accounts.carers import RIGHTS

# Each right's words: to the patient, and to the care team about the patient.
_TO_PATIENT = {
    "log": (
        gettext_lazy("Fill in the daily log for you"),
        gettext_lazy("Each day's log shows who filled it in."),
    ),
    "record": (
        gettext_lazy("See your symptom history, flags and advice"),
        gettext_lazy("What you logged before, and what we told you to do about it."),
    ),
    "appointments": (
        gettext_lazy("See your appointments"),
        gettext_lazy("When and where they are, to help you get there."),
    ),
}
_ABOUT_PATIENT = {
    "log": (
        gettext_lazy("Fill in the daily log for them"),
        gettext_lazy("Each day's log shows who filled it in."),
    ),
    "record": (
        gettext_lazy("See their symptom history, flags and advice"),
        gettext_lazy("What they logged before, and the advice they were given."),
    ),
    "appointments": (
        gettext_lazy("See their appointments"),
        gettext_lazy("When and where they are."),
    ),
}


class CarerRightsForm(forms.Form):
    """The three rights as checkboxes. At least one is needed (the service says so)."""

    def __init__(self, *args: object, for_staff: bool = False, **kwargs: object) -> None:
        # Ids of their own: these forms share pages with others (the settings form's "name").
        kwargs.setdefault("auto_id", "id_carer_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        words = _ABOUT_PATIENT if for_staff else _TO_PATIENT
        for right in RIGHTS:
            label, help_text = words[right]
            self.fields[RIGHT_FIELDS[right]] = forms.BooleanField(
                label=label, help_text=help_text, required=False
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(RIGHT_FIELDS[right]) for right in RIGHTS):
            self.add_error(None, gettext_lazy("Choose at least one thing they can do."))
        return cleaned

    def rights(self) -> list[str]:
        return [right for right in RIGHTS if self.cleaned_data.get(RIGHT_FIELDS[right])]


class CarerInviteForm(CarerRightsForm):
    """Who to invite, and what they may do."""

    def __init__(self, *args: object, for_staff: bool = False, **kwargs: object) -> None:
        super().__init__(*args, for_staff=for_staff, **kwargs)
        fields = {
            "name": forms.CharField(
                label=gettext_lazy("Their name"),
                max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            ),
            "email": forms.EmailField(
                label=gettext_lazy("Their email address"),
                help_text=gettext_lazy("We send the invitation here. It is also how they sign in."),
                max_length=254,
                widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            ),
        }
        if for_staff:
            fields["patients_word"] = forms.CharField(
                label=gettext_lazy("What the patient asked"),
                help_text=gettext_lazy(
                    "When and how the patient asked for this person to help, for example "
                    "“Asked by phone on 3 March for her son to help with the log”."
                ),
                max_length=300,
            )
        self.fields = {**fields, **self.fields}
