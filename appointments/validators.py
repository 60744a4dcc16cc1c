"""Validators for appointment-app fields, shared by the model, admin and forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from appointments.choices import ResourceTag


def validate_resource_tags(value: object) -> None:
    """A resource's tags: a list of resource tag codes, each at most once.

    The order matters: the first tag is the topic a resource is listed under on the Resources
    page; any others say where else it helps (the scan support page, the check-in).
    """
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(
            _('Tags must be a list such as ["scan_anxiety", "coping"].'), code="invalid"
        )
    unknown = sorted(set(value) - set(ResourceTag.values))
    if unknown:
        raise ValidationError(
            _("Unknown tag: %(tags)s. Choose from %(known)s."),
            code="invalid_tag",
            params={"tags": ", ".join(unknown), "known": ", ".join(ResourceTag.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each tag may be listed once."), code="duplicate_tag")
