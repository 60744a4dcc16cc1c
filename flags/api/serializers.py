"""Flags API serializers (see ../shared/API.md, "Flags")."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, prefetch_related_objects
from rest_framework import serializers

from flags.models import (
    ContactOutcome,
    Flag,
    FlagContact,
    FlagLevel,
    FlagRule,
    FlagStatus,
    PatientResponse,
)
from flags.rules import Finding
from flags.selectors import open_flags_for
from flags.services.handling import NOTE_MAX_LENGTH


class FlagContactSerializer(serializers.ModelSerializer):
    """One call attempt about a flag; ``by`` is the staff member's name."""

    by = serializers.CharField(source="by.get_full_name", read_only=True)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices, read_only=True)

    class Meta:
        model = FlagContact
        fields = ["at", "by", "outcome", "note"]
        read_only_fields = fields


class FlagContactCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )


def contacts_prefetch() -> Prefetch:
    """The flags' call attempts with who made them, oldest first (one query for any number)."""
    return Prefetch("contacts", queryset=FlagContact.objects.select_related("by"))


class FlagSerializer(serializers.ModelSerializer):
    rule = serializers.ChoiceField(choices=FlagRule.choices, read_only=True)
    level = serializers.ChoiceField(choices=FlagLevel.choices, read_only=True)
    status = serializers.ChoiceField(choices=FlagStatus.choices, read_only=True)
    symptom = serializers.CharField(
        source="symptom_id", read_only=True, allow_null=True, help_text="A symptom code, or null."
    )
    site = serializers.SerializerMethodField(help_text="A site code (new_site), or null.")
    evidence = serializers.ListField(
        child=serializers.DateField(),
        read_only=True,
        help_text="The days (YYYY-MM-DD) of the logs behind this flag.",
    )
    acknowledged_by = serializers.IntegerField(
        source="acknowledged_by_id", read_only=True, allow_null=True
    )
    reported_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the patient saved the log that raised it; null for whole-patient rules.",
    )
    patient_response = serializers.ChoiceField(
        choices=PatientResponse.choices,
        read_only=True,
        allow_null=True,
        help_text="What the patient says they did about urgent advice, or null.",
    )
    patient_responded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    contacts = FlagContactSerializer(
        many=True, read_only=True, help_text="The care team's call attempts, oldest first."
    )

    class Meta:
        model = Flag
        fields = [
            "id",
            "patient",
            "rule",
            "level",
            "status",
            "symptom",
            "site",
            "title",
            "explanation",
            "advice",
            "evidence",
            "opened_at",
            "updated_at",
            "acknowledged_by",
            "acknowledged_at",
            "note",
            "reported_at",
            "patient_response",
            "patient_responded_at",
            "contacts",
        ]
        read_only_fields = fields

    def get_site(self, flag: Flag) -> str | None:
        return flag.site or None

    def to_representation(self, instance: Flag) -> dict[str, object]:
        data = super().to_representation(instance)
        data["patient_response"] = data["patient_response"] or None  # no answer yet: null
        return data


class FlagRespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=PatientResponse.choices)


class FlagNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )


class FlagFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)
    patient = serializers.IntegerField(required=False, min_value=1)


def live_flags_data(
    *, patient_id: int, findings: Sequence[Finding] = (), stored: bool = True
) -> list[dict[str, object]]:
    """The patient's open and acknowledged flags as the flags API shows them, most pressing
    first, then the urgent ``findings`` the rules made in this request that the worker has not
    stored as flags yet (``id`` null): a saved log's response shows them at once. ``stored``
    False: the caller has just read that there are none, so they are not read again."""
    flags = open_flags_for(patient=patient_id) if stored else []
    prefetch_related_objects(flags, contacts_prefetch())  # no query when there are none
    stored = list(FlagSerializer(flags, many=True).data)
    known = {(flag["rule"], flag["symptom"] or flag["site"] or "") for flag in stored}
    return stored + [
        {
            "id": None,
            "patient": patient_id,
            "rule": finding.rule,
            "level": finding.level,
            "status": FlagStatus.OPEN,
            "symptom": finding.symptom,
            "site": finding.site,
            "title": finding.title,
            "explanation": finding.explanation,
            "advice": finding.advice,
            "evidence": [day.isoformat() for day in finding.evidence],
            "opened_at": None,
            "updated_at": None,
            "acknowledged_by": None,
            "acknowledged_at": None,
            "note": "",
            "reported_at": None,
            "patient_response": None,
            "patient_responded_at": None,
            "contacts": [],
        }
        for finding in findings
        if (finding.rule, finding.subject) not in known
    ]
