"""Admin for the symptom catalogue and daily logs.

Catalogue edits (codes included) clear the cached catalogue. Logs are saved through
``services.daily_log_save``, the same checks as the log page and the API, so admin cannot store
what a patient could not.
Opening a patient's log or flag here is noted in the record access log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from modeltranslation.admin import TranslationAdmin

from accounts import access
from accounts.admin import RecordAccessAdminMixin
from symptoms import services
from symptoms.models import DailyLog, LogEntry, Site, Symptom


@admin.register(Site)
class SiteAdmin(TranslationAdmin):
    list_display = ("code", "name", "is_metastasis_site", "display_order", "symptom_count")
    list_editable = ("display_order",)
    search_fields = ("code", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_symptoms=Count("symptoms"))

    @admin.display(description="Symptoms", ordering="_symptoms")
    def symptom_count(self, site: Site) -> int:
        return site._symptoms

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.symptom_changed()


CODE_FIELDS = ("loinc_code", "loinc_display", "proctcae_term", "proctcae_attribute")


class SymptomAdminForm(forms.ModelForm):
    """The catalogue form, with plain errors for codes that only make sense together (the
    database refuses them too: a term needs its attribute, a LOINC name needs its code)."""

    class Meta:
        model = Symptom
        fields = [
            "code",
            "name",
            "site",
            "kind",
            "red_flag",
            "help_text",
            "display_order",
            "active",
            *CODE_FIELDS,
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        term, attribute = cleaned.get("proctcae_term"), cleaned.get("proctcae_attribute")
        if term and not attribute and "proctcae_attribute" not in self.errors:
            self.add_error(
                "proctcae_attribute",
                "Choose which PRO-CTCAE question this symptom asks about that term (severity, "
                "frequency, ...), or clear the term.",
            )
        if attribute and not term and "proctcae_term" not in self.errors:
            self.add_error(
                "proctcae_term",
                "Type the PRO-CTCAE term this question belongs to (e.g. Fatigue), or clear the "
                "attribute.",
            )
        code, display = cleaned.get("loinc_code"), cleaned.get("loinc_display")
        if display and not code and "loinc_code" not in self.errors:
            self.add_error(
                "loinc_code",
                "Type the LOINC code that goes with this name (e.g. 8310-5), or clear the name.",
            )
        return cleaned


class HasCodeFilter(admin.SimpleListFilter):
    """Yes / no: does the symptom carry this kind of code?"""

    field: str

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(**{self.field: ""})
        if self.value() == "no":
            return queryset.filter(**{self.field: ""})
        return queryset


class HasLoincFilter(HasCodeFilter):
    title = "has a LOINC code"
    parameter_name = "has_loinc"
    field = "loinc_code"


class HasProCtcaeFilter(HasCodeFilter):
    title = "has a PRO-CTCAE term"
    parameter_name = "has_proctcae"
    field = "proctcae_term"


@admin.register(Symptom)
class SymptomAdmin(TranslationAdmin):
    form = SymptomAdminForm
    list_display = (
        "name",
        "code",
        "site",
        "kind",
        "red_flag",
        "active",
        "display_order",
        "codes",
    )
    list_filter = ("active", "site", "kind", "red_flag", HasLoincFilter, HasProCtcaeFilter)
    search_fields = ("code", "name", "help_text", "loinc_code", "proctcae_term")
    list_select_related = ("site",)
    actions = ["retire", "restore"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "site",
                    "kind",
                    "red_flag",
                    "help_text",
                    "display_order",
                    "active",
                )
            },
        ),
        (
            "Codes",
            {
                "fields": CODE_FIELDS,
                "description": "Standard codes a hospital's record understands, shown in the API "
                "and the FHIR export. Leave a pair blank where no code means exactly what this "
                "symptom asks.",
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Codes and kinds are what old entries mean: fixed once a symptom exists.
        return ("code", "kind") if obj else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire instead: history keeps its meaning

    @admin.display(description="Codes")
    def codes(self, symptom: Symptom) -> str:
        parts = []
        if symptom.loinc_code:
            parts.append(f"LOINC {symptom.loinc_code}")
        if symptom.proctcae_term:
            parts.append(f"PRO-CTCAE {symptom.proctcae_term} ({symptom.proctcae_attribute})")
        return " · ".join(parts) or "-"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.symptom_changed()

    @admin.action(description="Retire: hide from forms, keep history")
    def retire(self, request, queryset):
        for symptom in queryset:
            services.symptom_retire(symptom=symptom)
        self.message_user(request, f"Retired {queryset.count()} symptom(s).", messages.SUCCESS)

    @admin.action(description="Bring back into forms")
    def restore(self, request, queryset):
        queryset.update(active=True)
        services.symptom_changed()
        self.message_user(request, "Restored.", messages.SUCCESS)


class LogEntryInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            self.clean_entries = services.clean_entries(_raw_entries(self))
        except services.LogInputError as error:
            raise ValidationError(error.messages) from None


def _raw_entries(formset: forms.BaseInlineFormSet) -> list[dict]:
    raw = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("symptom"):
            continue
        entry: dict[str, object] = {"symptom": data["symptom"].code}
        if data.get("severity") is not None:
            entry["severity"] = data["severity"]
        if data.get("present") is not None:
            entry["present"] = data["present"]
        if data.get("temperature") is not None:
            entry["value"] = data["temperature"]
        raw.append(entry)
    return raw


class LogEntryInline(admin.TabularInline):
    model = LogEntry
    formset = LogEntryInlineFormSet
    fields = ("symptom", "severity", "present", "temperature")
    extra = 1
    autocomplete_fields = ("symptom",)


class DailyLogAdminForm(forms.ModelForm):
    class Meta:
        model = DailyLog
        fields = ["patient", "date", "notes"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk:  # patient and date are fixed once a log exists
            patient, day = self.instance.patient, self.instance.date
        else:
            patient, day = cleaned.get("patient"), cleaned.get("date")
        profile = getattr(patient, "patient_profile", None) if patient else None
        if patient and profile is None:
            self.add_error("patient", "Only patients keep a symptom log.")
        elif profile and day:
            try:
                services.validate_log_date(day, today=profile.local_today())
            except services.LogInputError as error:
                self.add_error("date", error.messages)
        return cleaned


@admin.register(DailyLog)
class DailyLogAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    form = DailyLogAdminForm
    list_display = ("patient", "date", "entry_count", "updated_at")
    list_filter = ("date",)
    search_fields = ("patient__email", "patient__name")
    date_hierarchy = "date"
    list_select_related = ("patient",)
    inlines = [LogEntryInline]
    raw_id_fields = ("patient",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(patient__in=access.visible_patients(request.user))
            .annotate(_entries=Count("entries"))
        )

    @admin.display(description="Entries", ordering="_entries")
    def entry_count(self, log: DailyLog) -> int:
        return log._entries

    def get_readonly_fields(self, request, obj=None):
        return ("patient", "date") if obj else ()

    def save_model(self, request, obj, form, change):
        pass  # saved with its entries in save_related, through the service

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formset is never saved itself (the service replaces the entries).
        return [{"added": {}}] if add else [{"changed": {"fields": ["notes", "entries"]}}]

    def save_related(self, request, form, formsets, change):
        formset = next(f for f in formsets if isinstance(f, LogEntryInlineFormSet))
        log, _ = services.daily_log_save(
            patient=form.instance.patient if change else form.cleaned_data["patient"],
            date=form.instance.date if change else form.cleaned_data["date"],
            entries=formset.clean_entries,
            notes=form.cleaned_data.get("notes", ""),
        )
        form.instance.pk = log.pk
