"""Choice lists used by models, validators, forms and the API."""

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    COORDINATOR = "coordinator", "Care coordinator"
    ADMIN = "admin", "Administrator"
    # Someone a patient chose to help them (a partner, a relative, a friend): their own login,
    # linked to that one patient only, with the rights the patient gave (CarerLink).
    CARER = "carer", "Carer"


class MetastasisSite(models.TextChoices):
    """Where the cancer has spread. General symptoms and side effects apply to everyone."""

    BONE = "bone", "Bone"
    BRAIN = "brain", "Brain"
    LIVER = "liver", "Liver"
    LUNG = "lung", "Lung"


class HormoneReceptorStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    POSITIVE = "positive", "Positive (ER and/or PR)"
    NEGATIVE = "negative", "Negative"


class HER2Status(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    POSITIVE = "positive", "Positive"
    LOW = "low", "Low"
    NEGATIVE = "negative", "Negative (zero)"


class MutationStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    DETECTED = "detected", "Mutation detected"
    NOT_DETECTED = "not_detected", "Not detected"


class PDL1Status(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
