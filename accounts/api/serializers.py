"""API input and output shapes for accounts (see ../shared/API.md, "Who am I" and "Patients")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import MetastasisSite
from accounts.models import CareTeam, PatientProfile, User
from accounts.validators import validate_timezone
from appointments.selectors import restaging_due_on  # the API is an entry point, above apps


def _timezone(value: str) -> str:
    try:
        validate_timezone(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return value


class SitesField(serializers.ListField):
    child = serializers.ChoiceField(choices=MetastasisSite.choices)

    def to_internal_value(self, data):
        sites = super().to_internal_value(data)
        if len(set(sites)) != len(sites):
            raise serializers.ValidationError("Each site may be listed once.")
        return sites


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PatientSettingsSerializer(serializers.Serializer):
    """The patient part of /me: what a patient can see and change about their own settings."""

    sites = SitesField(required=False)
    timezone = serializers.CharField(required=False, validators=[_timezone])
    log_reminder_time = serializers.TimeField(required=False, format="%H:%M")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    patient = serializers.SerializerMethodField()

    @extend_schema_field(PatientSettingsSerializer(allow_null=True))
    def get_patient(self, user: User) -> dict | None:
        profile = getattr(user, "patient_profile", None)
        if profile is None:
            return None
        return PatientSettingsSerializer(profile).data


class MeUpdateSerializer(PatientSettingsSerializer):
    """PATCH /me. Patient fields may be sent at the top level or inside ``patient``."""

    name = serializers.CharField(required=False, max_length=150)
    patient = PatientSettingsSerializer(required=False)

    def validate(self, attrs: dict) -> dict:
        nested = attrs.pop("patient", {}) or {}
        attrs.update(nested)
        return attrs


class CareTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareTeam
        fields = ["id", "name"]


class PatientSerializer(serializers.ModelSerializer):
    """A patient as their care team sees them in lists."""

    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    sites = SitesField()
    care_team = CareTeamSerializer()
    log_reminder_time = serializers.TimeField(format="%H:%M")
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

    class Meta:
        model = PatientProfile
        fields = [
            "id",
            "name",
            "email",
            "sites",
            "timezone",
            "care_team",
            "enrolled_on",
            "restaging_interval_weeks",
            "log_reminder_time",
            "last_log_date",
            "next_appointment",
            "restaging_due",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField())
    def get_restaging_due(self, profile: PatientProfile) -> dt.date:
        return restaging_due_on(
            interval_weeks=profile.restaging_interval_weeks,
            enrolled_on=profile.enrolled_on,
            last_restaging_at=getattr(profile, "last_restaging_at", None),
            zone=profile.timezone,
        )


class PatientDetailSerializer(PatientSerializer):
    """One patient, with the clinical background their coordinators record."""

    class Meta(PatientSerializer.Meta):
        fields = [
            *PatientSerializer.Meta.fields,
            "preferred_name",
            "hormone_receptor_status",
            "her2_status",
            "pik3ca_status",
            "pd_l1_status",
            "current_treatment",
        ]
        read_only_fields = fields


class PatientEnrolSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=150)
    sites = SitesField(required=False, default=list)
    timezone = serializers.CharField(validators=[_timezone])
    care_team = serializers.PrimaryKeyRelatedField(
        queryset=CareTeam.objects.all(),
        required=False,
        help_text="Needed only when the coordinator belongs to more than one care team.",
    )

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(
                "Someone is already registered with this email address."
            )
        return value
