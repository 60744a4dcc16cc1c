"""The coordinators' patients API serializers (see ../shared/API.md, "Patients")."""

from __future__ import annotations

import datetime as dt

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import HourMinuteField, SitesField, TimezoneField
from accounts.choices import (
    HER2Status,
    HormoneReceptorStatus,
    MetastasisSite,
    MutationStatus,
    PDL1Status,
)
from accounts.models import CareTeam
from accounts.validators import validate_name
from care.selectors import PanelPatient, restaging_due
from flags.api.serializers import FlagSerializer, contacts_prefetch
from flags.models import FlagLevel
from flags.selectors import open_flags_for
from symptoms import selectors as symptom_selectors
from symptoms.api.serializers import entry_data

RECENT_LOG_DAYS = 14


class OpenFlagCountsSerializer(serializers.Serializer):
    urgent = serializers.IntegerField()
    soon = serializers.IntegerField()
    next_visit = serializers.IntegerField()


class TriageSerializer(serializers.Serializer):
    tier = serializers.IntegerField(
        help_text="0 urgent flag waiting, 1 urgent acknowledged, 2 soon, 3 not logging, "
        "4 next visit, 5 restaging overdue, 6 no flags."
    )
    reason = serializers.CharField()
    top_flag = serializers.CharField(allow_null=True, help_text="Their most pressing flag's title.")
    urgent_waiting_since = serializers.DateTimeField(
        allow_null=True, help_text="When their oldest unacknowledged urgent flag opened."
    )


class PanelCareTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="care_team_id")
    name = serializers.CharField(source="care_team_name")


class PatientSerializer(serializers.Serializer):
    """A patient as their care team sees them in lists (a ``care.selectors.PanelPatient``)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    sites = SitesField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    care_team = PanelCareTeamSerializer(source="*", read_only=True)
    enrolled_on = serializers.DateField(read_only=True)
    restaging_interval_weeks = serializers.IntegerField(read_only=True)
    log_reminder_time = HourMinuteField(read_only=True)
    last_log_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The day of their newest log, in their zone."
    )
    next_appointment = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When their next booked appointment starts."
    )
    restaging_due = serializers.SerializerMethodField(
        help_text="When their next restaging is due: their interval after the last scan or "
        "restaging visit, or after enrolment."
    )
    open_flags = serializers.SerializerMethodField(
        help_text="Their open and acknowledged flags, counted per level."
    )
    triage = serializers.SerializerMethodField(
        help_text="Why they stand where they do in the triage order (most pressing first)."
    )

    @extend_schema_field(serializers.DateField())
    def get_restaging_due(self, patient: PanelPatient) -> dt.date:
        return restaging_due(patient)

    @extend_schema_field(OpenFlagCountsSerializer)
    def get_open_flags(self, patient: PanelPatient) -> dict[str, int]:
        return dict(patient.triage.counts)

    @extend_schema_field(TriageSerializer)
    def get_triage(self, patient: PanelPatient) -> dict[str, object]:
        result = patient.triage
        return {
            "tier": result.tier,
            "reason": result.label,
            "top_flag": result.top_flag_title or None,
            "urgent_waiting_since": result.urgent_waiting_since,
        }


class RecentLogSerializer(serializers.Serializer):
    """A day's log as the care team reads it in a patient's record."""

    date = serializers.DateField()
    entries = serializers.SerializerMethodField()
    notes = serializers.CharField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_entries(self, log) -> list[dict[str, object]]:
        return [entry_data(entry) for entry in log.entries.all()]


class PatientDetailSerializer(PatientSerializer):
    """One patient (``care.selectors.record_profile``), with the clinical background their
    coordinators record, their logs of the last 14 days and their open and acknowledged flags."""

    preferred_name = serializers.CharField(read_only=True)
    hormone_receptor_status = serializers.ChoiceField(
        choices=HormoneReceptorStatus.choices,
        source="profile.hormone_receptor_status",
        read_only=True,
    )
    her2_status = serializers.ChoiceField(
        choices=HER2Status.choices, source="profile.her2_status", read_only=True
    )
    pik3ca_status = serializers.ChoiceField(
        choices=MutationStatus.choices, source="profile.pik3ca_status", read_only=True
    )
    pd_l1_status = serializers.ChoiceField(
        choices=PDL1Status.choices, source="profile.pd_l1_status", read_only=True
    )
    current_treatment = serializers.CharField(source="profile.current_treatment", read_only=True)
    phone = serializers.SerializerMethodField(
        help_text='Their phone number in E.164, e.g. "+447911123456"; "" if not recorded.'
    )
    call_time = serializers.CharField(
        source="profile.call_time",
        read_only=True,
        help_text='The best time to call them, in their words, e.g. "mornings".',
    )
    date_of_birth = serializers.DateField(
        source="profile.date_of_birth", read_only=True, allow_null=True
    )
    hospital_number = serializers.CharField(source="profile.hospital_number", read_only=True)
    recent_logs = serializers.SerializerMethodField(
        help_text="Their logs of the last 14 days (in their time zone), newest first."
    )
    flags = serializers.SerializerMethodField(
        help_text="Their open and acknowledged flags, most urgent first."
    )

    @extend_schema_field(serializers.CharField())
    def get_phone(self, patient: PanelPatient) -> str:
        return str(patient.profile.phone or "") if patient.profile else ""

    @extend_schema_field(RecentLogSerializer(many=True))
    def get_recent_logs(self, patient: PanelPatient) -> list[dict[str, object]]:
        today = patient.local_today(timezone.now())
        logs = symptom_selectors.logs_for(
            patient=patient.profile.user, date_from=today - dt.timedelta(days=RECENT_LOG_DAYS - 1)
        )
        return RecentLogSerializer(logs, many=True).data

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, patient: PanelPatient) -> list[dict[str, object]]:
        flags = open_flags_for(patient=patient.pk)
        prefetch_related_objects(flags, contacts_prefetch())  # one query for every flag's calls
        return FlagSerializer(flags, many=True).data


class PanelFilterSerializer(serializers.Serializer):
    """?q=&site=&level=&team= on the panel. The dashboard page forgives a stale bookmark; the
    API says what was wrong (400), and a team that is not the caller's is 404."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    site = serializers.ChoiceField(choices=MetastasisSite.choices, required=False)
    level = serializers.ChoiceField(choices=FlagLevel.choices, required=False)
    team = serializers.IntegerField(required=False, min_value=1)


class PatientEnrolSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=150, validators=[validate_name])
    sites = SitesField(required=False, default=list)
    timezone = TimezoneField()
    care_team = serializers.PrimaryKeyRelatedField(
        queryset=CareTeam.objects.all(),
        required=False,
        help_text="Needed only when the coordinator belongs to more than one care team.",
    )


class PatientUpdateSerializer(serializers.Serializer):
    """PATCH /patients/{id}/: what the patient's care team may change. Every field is optional;
    unknown ones are refused, not ignored. The service validates the whole as admin does."""

    refuses_unknown_fields = True  # the schema says so: additionalProperties false

    name = serializers.CharField(required=False, max_length=150, validators=[validate_name])
    sites = SitesField(required=False)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Any usual spelling of a real number; stored and returned in E.164, e.g. "
        "+447911123456. Numbers without a country code are read as UK numbers (a setting). "
        "Empty removes it.",
    )
    call_time = serializers.CharField(required=False, allow_blank=True, max_length=80)
    timezone = TimezoneField(required=False)
    restaging_interval_weeks = serializers.IntegerField(required=False, min_value=4, max_value=26)
    hormone_receptor_status = serializers.ChoiceField(
        choices=HormoneReceptorStatus.choices, required=False
    )
    her2_status = serializers.ChoiceField(choices=HER2Status.choices, required=False)
    pik3ca_status = serializers.ChoiceField(choices=MutationStatus.choices, required=False)
    pd_l1_status = serializers.ChoiceField(choices=PDL1Status.choices, required=False)
    current_treatment = serializers.CharField(required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    hospital_number = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def to_internal_value(self, data):
        # A client that thinks it changed "email" or "care_team" must hear that it did not.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    dict.fromkeys(unknown, _("This field does not exist or cannot be changed."))
                )
        return super().to_internal_value(data)
