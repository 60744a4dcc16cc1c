"""Admin for people and care teams. Which patients an admin user sees comes from accounts.access."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from accounts import access, services
from accounts.forms import (
    PatientAdminAddForm,
    PatientAdminChangeForm,
    UserAdminChangeForm,
    UserAdminCreationForm,
)
from accounts.models import CareTeam, PatientProfile, User

_PROFILE_FIELDSETS = (
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
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("email", "name", "role", "is_active", "last_login", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
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


class PatientInline(admin.TabularInline):
    model = PatientProfile
    fields = ("user", "sites", "timezone", "enrolled_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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
class PatientProfileAdmin(admin.ModelAdmin):
    """Patients. Adding one here creates the login, the profile and the team membership."""

    form = PatientAdminChangeForm
    list_display = ("user", "care_team", "site_list", "timezone", "enrolled_on")
    list_filter = ("care_team", "her2_status", "hormone_receptor_status", "timezone")
    search_fields = ("user__email", "user__name", "preferred_name")
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
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description="Sites")
    def site_list(self, profile: PatientProfile) -> str:
        return ", ".join(profile.site_labels) or "—"
