"""Admin for patients' record downloads: a read-only list of who asked, when, and how it went.
No file here: administrators never see or download a patient's ZIP."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import access
from accounts.admin import ReadOnlyAdmin
from exports.models import RecordExport


@admin.register(RecordExport)
class RecordExportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "patient",
        "status",
        "requested_at",
        "ready_at",
        "expires_at",
        "size",
        "download_count",
        "last_downloaded_at",
        "attempts",
    )
    list_filter = ("status",)
    search_fields = ("patient__email", "patient__name")
    list_select_related = ("patient",)
    date_hierarchy = "requested_at"
    ordering = ("-requested_at", "-pk")
    fields = (
        "patient",
        "requested_by",
        "requested_at",
        "status",
        "ready_at",
        "expires_at",
        "size",
        "sha256",
        "download_count",
        "last_downloaded_at",
        "attempts",
        "last_error",
    )
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecordExport]:
        # Never read the file into an admin page. Only patients the admin may see.
        return (
            super()
            .get_queryset(request)
            .defer("archive")
            .filter(patient__in=access.visible_patients(request.user))
        )
