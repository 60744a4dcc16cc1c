"""Admin for people and care teams. Which patients an admin user sees comes from accounts.access.

Opening a patient's details here is noted in the record access log (``RecordAccessAdminMixin``,
also used by the admin pages of patients' logs, flags and appointments). The log itself is
read-only here, as it is in the database.
"""

from __future__ import annotations

from typing import Any

from auditlog import admin as auditlog_admin
from auditlog.models import LogEntry as AuditLogEntry
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.paginator import Paginator
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, credentials, selectors, services, two_step
from accounts.forms import (
    PatientAdminAddForm,
    PatientAdminChangeForm,
    UserAdminChangeForm,
    UserAdminCreationForm,
)
from accounts.models import CareTeam, PatientProfile, RecordAccess, RecordAccessKind, Role, User


class RecordAccessAdminMixin:
    """For a ModelAdmin of something that belongs to one patient: each time a member of staff
    opens its change page (GET), one row goes into the record access log for that patient, and
    each time they open its list, one row for each patient on the page shown (a list: at most
    once an hour per patient for the same address, see ``record_access``). Saving the page
    (POST) is audited by django-auditlog instead."""

    def record_patient_id(self, obj: Model) -> int | None:
        """Whose record ``obj`` is part of (a patient's user id), or None if nobody's."""
        return getattr(obj, "patient_id", None)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        if request.method == "GET":
            shown = (self.record_patient_id(obj) for obj in changelist.result_list)
            services.record_access(
                request=request,
                patient_ids=[pk for pk in shown if pk is not None],
                what=RecordAccessKind.ADMIN,
                listing=True,
            )
        return changelist

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Model | None = None,
    ) -> HttpResponse:
        if request.method == "GET" and change and obj is not None:
            patient_id = self.record_patient_id(obj)
            if patient_id is not None:
                services.record_access(
                    request=request, patient_ids=[patient_id], what=RecordAccessKind.ADMIN
                )
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )


_PROFILE_FIELDSETS = (
    (
        "Identity and contact",
        {"fields": ("date_of_birth", "hospital_number", "phone", "call_time")},
    ),
    ("Care", {"fields": ("care_team", "sites", "timezone", "log_reminder_time")}),
    ("Restaging", {"fields": ("restaging_interval_weeks", "enrolled_on")}),
    (
        "Tumour biology and treatment",
        {
            "fields": (
                "hormone_receptor_status",
                "her2_status",
                "pik3ca_status",
                "pd_l1_status",
                "current_treatment",
            )
        },
    ),
)


@admin.register(User)
class UserAdmin(RecordAccessAdminMixin, DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("email", "name", "role", "is_active", "last_login", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "two_step_status")
    actions = ["sign_out_everywhere", "reset_two_step"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "role", "language")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "two_step_status")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups",)

    def record_patient_id(self, obj: User) -> int | None:
        return obj.pk if obj.role == Role.PATIENT else None

    @admin.action(description="Sign out everywhere (every device, the app and the web)")
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        people = list(queryset)
        for user in people:
            credentials.sign_out_everywhere(user=user)
        self.message_user(
            request,
            f"Signed out everywhere: {len(people)} {'person' if len(people) == 1 else 'people'}. "
            "They sign in again with their password.",
        )

    @admin.display(description="Two-step sign-in")
    def two_step_status(self, user: User) -> str:
        if user.role == Role.PATIENT:
            return "Not used for patients"
        if two_step.authenticator_for(user) is not None:
            left = two_step.recovery_codes_left(user)
            return f"On (authenticator app; {left} recovery code{'s' if left != 1 else ''} left)"
        return "Not set up yet: asked at their next sign-in"

    @admin.action(description="Reset two-step sign-in (lost or new phone)")
    def reset_two_step(self, request: HttpRequest, queryset) -> None:
        """Removes the person's authenticator app and recovery codes; they set up the app again
        at their next request. Each reset is written to the person's audit trail and history."""
        done = []
        for user in queryset.exclude(role=Role.PATIENT):
            if two_step.two_step_reset(user=user, by=request.user):
                self.log_change(request, user, "Reset two-step sign-in.")
                done.append(user.get_full_name())
        if done:
            self.message_user(
                request,
                "Two-step sign-in reset for "
                + ", ".join(done)
                + ". They set up their authenticator app again the next time they sign in.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, "Nobody selected had two-step sign-in set up.", messages.WARNING
            )


def _site_labels(profile: PatientProfile) -> str:
    """ "Bone, Brain": the sites as people say them, never the stored JSON list."""
    return ", ".join(profile.site_labels) or "—"


class PatientInline(admin.TabularInline):
    model = PatientProfile
    fields = ("user", "site_list", "timezone", "enrolled_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Sites")
    def site_list(self, profile: PatientProfile) -> str:
        return _site_labels(profile)


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "coordinator_count", "patient_count", "created_at")
    search_fields = ("name", "coordinators__email", "coordinators__name")
    filter_horizontal = ("coordinators",)
    inlines = [PatientInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _coordinators=Count("coordinators", distinct=True),
                _patients=Count("patients", distinct=True),
            )
        )

    @admin.display(description="Coordinators", ordering="_coordinators")
    def coordinator_count(self, team: CareTeam) -> int:
        return team._coordinators

    @admin.display(description="Patients", ordering="_patients")
    def patient_count(self, team: CareTeam) -> int:
        return team._patients


@admin.register(PatientProfile)
class PatientProfileAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    """Patients. Adding one here creates the login, the profile and the team membership."""

    form = PatientAdminChangeForm
    list_display = ("user", "care_team", "site_list", "timezone", "enrolled_on")
    list_filter = ("care_team", "her2_status", "hormone_receptor_status", "timezone")
    search_fields = ("user__email", "user__name", "preferred_name", "hospital_number")
    list_select_related = ("user", "care_team")
    date_hierarchy = "enrolled_on"
    readonly_fields = ("user",)
    fieldsets = ((None, {"fields": ("user", "preferred_name")}), *_PROFILE_FIELDSETS)
    add_fieldsets = (
        ("Login", {"fields": ("email", "name", "preferred_name", "password")}),
        *_PROFILE_FIELDSETS,
    )

    def get_queryset(self, request):
        return access.visible_profiles(request.user).select_related("user", "care_team")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PatientAdminAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = dict(form.cleaned_data)
        user = services.patient_enrol(
            email=data.pop("email"),
            name=data.pop("name"),
            password=data.pop("password") or None,
            care_team=data.pop("care_team"),
            timezone=data.pop("timezone"),
            sites=data.pop("sites"),
            **data,
        )
        return user.patient_profile

    def save_model(self, request, obj, form, change):
        if change:  # the same action as the patient's settings: reminders and flags follow
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.patient_profile_update(profile=obj, **changes)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def record_patient_id(self, obj: PatientProfile) -> int | None:
        return obj.pk

    @admin.display(description="Sites")
    def site_list(self, profile: PatientProfile) -> str:
        return _site_labels(profile)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no adding, changing or deleting here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RecordAccessPaginator(Paginator):
    """Counting every row of a log of millions takes seconds: the whole log's count is the
    planner's estimate once it passes ``EXACT_UP_TO``; a filtered or searched list counts."""

    EXACT_UP_TO = 100_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            estimate = selectors.record_access_estimated_rows()
            if estimate is not None and estimate > self.EXACT_UP_TO:
                return estimate
        return super().count


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    """Who looked at which patient's record. To read only: nobody adds, changes or deletes a
    row here (and the database refuses to change or delete one anyway)."""

    list_display = ("at", "viewer_label", "patient", "what", "path", "ip_address", "request_id")
    # Date ranges, not date_hierarchy: its year and month links read every row's date.
    list_filter = ("what", ("at", admin.DateFieldListFilter))
    paginator = RecordAccessPaginator
    search_fields = ("viewer_name", "viewer_email", "path", "request_id", "patient__email")
    list_select_related = ("patient",)
    fields = (
        "at",
        "viewer",
        "viewer_name",
        "viewer_email",
        "viewer_role",
        "patient",
        "what",
        "path",
        "ip_address",
        "request_id",
    )
    actions = None
    show_full_result_count = False  # the log only grows: skip counting all of it per page

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return access.is_admin(request.user)


# django-otp's device pages would show secrets and let anyone with admin add an app for someone
# else; an administrator resets a person's two-step sign-in from the people list instead.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

# django-auditlog's own admin searches ``actor__first_name``; our users have a single ``name``.
admin.site.unregister(AuditLogEntry)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(auditlog_admin.LogEntryAdmin):
    search_fields = ["object_repr", "changes", "actor__email", "actor__name"]
