"""Choices shared by the appointment models, their validators and the pages."""

from django.db import models


class AppointmentKind(models.TextChoices):
    RESTAGING = "restaging", "Restaging visit"
    CT = "ct", "CT scan"
    PET = "pet", "PET scan"
    BONE_SCAN = "bone_scan", "Bone scan"
    MRI = "mri", "MRI scan"
    BLOOD_TEST = "blood_test", "Blood test"
    ONCOLOGY_VISIT = "oncology_visit", "Oncology visit"
    TREATMENT = "treatment", "Treatment"
    OTHER = "other", "Other appointment"


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
    SCAN_ANXIETY = "scan_anxiety", "Scan anxiety"
    COPING = "coping", "Coping"
    SUPPORT = "support", "Support groups"
    MENTAL_HEALTH = "mental_health", "Mental health"
    NUTRITION = "nutrition", "Nutrition"
    EXERCISE = "exercise", "Exercise"
    COMPLEMENTARY = "complementary", "Complementary therapy"
