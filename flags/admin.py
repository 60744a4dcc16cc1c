"""Admin for flags and the rules' thresholds. Flags change only through the flag services (the
same as the record page and the API); every change is audited by django-auditlog. Opening a
patient's flag here is noted in the record access log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin import RecordAccessAdminMixin
from flags import services
from flags.models import Flag, FlagThresholds
from flags.selectors import flag_staff_title


@admin.register(FlagThresholds)
class FlagThresholdsAdmin(admin.ModelAdmin):
    """The one row of rule thresholds (CLINICAL.md, "Flag rules"), grouped by rule with units.
    The list goes straight to that row, created with the defaults in force on first read.
    Changes apply from the next evaluation and are audited."""

    fieldsets = (
        (gettext_lazy("Fever (urgent)"), {"fields": ("fever_celsius",)}),
        (gettext_lazy("Severe symptom (soon)"), {"fields": ("severe",)}),
        (
            gettext_lazy("Worsening symptom (soon)"),
            {
                "fields": (
                    "worsening_rise",
                    "worsening_floor",
                    "worsening_min_baseline_logs",
                    "worsening_baseline_days",
                )
            },
        ),
        (
            gettext_lazy("Persistent symptom (next visit)"),
            {
                "fields": (
                    "persistent_level",
                    "persistent_count",
                    "persistent_of_last",
                    "persistent_days",
                )
            },
        ),
        (
            gettext_lazy("Symptoms at a new site (soon)"),
            {"fields": ("new_site_level", "new_site_count", "new_site_days")},
        ),
        (gettext_lazy("Distress (soon)"), {"fields": ("distress_level",)}),
        (
            gettext_lazy("Possible high calcium (urgent)"),
            {"fields": ("hypercalcemia_level", "hypercalcemia_days")},
        ),
        (
            gettext_lazy("Red-flag symptoms (urgent, or soon when older)"),
            {"fields": ("recent_red_flag_days",)},
        ),
        (gettext_lazy("Not logging (soon)"), {"fields": ("not_logging_days",)}),
        (gettext_lazy("Restaging overdue (next visit)"), {"fields": ("restaging_grace_days",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = services.thresholds_row()
        return redirect(reverse("admin:flags_flagthresholds_change", args=[row.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_save_and_add_another"] = False
        context["show_delete_link"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Flag)
class FlagAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    """Read-only: flags are raised by the rules and handled through the actions."""

    list_display = ("staff_title", "patient", "rule", "level", "status", "opened_at", "updated_at")
    list_filter = ("status", "level", "rule")
    search_fields = ("patient__email", "patient__name", "title", "subject")
    list_select_related = ("patient",)
    date_hierarchy = "opened_at"
    actions = ["acknowledge", "resolve"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Flag._meta.fields]

    @admin.display(description=gettext_lazy("Flag"), ordering="rule")
    def staff_title(self, flag: Flag) -> str:
        # The stored title speaks to the patient; staff read the rule and what it is about.
        return flag_staff_title(flag.rule, flag.subject)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _act(self, request, queryset, action, verb: str) -> None:
        done = 0
        for flag in queryset:
            try:
                # The note stays in English: the flag's history, read by the whole team.
                action(flag=flag, by=request.user, note=f"{verb.capitalize()} in admin.")
            except ValidationError as error:
                self.message_user(request, f"{flag}: {error.messages[0]}", messages.WARNING)
            else:
                done += 1
        if verb == "acknowledged":
            text = ngettext("Acknowledged: %(count)d flag.", "Acknowledged: %(count)d flags.", done)
        else:
            text = ngettext("Resolved: %(count)d flag.", "Resolved: %(count)d flags.", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Acknowledge the selected open flags"))
    def acknowledge(self, request, queryset):
        self._act(request, queryset, services.flag_acknowledge, "acknowledged")

    @admin.action(description=gettext_lazy("Resolve the selected flags"))
    def resolve(self, request, queryset):
        self._act(request, queryset, services.flag_resolve, "resolved")
