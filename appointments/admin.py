"""Admin for the resource library, scan check-ins, calendar feeds and appointments.

Resources are edited here. Everything else is read-only: appointments change through
appointments.services (which moves their reminders with them), so admin offers only a cancel
action that calls the service; check-ins are the patient's own answers; feed tokens are secrets.
Which patients' rows an admin user sees comes from accounts.access; opening one patient's
appointment or check-in is noted in the record access log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from accounts import access
from accounts.admin import ReadOnlyAdmin, RecordAccessAdminMixin
from appointments import services
from appointments.choices import ResourceTag
from appointments.models import Appointment, AppointmentStatus, CalendarFeed, Resource, ScanCheckIn
from appointments.support import selectors as support_selectors
from appointments.support.services import HIGH_ANXIETY
from appointments.validators import validate_resource_tags

# --- Resources ------------------------------------------------------------------------------


class ResourceAdminForm(forms.ModelForm):
    """Tags as a main topic (where the Resources page lists it) plus any others, stored in the
    model's ``tags`` list with the main topic first. The model's tag validator still runs."""

    link = forms.URLField(required=False, assume_scheme="https")
    topic = forms.ChoiceField(
        label=_("Main topic"),
        choices=[("", _("(none)")), *ResourceTag.choices],
        required=False,
        help_text=_("Where the Resources page lists it."),
    )
    other_tags = forms.MultipleChoiceField(
        label=_("Also shown for"),
        choices=ResourceTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Scan anxiety: the scan support page. Mental health, support and scan anxiety: "
            "the post-scan check-in."
        ),
    )

    class Meta:
        model = Resource
        fields = ["title", "body", "link", "topic", "other_tags", "display_order", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = list(self.instance.tags or [])
        if tags:
            self.initial.setdefault("topic", tags[0])
            self.initial.setdefault("other_tags", tags[1:])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        topic = cleaned.get("topic") or ""
        others = [tag for tag in cleaned.get("other_tags") or [] if tag != topic]
        tags = [topic, *others] if topic else others
        try:
            validate_resource_tags(tags)  # model validation skips fields not on the form
        except ValidationError as error:
            self.add_error(None, error)
        self.instance.tags = tags
        return cleaned


class TagFilter(admin.SimpleListFilter):
    """Filter by one tag (tags are a JSON list, so the built-in field filter cannot)."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return list(ResourceTag.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if value in ResourceTag.values:
            return support_selectors.with_tag(queryset, value)
        return None


@admin.register(Resource)
class ResourceAdmin(TranslationAdmin):
    form = ResourceAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "tag_list", "display_order", "active", "updated_at")
    list_editable = ("display_order", "active")
    list_filter = ("active", TagFilter)
    search_fields = ("title", "body")
    actions = ["show", "hide"]
    fieldsets = (
        (None, {"fields": ("title", "body", "link")}),
        (_("Where it appears"), {"fields": ("topic", "other_tags", "display_order", "active")}),
    )

    @admin.display(description=_("Tags"))
    def tag_list(self, resource: Resource) -> str:
        labels = dict(ResourceTag.choices)
        return ", ".join(str(labels.get(tag, tag)) for tag in resource.tags) or "—"

    @admin.action(description=_("Show to patients"))
    def show(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        count = queryset.update(active=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d resource shown to patients.",
                "%(count)d resources shown to patients.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Hide from patients"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        count = queryset.update(active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d resource hidden from patients.",
                "%(count)d resources hidden from patients.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# --- Read-only records ----------------------------------------------------------------------


class HighAnxietyFilter(admin.SimpleListFilter):
    title = _("anxiety")
    parameter_name = "anxiety"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("high", gettext("%(score)d or more") % {"score": HIGH_ANXIETY}),
            ("lower", gettext("Below %(score)d") % {"score": HIGH_ANXIETY}),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "high":
            return queryset.filter(anxiety__gte=HIGH_ANXIETY)
        if self.value() == "lower":
            return queryset.filter(anxiety__lt=HIGH_ANXIETY)
        return None


@admin.register(ScanCheckIn)
class ScanCheckInAdmin(RecordAccessAdminMixin, ReadOnlyAdmin):
    """Patients' answers to the post-scan check-in. Administrators only."""

    list_display = ("patient", "appointment", "anxiety", "has_note", "updated_at")
    list_filter = (HighAnxietyFilter,)
    search_fields = ("patient__email", "patient__name")
    list_select_related = ("patient", "appointment")
    fields = ("patient", "appointment", "anxiety", "note", "created_at", "updated_at")

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return access.is_admin(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_admin(request.user) and super().has_module_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScanCheckIn]:
        return (
            super().get_queryset(request).filter(patient__in=access.visible_patients(request.user))
        )

    @admin.display(description=_("Note"), boolean=True)
    def has_note(self, checkin: ScanCheckIn) -> bool:
        return bool(checkin.note)


def masked(token: str) -> str:
    """Enough to tell two feeds apart, never enough to use one."""
    return f"{token[:4]}…" if token else "—"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Calendar feed addresses. The token is a secret: only its first characters are shown;
    patients rotate it on their settings page."""

    list_display = ("patient", "token_start", "rotated_at")
    search_fields = ("patient__email", "patient__name")
    list_select_related = ("patient",)
    fields = ("patient", "token_start", "rotated_at")
    readonly_fields = ("token_start",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarFeed]:
        return (
            super().get_queryset(request).filter(patient__in=access.visible_patients(request.user))
        )

    @admin.display(description=_("Token"))
    def token_start(self, feed: CalendarFeed) -> str:
        return masked(feed.token)


@admin.register(Appointment)
class AppointmentAdmin(RecordAccessAdminMixin, ReadOnlyAdmin):
    """Appointments, to look at. Booking and moving happen on the patient's pages and the API,
    through the appointment services, so reminders always move with the appointment."""

    list_display = ("starts_at", "patient", "kind", "status", "location", "created_by")
    list_filter = ("status", "kind")
    search_fields = ("patient__email", "patient__name", "location")
    list_select_related = ("patient", "created_by")
    date_hierarchy = "starts_at"
    actions = ["cancel"]
    fields = (
        "patient",
        "kind",
        "starts_at",
        "duration_minutes",
        "location",
        "preparation_notes",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    )
    NOTE = _(
        "Read-only here. Book, move and cancel appointments on the appointment pages or through "
        "the API, so their reminders move with them. The cancel action below uses the same "
        "service."
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return (
            super().get_queryset(request).filter(patient__in=access.visible_patients(request.user))
        )

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return access.is_admin(request.user)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(request, {"subtitle": self.NOTE, **(extra_context or {})})

    @admin.action(description=_("Cancel, with their reminders"), permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        count = 0
        for appointment in queryset.filter(status=AppointmentStatus.SCHEDULED):
            services.appointment_cancel(appointment=appointment)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d appointment cancelled, with its reminders.",
                "%(count)d appointments cancelled, with their reminders.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
