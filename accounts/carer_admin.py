"""Carer links in Django admin: to look up and to revoke (through accounts.carers, so that the
carer is signed out at once and the change is audited). Links are made by the patient or their
care team on their pages, never here, and never deleted: the history stays."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import carers
from accounts.models import CarerLink


class ActiveFilter(admin.SimpleListFilter):
    title = "access"
    parameter_name = "access"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(CarerLink)
class CarerLinkAdmin(admin.ModelAdmin):
    list_display = ("patient", "carer", "rights", "status", "created_at")
    list_filter = (ActiveFilter,)
    search_fields = ("patient__email", "patient__name", "carer__email", "carer__name")
    list_select_related = ("patient", "carer")
    readonly_fields = (
        "patient",
        "carer",
        "can_log",
        "can_view_record",
        "can_view_appointments",
        "invited_by",
        "patients_word",
        "created_at",
        "updated_at",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # rights change on the patient's or the care team's pages, never here

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Rights")
    def rights(self, link: CarerLink) -> str:
        return ", ".join(carers.rights_of(link)) or "none"

    @admin.display(description="Access")
    def status(self, link: CarerLink) -> str:
        if link.is_active:
            return "Active"
        return f"Revoked {link.revoked_at:%d %b %Y %H:%M}"

    @admin.action(description="Revoke (signs the carer out everywhere at once)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[CarerLink]) -> None:
        done = 0
        for link in queryset.filter(revoked_at__isnull=True).select_related("patient", "carer"):
            carers.carer_revoke(link=link, by=request.user)
            self.log_change(request, link, "Revoked.")
            done += 1
        self.message_user(
            request,
            f"Revoked {done} carer{'s' if done != 1 else ''}; each was signed out everywhere.",
            messages.SUCCESS if done else messages.WARNING,
        )
