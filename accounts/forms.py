"""Forms for the account pages and for admin."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.utils import timezone as django_timezone
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from accounts import services, timezones
from accounts.choices import MetastasisSite
from accounts.models import CareTeam, PatientProfile, User
from accounts.validators import (
    available_timezones,
    normalise_phone,
    validate_name,
    validate_plain_text,
    validate_timezone,
)
from lib.i18n import language_of

PROFILE_FORM_FIELDS = [
    "preferred_name",
    "date_of_birth",
    "hospital_number",
    "phone",
    "call_time",
    "care_team",
    "sites",
    "timezone",
    "log_reminder_time",
    "restaging_interval_weeks",
    "enrolled_on",
    "hormone_receptor_status",
    "her2_status",
    "pik3ca_status",
    "pd_l1_status",
    "current_treatment",
]


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(available_timezones())
    return [(name, name.replace("_", " ")) for name in names]


class EmailLoginForm(AuthenticationForm):
    """Django's login form with an email field, labelled for people not technical people."""

    username = forms.EmailField(
        label=gettext_lazy("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": gettext_lazy(
            "That email address and password do not match. Please check them and try again."
        ),
        "inactive": gettext_lazy("This account is closed. Please contact your care team."),
    }
    # Patients only (accounts.sessions); staff sessions stay short whatever is ticked.
    remember = forms.BooleanField(
        required=False, label=gettext_lazy("Keep me signed in on this phone")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        remember = self.fields["remember"]
        days = settings.PATIENT_REMEMBER_DAYS
        remember.help_text = ngettext(
            "For %(days)s day. Only tick this on a phone that nobody else uses.",
            "For %(days)s days. Only tick this on a phone that nobody else uses.",
            days,
        ) % {"days": days}


class SitesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("choices", MetastasisSite.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Where the cancer has spread"))
        super().__init__(**kwargs)


class ZoneAndPhoneMixin:
    """The time-zone menu (likely zones first, ``search`` adding the zones that match a word, no
    JavaScript needed) and the phone number in E.164: shared by the patient's settings and the
    care team's edit page, which word their labels differently."""

    def zone_menu(
        self,
        *,
        current_zone: str | None,
        search: str,
        now: dt.datetime | None,
        chosen_title: str,
        current_title: str | None = None,
    ) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        now = now or django_timezone.now()
        self.search = search
        self.matches = timezones.search(search, now) if search else []
        extra = {"current_title": current_title} if current_title else {}
        groups = timezones.likely_zones(current_zone, now, **extra)
        if search:
            groups.insert(0, (_("Matches for “%(search)s”") % {"search": search}, self.matches))
        if self.matches and not form.is_bound:
            form.initial["timezone"] = self.matches[0].name  # chosen, not saved until Save
        shown = {choice.name for _title, choices in groups for choice in choices}
        chosen = str(form["timezone"].value() or "")
        if chosen and chosen not in shown and chosen in available_timezones():
            choice = timezones.ZoneChoice(chosen, timezones.label(chosen, now))
            groups.insert(0, (chosen_title, [choice]))
        form.fields["timezone"].widget.choices = [  # type: ignore[attr-defined]
            (title, [(choice.name, choice.label) for choice in choices])
            for title, choices in groups
            if choices
        ]

    def clean_phone(self) -> str:
        form: forms.Form = self  # type: ignore[assignment]
        try:
            return normalise_phone(form.cleaned_data["phone"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class PatientSettingsForm(ZoneAndPhoneMixin, forms.Form):
    """What patients set for themselves on their settings page. The time zone is a short menu
    of likely zones (``search`` adds the zones matching a word, first)."""

    name = forms.CharField(
        label=gettext_lazy("Full name"), max_length=150, validators=[validate_name]
    )
    preferred_name = forms.CharField(
        label=gettext_lazy("What should we call you? (optional)"),
        max_length=80,
        required=False,
        validators=[validate_name],
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    call_time = forms.CharField(
        label=gettext_lazy("Best time to call (optional)"),
        max_length=80,
        required=False,
        validators=[validate_plain_text],
        help_text=gettext_lazy("For example “mornings” or “after 2pm”."),
    )
    sites = SitesField(
        help_text=gettext_lazy(
            "Tick the places your care team has told you about. This decides which "
            "symptoms we ask about first."
        )
    )
    timezone = forms.CharField(
        label=gettext_lazy("Your time zone"),
        max_length=64,
        validators=[validate_timezone],
        widget=forms.Select,
        help_text=gettext_lazy("Reminders arrive at the right time where you are."),
    )
    log_reminder_time = forms.TimeField(
        label=gettext_lazy("Daily reminder to log how you feel"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("We only remind you if you have not logged that day."),
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
            current_zone=current_zone, search=search, now=now, chosen_title=_("Your choice")
        )
        region = settings.PHONENUMBER_DEFAULT_REGION
        self.fields["phone"].help_text = _(
            "Your care team uses this to phone you about urgent symptoms. If it is not a "
            "%(country)s number, start with + and the country code."
        ) % {"country": timezones.country_name(region)}


class AccountForm(forms.Form):
    """Care staff change only their name here; roles and teams are set by an administrator."""

    name = forms.CharField(
        label=gettext_lazy("Full name"), max_length=150, validators=[validate_name]
    )


class PatientAdminChangeForm(forms.ModelForm):
    """Admin's form for a patient's profile: sites as tick boxes, time zones from a list."""

    sites = SitesField(label=gettext_lazy("Metastasis sites"))
    timezone = forms.ChoiceField()

    class Meta:
        model = PatientProfile
        fields = PROFILE_FORM_FIELDS

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()
        self.fields["care_team"].queryset = CareTeam.objects.order_by("name")
        self._stored_dates = {
            name: getattr(self.instance, name) for name in services.DATE_WINDOW_FIELDS
        }

    def _get_validation_exclusions(self) -> set[str]:
        # As the service: a stored date outside its window stays when something else changes.
        # Compared with the stored value, not changed_data: a field with a default counts as
        # changed whenever the form's hidden initial value is missing.
        exclude = super()._get_validation_exclusions()
        exclude.update(
            name
            for name, stored in self._stored_dates.items()
            if self.instance.pk is not None and self.cleaned_data.get(name) == stored
        )
        return exclude


class PatientAdminAddForm(PatientAdminChangeForm):
    """Admin's one form for a new patient: login, profile and care team together."""

    email = forms.EmailField(label=gettext_lazy("Email address"))
    name = forms.CharField(
        label=gettext_lazy("Full name"), max_length=150, validators=[validate_name]
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Leave empty to email the patient a link to choose their own password."
        ),
    )

    def clean_email(self) -> str:
        try:
            return services.new_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["email"]) from None

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The model's own validators, field by field, since _post_clean (which would run them)
        # cannot: a bad value is shown by its field instead of failing in the service.
        for name, field in self.fields.items():
            if name in PROFILE_FORM_FIELDS:
                model_field = PatientProfile._meta.get_field(name)
                field.validators = [*field.validators, *model_field._validators]

    def _post_clean(self) -> None:
        # The profile's user does not exist yet; the enrolment service validates the rest.
        pass


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean(self) -> dict:
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and role != "admin" and (cleaned.get("is_staff") or cleaned.get("is_superuser")):
            raise forms.ValidationError(
                _("Only administrators may have staff or superuser access. Change the role first.")
            )
        return cleaned


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Password reset that also reaches invited patients who have not chosen a password yet."""

    def get_users(self, email: str):  # type: ignore[override]
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        """In the person's own language when they have chosen one; else in the page's."""
        context = kwargs["context"] if "context" in kwargs else args[2]
        user = context["user"]  # type: ignore[index]
        language = language_of(user) if getattr(user, "language", "") else get_language()
        with translation.override(language):
            super().send_mail(*args, **kwargs)  # type: ignore[arg-type]


class TwoStepCodeForm(forms.Form):
    """One code: six digits from the authenticator app or, at sign-in, a recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: object, label: str = "", help_text: str = "", **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if label:
            self.fields["code"].label = label
        self.fields["code"].help_text = help_text
