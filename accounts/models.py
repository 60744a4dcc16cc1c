"""People: users with a role, patient profiles and care teams.

A patient is identified everywhere by their user id; ``PatientProfile`` uses the user as its
primary key so the two numbers are the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from accounts.choices import (
    HER2Status,
    HormoneReceptorStatus,
    MetastasisSite,
    MutationStatus,
    PDL1Status,
    Role,
)
from accounts.tokens import session_auth_hash
from accounts.validators import (
    validate_date_of_birth,
    validate_enrolled_on,
    validate_metastasis_sites,
    validate_name,
    validate_phone,
    validate_plain_text,
    validate_timezone,
)
from lib.clock import local_today, zone_info

__all__ = [
    "ApiToken",
    "CareTeam",
    "CarerLink",
    "MetastasisSite",
    "PatientProfile",
    "RecordAccess",
    "RecordAccessKind",
    "Role",
    "User",
]


class EmailUserManager(UserManager):
    """Users log in with their email address, matched without regard to case."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):  # type: ignore[override]
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """Everyone who logs in: patients, care coordinators and administrators."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField("full name", max_length=150, blank=True, validators=[validate_name])
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    # Blank: the browser's language (Accept-Language), else English. A choice wins over the
    # browser, on pages and in the API alike (lib.i18n, accounts.middleware).
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("Blank: the language of the person's browser."),
    )
    sign_outs = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many times this person signed out everywhere; part of what every "
        "session and API token is bound to.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Staff access follows the admin role and nothing else.
            models.CheckConstraint(
                condition=models.Q(is_staff=False, is_superuser=False) | models.Q(role="admin"),
                name="user_only_admins_are_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    # Sessions and API tokens are bound to this hash: see accounts.tokens.
    def get_session_auth_hash(self) -> str:
        return session_auth_hash(password=self.password, sign_outs=self.sign_outs)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield session_auth_hash(password=self.password, sign_outs=self.sign_outs, secret=secret)

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_carer(self) -> bool:
        return self.role == Role.CARER


class CareTeam(models.Model):
    """A named team. Each patient belongs to one; a coordinator may belong to several."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_name])
    coordinators = models.ManyToManyField(
        User,
        related_name="care_teams",
        blank=True,
        limit_choices_to={"role": Role.COORDINATOR},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_log_reminder_time() -> dt.time:
    return dt.time(19, 0)


class PatientProfile(models.Model):
    """What the care team and the app need to know about a patient."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="patient_profile",
        limit_choices_to={"role": Role.PATIENT},
    )
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="patients")
    preferred_name = models.CharField(
        max_length=80,
        blank=True,
        validators=[validate_name],
        help_text="What the patient likes to be called; the full name is used when empty.",
    )
    # How the care team reaches the patient about urgent symptoms (CLINICAL.md, "The urgent loop").
    phone = PhoneNumberField(
        blank=True,
        validators=[validate_phone],
        help_text="Stored in international form, e.g. +447911123456.",
    )
    call_time = models.CharField(
        "best time to call",
        max_length=80,
        blank=True,
        validators=[validate_plain_text],
        help_text="In the patient's words, e.g. “mornings” or “after 2pm”.",
    )
    # For the visit summary a clinician files: who the patient is, beyond their name.
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    hospital_number = models.CharField(
        max_length=32,
        blank=True,
        validators=[validate_plain_text],
        help_text="The hospital's number for the patient, e.g. NHS number or MRN.",
    )
    sites = models.JSONField(
        "metastasis sites",
        default=list,
        blank=True,
        validators=[validate_metastasis_sites],
        help_text="Known metastasis sites: any of bone, brain, liver, lung.",
    )
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    log_reminder_time = models.TimeField(default=default_log_reminder_time)
    restaging_interval_weeks = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(4), MaxValueValidator(26)],
        help_text="Weeks between restaging visits (usually 8 to 16).",
    )
    enrolled_on = models.DateField(
        default=django_timezone.localdate, validators=[validate_enrolled_on]
    )
    hormone_receptor_status = models.CharField(
        max_length=16, choices=HormoneReceptorStatus.choices, default=HormoneReceptorStatus.UNKNOWN
    )
    her2_status = models.CharField(
        "HER2 status", max_length=16, choices=HER2Status.choices, default=HER2Status.UNKNOWN
    )
    pik3ca_status = models.CharField(
        "PIK3CA status",
        max_length=16,
        choices=MutationStatus.choices,
        default=MutationStatus.UNKNOWN,
    )
    pd_l1_status = models.CharField(
        "PD-L1 status", max_length=16, choices=PDL1Status.choices, default=PDL1Status.UNKNOWN
    )
    current_treatment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(restaging_interval_weeks__gte=4)
                & models.Q(restaging_interval_weeks__lte=26),
                name="profile_restaging_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.user.get_short_name()

    @property
    def zone(self) -> ZoneInfo:
        return zone_info(self.timezone)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        """Today's date where the patient is (their logs and reminders follow this)."""
        return local_today(now or django_timezone.now(), self.timezone)

    @property
    def site_labels(self) -> list[str]:
        return [MetastasisSite(code).label for code in self.sites]


class RecordAccessKind(models.TextChoices):
    """What a member of staff looked at. The labels are for staff (the record, admin) and speak
    about the patient; the patient's own page uses ``RECORD_ACCESS_PATIENT_WORDS``."""

    PANEL = "panel", "Saw the patient in their list of patients"
    RECORD = "record", "Opened the record"
    FLAGS = "flags", "Looked at the patient's flags"
    APPOINTMENTS = "appointments", "Looked at the patient's appointments"
    ADMIN = "admin", "Opened the patient's details in the admin pages"
    EXPORT = "export", "Exported the patient's record (FHIR)"
    # A carer's looks (CarerLink): the patient's own pages, opened on the patient's behalf.
    HISTORY = "history", "Looked at the patient's symptom history"
    LOG = "log", "Opened the patient's daily log"


# The same looks, told to the patient on their settings page ("Who has looked at your record").
RECORD_ACCESS_PATIENT_WORDS = {
    RecordAccessKind.PANEL: "Saw you in their list of patients",
    RecordAccessKind.RECORD: "Opened your record",
    RecordAccessKind.FLAGS: "Looked at your flags",
    RecordAccessKind.APPOINTMENTS: "Looked at your appointments",
    RecordAccessKind.ADMIN: "Opened your details in the admin pages",
    RecordAccessKind.EXPORT: "Copied your record to the hospital's system",
    RecordAccessKind.HISTORY: "Looked at your symptom history",
    RecordAccessKind.LOG: "Opened your daily log",
}


class CarerLink(models.Model):
    """A carer's account, linked to the one patient who chose them, with the rights the patient
    gave. The carer's own login: nothing is done with the patient's password.

    A carer account belongs to one patient only (one link per carer, for ever; asking again
    after a revocation opens the same link again). Revoking sets ``revoked_at``: every page and
    API call checks the link on each request, so it takes effect at once.
    """

    patient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="carer_links",
        limit_choices_to={"role": Role.PATIENT},
    )
    carer = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="carer_link",
        limit_choices_to={"role": Role.CARER},
    )
    can_log = models.BooleanField(
        "may log symptoms for the patient",
        default=False,
        help_text="Fill in the daily log on the patient's behalf (each log says who entered it).",
    )
    can_view_record = models.BooleanField(
        "may see history, flags and advice",
        default=False,
        help_text="See the patient's symptom history, flags and the advice that goes with them.",
    )
    can_view_appointments = models.BooleanField(
        "may see appointments", default=False, help_text="See the patient's appointments."
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A coordinator may invite a carer only because the patient asked: what the patient said.
    patients_word = models.CharField(
        "the patient's request",
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
        help_text="When a coordinator invites for the patient: when and how the patient asked.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["patient", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(patient=models.F("carer")), name="carer_is_not_the_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carer} helps {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RecordAccess(models.Model):
    """One view of one patient's record by a member of staff: who, which patient, what, when,
    the request id and the client's address. Append-only: the database refuses to change or
    delete a row, and no page offers to.

    The two people are kept by id without a foreign-key constraint and the viewer's name, email
    and role are copied, so the trail outlives a deleted account.
    """

    viewer = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The member of staff who looked.",
    )
    viewer_name = models.CharField(max_length=150, blank=True, help_text="Their name then.")
    viewer_email = models.EmailField(help_text="Their email address then.")
    viewer_role = models.CharField(
        max_length=20, choices=Role.choices, help_text="Their role then."
    )
    patient = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    what = models.CharField(max_length=20, choices=RecordAccessKind.choices)
    path = models.CharField(max_length=300, help_text="The page or API address.")
    at = models.DateTimeField(default=django_timezone.now)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "record access"
        verbose_name_plural = "record access log"
        indexes = [
            models.Index(fields=["patient", "-at"], name="record_access_patient_at"),
            models.Index(fields=["viewer", "-at"], name="record_access_viewer_at"),
        ]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{self.viewer_label} · {self.what} · patient {self.patient_id} · {when}"

    @property
    def viewer_label(self) -> str:
        """ "Ann Nurse <ann@example.org> (Care coordinator)", for the care team and admins."""
        name = self.viewer_name or self.viewer_email
        return f"{name} <{self.viewer_email}> ({self.get_viewer_role_display()})"


class SignInWindow(models.Model):
    """Sign-in requests from one client in one window of the login rate, counted here only
    while the cache (Redis) is down, so the rate limit still holds (accounts/throttling.py)."""

    key = models.CharField(max_length=200, help_text="The throttle's key: scope and client.")
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="sign_in_window_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="sign_in_window_start")]

    def __str__(self) -> str:
        return f"{self.key} · {self.window_start:%Y-%m-%d %H:%M:%S} · {self.hits}"


class ApiToken(models.Model):
    """One device's API sign-in. Only a digest of the key is kept; the key is shown once.

    A token works until ``expires_at``, and only while its user's session auth hash is still
    ``user_hash``: a password change or a sign-out everywhere ends it (accounts.tokens)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    device = models.CharField(max_length=64, blank=True, help_text="The name the app gave.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    user_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user} · {self.device or 'API token'} · until {self.expires_at:%Y-%m-%d}"
