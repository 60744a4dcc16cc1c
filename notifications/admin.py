"""Admin for the outbox: find a message, see why it failed, and send it again.

Rows are written by services only: the content is read-only here, nobody adds a message by hand,
and "Retry now" goes through ``services.notifications_retry``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import services
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "recipient",
        "kind",
        "channel",
        "status",
        "due_at",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "channel", "kind", "subject_type")
    search_fields = ("recipient__email", "recipient__name", "key", "title")
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"
    ordering = ("-due_at", "-pk")
    actions = ["retry_now"]
    fieldsets = (
        ("Message", {"fields": ("recipient", "kind", "channel", "title", "body", "link")}),
        ("About", {"fields": ("key", "subject_type", "subject_id")}),
        (
            "Sending",
            {
                "fields": (
                    "status",
                    "due_at",
                    "attempts",
                    "last_error",
                    "claimed_until",
                    "claim_token",
                    "sent_at",
                    "read_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = tuple(name for _title, options in fieldsets for name in options["fields"])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are planned by the app, never typed in

    @admin.display(description=gettext_lazy("Last error"))
    def short_error(self, notification: Notification) -> str:
        error = notification.last_error
        return error if len(error) <= 80 else f"{error[:79]}…"

    @admin.action(
        description=gettext_lazy("Retry now (failed, or waiting to retry)"), permissions=["change"]
    )
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = services.notifications_retry(ids=ids)
        text = _("%(count)s message(s) will be sent at the next dispatch.") % {"count": count}
        if len(ids) > count:
            text += " " + _("%(left)s left alone: sent, cancelled, skipped or being sent.") % {
                "left": len(ids) - count
            }
        self.message_user(request, text, messages.SUCCESS if count else messages.WARNING)
