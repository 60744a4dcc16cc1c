"""Admin for flags and the rules' thresholds. Flags change only through the flag services (the
same as the record page and the API); every change is audited by django-auditlog. Opening a
patient's flag here is noted in the record access log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.admin import RecordAccessAdminMixin
from flags import services
from flags.models import Flag, FlagThresholds


@admin.register(FlagThresholds)
class FlagThresholdsAdmin(admin.ModelAdmin):
    """The one row of rule thresholds. Changes apply from the next evaluation."""

    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not FlagThresholds.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    """Read-only: flags are raised by the rules and handled through the actions."""

    list_display = ("title", "patient", "rule", "level", "status", "opened_at", "updated_at")
    list_filter = ("status", "level", "rule")
    search_fields = ("patient__email", "patient__name", "title", "subject")
    list_select_related = ("patient",)
    date_hierarchy = "opened_at"
    actions = ["acknowledge", "resolve"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Flag._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _act(self, request, queryset, action, verb: str) -> None:
        done = 0
        for flag in queryset:
            try:
                action(flag=flag, by=request.user, note=f"{verb.capitalize()} in admin.")
            except ValidationError as error:
                self.message_user(request, f"{flag}: {error.messages[0]}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"{verb.capitalize()}: {done} flag(s).", messages.SUCCESS)

    @admin.action(description="Acknowledge the selected open flags")
    def acknowledge(self, request, queryset):
        self._act(request, queryset, services.flag_acknowledge, "acknowledged")

    @admin.action(description="Resolve the selected flags")
    def resolve(self, request, queryset):
        self._act(request, queryset, services.flag_resolve, "resolved")
