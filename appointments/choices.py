"""Choices shared by the appointment models, their validators and the pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    RESTAGING = "restaging", _("Restaging visit")
    CT = "ct", _("CT scan")
    PET = "pet", _("PET scan")
    BONE_SCAN = "bone_scan", _("Bone scan")
    MRI = "mri", _("MRI scan")
    BLOOD_TEST = "blood_test", _("Blood test")
    ONCOLOGY_VISIT = "oncology_visit", _("Oncology visit")
    TREATMENT = "treatment", _("Treatment")
    OTHER = "other", _("Other appointment")


# The scan kinds (CLINICAL.md): scan-anxiety support before them, a check-in after.
SCAN_KINDS = frozenset(
    {
        AppointmentKind.RESTAGING,
        AppointmentKind.CT,
        AppointmentKind.PET,
        AppointmentKind.BONE_SCAN,
        AppointmentKind.MRI,
    }
)


class ResourceTag(models.TextChoices):
    SCAN_ANXIETY = "scan_anxiety", _("Scan anxiety")
    COPING = "coping", _("Coping")
    SUPPORT = "support", _("Support groups")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    NUTRITION = "nutrition", _("Nutrition")
    EXERCISE = "exercise", _("Exercise")
    COMPLEMENTARY = "complementary", _("Complementary therapy")
