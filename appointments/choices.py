"""Choices shared by the appointment models, their validators and the pages."""

from django.db import models


class ResourceTag(models.TextChoices):
    SCAN_ANXIETY = "scan_anxiety", "Scan anxiety"
    COPING = "coping", "Coping"
    SUPPORT = "support", "Support groups"
    MENTAL_HEALTH = "mental_health", "Mental health"
    NUTRITION = "nutrition", "Nutrition"
    EXERCISE = "exercise", "Exercise"
    COMPLEMENTARY = "complementary", "Complementary therapy"
