"""API shapes for a patient's carers (GET/POST /carers/, PATCH/DELETE /carers/{id}/)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from accounts import carers
from accounts.models import CarerLink
from lib.api.fields import StrictCharField

RIGHTS_HELP = (
    "What the carer may do for the patient, at least one: `log` (fill in the daily log on "
    "their behalf), `record` (see their symptom history, flags and advice), `appointments` "
    "(see their appointments)."
)


class RightsField(serializers.ListField):
    child = serializers.ChoiceField(choices=carers.RIGHTS)
    allow_empty = False
    unique_items = True  # the schema says so: uniqueItems
    default_error_messages = {"empty": gettext_lazy("Choose at least one thing they can do.")}


class CarerSerializer(serializers.Serializer):
    """One carer link, as the patient and their care team see it."""

    id = serializers.IntegerField(read_only=True)
    patient = serializers.IntegerField(source="patient_id", read_only=True)
    name = serializers.CharField(source="carer.name", read_only=True)
    email = serializers.EmailField(source="carer.email", read_only=True)
    rights = serializers.SerializerMethodField(help_text=RIGHTS_HELP)
    active = serializers.BooleanField(
        source="is_active", read_only=True, help_text="False once revoked."
    )
    signed_in = serializers.SerializerMethodField(
        help_text="Whether the carer has chosen a password (accepted the invitation)."
    )
    patients_word = serializers.CharField(
        read_only=True,
        help_text="When a member of the care team acted for the patient: what the patient asked.",
    )
    created = serializers.DateTimeField(source="created_at", read_only=True)
    revoked = serializers.DateTimeField(source="revoked_at", read_only=True, allow_null=True)

    def get_rights(self, link: CarerLink) -> list[str]:
        return carers.rights_of(link)

    def get_signed_in(self, link: CarerLink) -> bool:
        return link.carer.has_usable_password()


class CarerInviteSerializer(serializers.Serializer):
    """POST /carers/. Care staff also send ``patient`` and ``patients_word``."""

    name = StrictCharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    rights = RightsField(help_text=RIGHTS_HELP)
    patient = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Care staff only, and required for them: the patient's id.",
    )
    patients_word = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Care staff only, and required for them: when and how the patient asked.",
    )


class CarerQuerySerializer(serializers.Serializer):
    """GET /carers/?patient=<id> (care staff)."""

    patient = serializers.IntegerField(required=False, min_value=1)


class CarerUpdateSerializer(serializers.Serializer):
    """PATCH /carers/{id}/: new rights (all of them, not a change to the old list)."""

    rights = RightsField(help_text=RIGHTS_HELP)
    patients_word = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Care staff only, and required for them: when and how the patient asked.",
    )
