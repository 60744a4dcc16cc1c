"""Forms for the coordinator's pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import timezones
from accounts.choices import HER2Status, HormoneReceptorStatus, MutationStatus, PDL1Status
from accounts.forms import SitesField, ZoneAndPhoneMixin
from accounts.validators import (
    validate_date_of_birth,
    validate_name,
    validate_plain_text,
    validate_timezone,
)
from flags.models import ContactOutcome
from flags.services.handling import NOTE_MAX_LENGTH


class FlagNoteForm(forms.Form):
    """The note that goes with acknowledging or resolving a flag (``flag_resolve`` refuses a
    blank one)."""

    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Note"),
    )


class FlagContactForm(forms.Form):
    """One call attempt in one step: how it went, and an optional note."""

    outcome = forms.ChoiceField(
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        label=_("How did the call go?"),
        error_messages={"required": _("Please choose how the call went.")},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("About the call (optional)"),
    )


class PatientDetailsForm(ZoneAndPhoneMixin, forms.Form):
    """A patient's details as their care team records them (the record's "Edit details").
    Field by field the same validators as admin; ``accounts.services.patient_details_update``
    checks the whole. The time zone is the settings page's short menu of likely zones, with the
    zones matching ``search`` first."""

    name = forms.CharField(label=_("Full name"), max_length=150, validators=[validate_name])
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    call_time = forms.CharField(
        label=_("Best time to call"),
        max_length=80,
        required=False,
        validators=[validate_plain_text],
        help_text=_("In the patient's words, for example “mornings” or “after 2pm”."),
    )
    sites = SitesField(
        help_text=_(
            "Known metastasis sites. They decide which symptoms the patient is asked "
            "about first, and which rules raise flags."
        )
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        validators=[validate_timezone],
        widget=forms.Select,
        help_text=_("Where the patient lives: their reminders follow this clock."),
    )
    restaging_interval_weeks = forms.IntegerField(
        label=_("Weeks between restaging visits"),
        min_value=4,
        max_value=26,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("From 4 to 26; usually 8 to 16."),
    )
    hormone_receptor_status = forms.ChoiceField(
        label=_("Hormone receptors"), choices=HormoneReceptorStatus.choices
    )
    her2_status = forms.ChoiceField(label="HER2", choices=HER2Status.choices)
    pik3ca_status = forms.ChoiceField(label="PIK3CA", choices=MutationStatus.choices)
    pd_l1_status = forms.ChoiceField(label="PD-L1", choices=PDL1Status.choices)
    current_treatment = forms.CharField(
        label=_("Current treatment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example “Letrozole and palbociclib”."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        validators=[validate_date_of_birth],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hospital_number = forms.CharField(
        label=_("Hospital number"),
        max_length=32,
        required=False,
        validators=[validate_plain_text],
        help_text=_("For example their NHS number or MRN."),
    )

    # Shown in groups on the page, in this order.
    SECTIONS = (
        (_("Contact"), ("name", "phone", "call_time")),
        (_("Care"), ("sites", "timezone", "restaging_interval_weeks", "current_treatment")),
        (
            _("Tumour biology"),
            ("hormone_receptor_status", "her2_status", "pik3ca_status", "pd_l1_status"),
        ),
        (_("Identity"), ("date_of_birth", "hospital_number")),
    )

    def __init__(
        self,
        *args: object,
        current_zone: str | None = None,
        search: str = "",
        now: dt.datetime | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone_menu(
            current_zone=current_zone,
            search=search,
            now=now,
            chosen_title=gettext("Chosen"),
            current_title=gettext("Their time zone now"),
        )
        region = settings.PHONENUMBER_DEFAULT_REGION
        self.fields["phone"].help_text = gettext(
            "For calls about urgent symptoms. If it is not a %(country)s number, start with + "
            "and the country code."
        ) % {"country": timezones.country_name(region)}

    def sections(self) -> list[tuple[object, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]
