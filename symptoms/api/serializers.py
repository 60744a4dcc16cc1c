"""API input and output shapes for symptoms (see ../shared/API.md, "Symptom catalogue" and
"Daily logs").

Input serializers check only the shape of a request; ``services.daily_log_save`` checks the
contents (dates, symptoms, values), so the web form, admin and the API share one set of rules.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from flags.api.serializers import live_flags_data
from symptoms.catalogue import SymptomInfo
from symptoms.models import (
    SEVERITY_MAX,
    SEVERITY_MIN,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    DailyLog,
    LogEntry,
    ProCtcaeAttribute,
    RedFlag,
    SymptomKind,
)
from symptoms.selectors import entered_by_someone_else
from symptoms.services import NOTES_MAX_LENGTH

# --- The catalogue -------------------------------------------------------------------------------


class LoincSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="A LOINC code, e.g. 8310-5.")
    display = serializers.CharField(read_only=True, help_text="LOINC's long name for it.")


class ProCtcaeSerializer(serializers.Serializer):
    term = serializers.CharField(
        read_only=True, help_text="The PRO-CTCAE symptom term (NCI item library), e.g. Fatigue."
    )
    attribute = serializers.ChoiceField(
        choices=ProCtcaeAttribute.choices,
        read_only=True,
        help_text="Which PRO-CTCAE question about that term this symptom asks.",
    )


class SymptomSerializer(serializers.Serializer):
    """One active symptom from the cached catalogue (a ``SymptomInfo``, not a model)."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    site = serializers.CharField(
        read_only=True, help_text="bone, brain, liver, lung, general or treatment."
    )
    kind = serializers.ChoiceField(
        choices=SymptomKind.choices,
        read_only=True,
        help_text="Which value an entry for this symptom carries: severity (0-10), present "
        "(true/false) or value (temperature in °C).",
    )
    red_flag = serializers.SerializerMethodField(
        help_text="True when having this symptom means calling for help now."
    )
    red_flag_level = serializers.ChoiceField(
        choices=RedFlag.choices, source="red_flag", read_only=True
    )
    help = serializers.CharField(
        source="help_text", read_only=True, help_text="A plain-language description."
    )
    loinc = serializers.SerializerMethodField(
        help_text="The LOINC code for this observation, or null where LOINC has none that "
        "means the same. Severities are on our own 0-10 scale."
    )
    proctcae = serializers.SerializerMethodField(
        help_text="The matching PRO-CTCAE term and attribute, or null where none matches. "
        "Our answers use our own scales (0-10, yes/no), not PRO-CTCAE's five answers."
    )

    def get_red_flag(self, symptom: SymptomInfo) -> bool:
        return symptom.red_flag != RedFlag.NONE

    @extend_schema_field(LoincSerializer(allow_null=True))
    def get_loinc(self, symptom: SymptomInfo) -> dict[str, str] | None:
        if not symptom.loinc_code:
            return None
        return {"code": symptom.loinc_code, "display": symptom.loinc_display}

    @extend_schema_field(ProCtcaeSerializer(allow_null=True))
    def get_proctcae(self, symptom: SymptomInfo) -> dict[str, str] | None:
        if not symptom.proctcae_term:
            return None
        return {"term": symptom.proctcae_term, "attribute": symptom.proctcae_attribute}


# --- Log entries: one of three shapes, by the symptom's kind -------------------------------------


class SeverityEntrySerializer(serializers.Serializer):
    symptom = serializers.CharField(help_text="A symptom code whose kind is severity.")
    severity = serializers.IntegerField(
        min_value=SEVERITY_MIN, max_value=SEVERITY_MAX, help_text="0 (none) to 10 (worst)."
    )


class PresenceEntrySerializer(serializers.Serializer):
    symptom = serializers.CharField(help_text="A symptom code whose kind is presence.")
    present = serializers.BooleanField()


class TemperatureEntrySerializer(serializers.Serializer):
    symptom = serializers.CharField(help_text="A symptom code whose kind is temperature.")
    value = serializers.FloatField(
        min_value=float(TEMPERATURE_MIN),
        max_value=float(TEMPERATURE_MAX),
        help_text="Temperature in °C, one decimal place.",
    )


def _entry_schema() -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="LogEntry",
        serializers=[SeverityEntrySerializer, PresenceEntrySerializer, TemperatureEntrySerializer],
        resource_type_field_name=None,
        many=True,
    )


@extend_schema_field(_entry_schema())
class EntriesField(serializers.ListField):
    """A list of entries, passed on unchanged: the service checks each one against the catalogue
    and reports errors aligned with the entries (``{"entries": [{}, {"severity": [...]}]}``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.JSONField(), **kwargs)


def entry_data(entry: LogEntry) -> dict[str, object]:
    """An entry with only its own value: severity, present or value (a number in °C)."""
    if entry.severity is not None:
        return {"symptom": entry.symptom_id, "severity": entry.severity}
    if entry.present is not None:
        return {"symptom": entry.symptom_id, "present": entry.present}
    value = None if entry.temperature is None else float(entry.temperature)
    return {"symptom": entry.symptom_id, "value": value}


# --- Daily logs ----------------------------------------------------------------------------------


class DailyLogSaveSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day in your own time zone: today or up to 30 back.")
    entries = EntriesField(
        help_text="Every symptom you had that day, each once. A symptom left out counts as "
        "none (0) or no."
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTES_MAX_LENGTH, default=""
    )


class EnteredBySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="The person's user id.")
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True, help_text='Their role: "carer".')


class DailyLogSerializer(serializers.Serializer):
    """A saved log. Give it logs with their entries prefetched (selectors.logs_for)."""

    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    entries = serializers.SerializerMethodField()
    notes = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    flags = serializers.SerializerMethodField(
        help_text="Your open and acknowledged flags, as GET /api/v1/flags/ shows them. This log "
        "is evaluated in the background: flags it raises appear within seconds."
    )
    entered_by = serializers.SerializerMethodField(
        help_text="Who saved this log last, when it was not the patient themself: their carer "
        "(role `carer`). Null for the patient's own logs and for logs from before this was "
        "recorded."
    )

    @extend_schema_field(_entry_schema())
    def get_entries(self, log: DailyLog) -> list[dict[str, object]]:
        return [entry_data(entry) for entry in log.entries.all()]

    @extend_schema_field(EnteredBySerializer(allow_null=True))
    def get_entered_by(self, log: DailyLog) -> dict[str, object] | None:
        who = entered_by_someone_else(log)
        if who is None:
            return None
        return {"id": who.pk, "name": who.name or who.email, "role": who.role}

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_flags(self, log: DailyLog) -> list[dict[str, object]]:
        cache = self.context.setdefault("open_flags", {})  # one query per response, not per log
        if log.patient_id not in cache:
            findings = self.context.get("urgent_findings", [])
            cache[log.patient_id] = live_flags_data(
                patient_id=log.patient_id,
                findings=findings,
                stored=self.context.get("has_live_flag", True),  # False: known to be none
            )
        return cache[log.patient_id]


class LogFilterSerializer(serializers.Serializer):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both optional and inclusive."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"to": [_("Must be on or after “from”.")]})
        return attrs
