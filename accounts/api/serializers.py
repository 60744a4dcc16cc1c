"""API input and output shapes for accounts (see ../shared/API.md, "Who am I" and "Patients")."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import (
    MetastasisSite,
)
from accounts.models import ApiToken, User
from accounts.validators import (
    available_timezones,
    validate_name,
    validate_plain_text,
    validate_timezone,
)
from lib.api.fields import StrictCharField

# Every zone the app accepts, so the schema can say which (a component, TimezoneEnum).
TIMEZONE_CHOICES = sorted(available_timezones())


def timezone_name(value: str) -> str:
    """A serializer validator: an IANA time zone name."""
    try:
        validate_timezone(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return value


def plain_text(value: str) -> str:
    """A serializer validator: short text on one line, without control characters."""
    try:
        validate_plain_text(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return value


@extend_schema_field(serializers.ChoiceField(choices=TIMEZONE_CHOICES))
class TimezoneField(serializers.CharField):
    """An IANA time zone name, e.g. "Europe/London", with the app's own message for others."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validators=[timezone_name], **kwargs)


HOUR_MINUTE = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": HOUR_MINUTE, "example": "19:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as the API shows it, "19:00" (24-hour HH:MM, no seconds, no offset): the
    schema's ``format: time`` would promise seconds and an offset that are never sent."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)

    def to_internal_value(self, value: object) -> dt.time:
        # strptime would also take "7:45"; the schema promises two digits each.
        if not isinstance(value, str) or not re.fullmatch(HOUR_MINUTE, value):
            self.fail("invalid", format="hh:mm")
        return super().to_internal_value(value)


class SitesField(serializers.ListField):
    child = serializers.ChoiceField(choices=MetastasisSite.choices)
    unique_items = True  # the schema says so: uniqueItems

    def to_internal_value(self, data):
        sites = super().to_internal_value(data)
        if len(set(sites)) != len(sites):
            raise serializers.ValidationError("Each site may be listed once.")
        return sites


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        validators=[plain_text],
        help_text="A name for this device, shown in the list of signed-in devices, e.g. "
        "“Ann's phone”.",
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="Care staff only, and required for them: the 6-digit code from their "
        "authenticator app, or one of their recovery codes. Patients leave it out.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expires = serializers.DateTimeField(
        help_text="When this token stops working; sign in again before then."
    )


class DeviceTokenSerializer(serializers.Serializer):
    """One signed-in device, as its owner sees it (never the key)."""

    id = serializers.IntegerField()
    device = serializers.CharField()
    created = serializers.DateTimeField(source="created_at")
    expires = serializers.DateTimeField(source="expires_at")
    current = serializers.SerializerMethodField(help_text="Whether this request used it.")

    def get_current(self, token: ApiToken) -> bool:
        return token.pk == self.context.get("current_id")


class PatientSettingsSerializer(serializers.Serializer):
    """The patient part of /me: what a patient can see and change about their own settings."""

    # PATCH /me refuses fields it does not know, here and at the top level (MeUpdateSerializer);
    # the schema says so (additionalProperties false).
    refuses_unknown_fields = True

    sites = SitesField(required=False)
    timezone = TimezoneField(required=False)
    log_reminder_time = HourMinuteField(required=False)
    phone = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Any usual spelling of a real number; stored and returned in E.164, e.g. "
        "+447911123456. Numbers without a country code are read as UK numbers (a setting). "
        "Empty removes it.",
    )
    call_time = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text='The best time to call, in the patient\'s words, e.g. "mornings".',
    )


LANGUAGE_HELP = (
    "The language this person reads the site and the API in: one the site offers (en, es). "
    "null: their browser's (Accept-Language), else English. A chosen language wins over the "
    "browser's."
)


def language_field(**kwargs: object) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        allow_null=True,
        help_text=LANGUAGE_HELP,
        **kwargs,
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    language = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()

    @extend_schema_field(language_field())
    def get_language(self, user: User) -> str | None:
        return user.language or None

    @extend_schema_field(PatientSettingsSerializer(allow_null=True))
    def get_patient(self, user: User) -> dict | None:
        profile = getattr(user, "patient_profile", None)
        if profile is None:
            return None
        return PatientSettingsSerializer(profile).data


class MeUpdateSerializer(PatientSettingsSerializer):
    """PATCH /me. Patient fields may be sent at the top level or inside ``patient``."""

    name = StrictCharField(required=False, max_length=150, validators=[validate_name])
    language = language_field(
        required=False,
        allow_blank=True,
        error_messages={
            "invalid_choice": gettext_lazy(
                "We do not offer “{input}”. Send one of: en, es, or null to follow the browser."
            )
        },
    )
    patient = PatientSettingsSerializer(required=False)

    def to_internal_value(self, data):
        # Unknown fields are refused, not ignored: a client that thinks it changed "email" or
        # "role" must hear that it did not (../shared/API.md, "Who am I").
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            nested = data.get("patient")
            if isinstance(nested, dict):
                unknown += sorted(
                    f"patient.{key}" for key in set(nested) - set(self.fields["patient"].fields)
                )
            if unknown:
                raise serializers.ValidationError(
                    dict.fromkeys(unknown, "This field does not exist or cannot be changed.")
                )
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        nested = attrs.pop("patient", {}) or {}
        attrs.update(nested)
        return attrs
