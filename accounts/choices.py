"""Choice lists used by models, validators, forms and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    COORDINATOR = "coordinator", _("Care coordinator")
    ADMIN = "admin", _("Administrator")
    # Someone a patient chose to help them (a partner, a relative, a friend): their own login,
    # linked to that one patient only, with the rights the patient gave (CarerLink).
    CARER = "carer", _("Carer")


class MetastasisSite(models.TextChoices):
    """Where the cancer has spread. General symptoms and side effects apply to everyone."""

    BONE = "bone", _("Bone")
    BRAIN = "brain", _("Brain")
    LIVER = "liver", _("Liver")
    LUNG = "lung", _("Lung")


class HormoneReceptorStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    POSITIVE = "positive", _("Positive (ER and/or PR)")
    NEGATIVE = "negative", _("Negative")


class HER2Status(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    POSITIVE = "positive", _("Positive")
    LOW = "low", _("Low")
    NEGATIVE = "negative", _("Negative (zero)")


class MutationStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    DETECTED = "detected", _("Mutation detected")
    NOT_DETECTED = "not_detected", _("Not detected")


class PDL1Status(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
