from django.contrib import admin

from followups.models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Read-only: what the workers still owe (normally empty, or a few seconds old)."""

    list_display = ("task", "patient_id", "version", "requested_at", "claimed_until", "attempts")
    list_filter = ("task",)
    readonly_fields = [field.name for field in FollowUp._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
