"""Reads for scan support, the post-scan check-in and the resource library.

The library is small (tens of rows), so resources are filtered by tag in Python after one query:
the same on PostgreSQL and SQLite, and ordered the way each page needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from accounts.models import PatientProfile
from appointments.choices import SCAN_KINDS, ResourceTag
from appointments.models import Appointment, AppointmentStatus, Resource, ScanCheckIn
from lib.clock import local_time

StrOrPromise = str | Promise

# What the Resources page calls each topic (ResourceTag labels are admin wording).
TOPIC_HEADINGS: dict[str, StrOrPromise] = {
    ResourceTag.SCAN_ANXIETY: _("Before and after a scan"),
    ResourceTag.COPING: _("Coping day to day"),
    ResourceTag.SUPPORT: _("Support from others"),
    ResourceTag.MENTAL_HEALTH: _("Your feelings"),
    ResourceTag.NUTRITION: _("Eating"),
    ResourceTag.EXERCISE: _("Keeping active"),
    ResourceTag.COMPLEMENTARY: _("Complementary therapies"),
}
OTHER_TOPIC = _("More help")


def resources_for(tags: Iterable[str]) -> list[Resource]:
    """Active resources with any of ``tags``: those with the first-named tag first, then the
    next, and so on; within that, in display order."""
    rank = {tag: index for index, tag in enumerate(dict.fromkeys(tags))}
    found = []
    for resource in Resource.objects.filter(active=True):
        ranks = [rank[tag] for tag in resource.tags if tag in rank]
        if ranks:
            found.append((min(ranks), resource))
    found.sort(key=lambda item: (item[0], item[1].display_order, item[1].title))
    return [resource for _rank, resource in found]


def with_tag(queryset: QuerySet[Resource], tag: str) -> QuerySet[Resource]:
    """Resources carrying ``tag`` (for admin's filter): a JSON containment query where the
    database has one (PostgreSQL), else matched in Python."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(tags__contains=[tag])
    ids = [pk for pk, tags in queryset.values_list("pk", "tags") if tag in (tags or [])]
    return queryset.filter(pk__in=ids)


@dataclass(frozen=True)
class ResourceSection:
    tag: str
    heading: StrOrPromise
    resources: list[Resource]

    @property
    def dom_id(self) -> str:
        return f"topic-{self.tag or 'other'}"


def resource_sections() -> list[ResourceSection]:
    """Every active resource once, under its first tag, topics in the tag order."""
    by_tag: dict[str, list[Resource]] = {}
    for resource in Resource.objects.filter(active=True):
        primary = next((tag for tag in resource.tags if tag in TOPIC_HEADINGS), "")
        by_tag.setdefault(primary, []).append(resource)
    sections = [
        ResourceSection(tag, heading, by_tag[tag])
        for tag, heading in TOPIC_HEADINGS.items()
        if tag in by_tag
    ]
    if "" in by_tag:
        sections.append(ResourceSection("", OTHER_TOPIC, by_tag[""]))
    return sections


# --- One scan -------------------------------------------------------------------------------


def scan_for(user: AnyUser, appointment_id: object) -> Appointment | None:
    """The signed-in patient's own scan (any scan kind, not cancelled), or None.

    These pages speak to the patient, so only the patient themself gets them: anyone else,
    staff included, is told the scan is not there, exactly as if it did not exist.
    """
    if not access.is_patient(user):
        return None
    try:
        pk = int(str(appointment_id))
    except ValueError:
        return None
    return (
        Appointment.objects.filter(
            pk=pk,
            patient__in=access.visible_patients(user),
            kind__in=SCAN_KINDS,
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient__patient_profile")
        .first()
    )


@dataclass(frozen=True)
class ScanSupport:
    appointment: Appointment
    profile: PatientProfile
    checkin: ScanCheckIn | None
    resources: list[Resource]  # tagged scan_anxiety

    @property
    def local_start(self) -> dt.datetime:
        return local_time(self.appointment.starts_at, self.profile.zone)

    def has_started(self, now: dt.datetime) -> bool:
        """From the local day of the scan on (when the check-in opens)."""
        return self.local_start.date() <= self.profile.local_today(now)


def checkin_for(appointment: Appointment) -> ScanCheckIn | None:
    return ScanCheckIn.objects.filter(appointment=appointment).first()


def scan_support_for(user: AnyUser, appointment_id: object) -> ScanSupport | None:
    """What the scan support page and the check-in need, or None if this user may not have it
    (not theirs, not a scan, cancelled, or no such appointment)."""
    appointment = scan_for(user, appointment_id)
    if appointment is None:
        return None
    return ScanSupport(
        appointment=appointment,
        profile=appointment.patient.patient_profile,
        checkin=checkin_for(appointment),
        resources=resources_for([ResourceTag.SCAN_ANXIETY]),
    )
