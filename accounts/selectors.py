"""Reads for accounts: scoped to the caller through accounts.access, prefetched for the screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access, partitions
from accounts.models import (
    RECORD_ACCESS_PATIENT_WORDS,
    ApiToken,
    CareTeam,
    PatientProfile,
    RecordAccess,
    Role,
    User,
)

# Access-log reads end a day past now (room for clock skew between servers) and so inside the
# partitions made ahead: PostgreSQL then leaves the DEFAULT partition and future months out.
LOOK_AHEAD = dt.timedelta(days=1)


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's API tokens that still work (not expired, not ended by a password change or a
    sign-out everywhere), newest first."""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now(), user_hash__in=hashes)


def teams_for(user: User) -> QuerySet[CareTeam]:
    """The care teams whose patients this user may see."""
    if access.is_admin(user):
        return CareTeam.objects.all()
    if access.is_coordinator(user):
        return user.care_teams.all()
    return CareTeam.objects.none()


def patient_profile_for(user: User) -> PatientProfile | None:
    """A patient's own profile (None for staff)."""
    if not access.is_patient(user):
        return None
    return PatientProfile.objects.select_related("care_team").filter(user=user).first()


# --- The record access log -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordViewer:
    """Who looked at a patient's record, how, how often and when last (one line per pair)."""

    name: str
    email: str
    role_label: str
    what_label: str  # in the patient's words: "Opened your record"
    times: int
    last_at: dt.datetime

    role: str = ""

    @property
    def who(self) -> str:
        """ "Ann Nurse (care coordinator)", or "Bob (your carer)", as the patient reads it."""
        if self.role == Role.CARER:
            return _("%(name)s (your carer)") % {"name": self.name or self.email}
        return f"{self.name or self.email} ({self.role_label.lower()})"


def record_viewers(*, patient_id: int, days: int = 90, limit: int = 50) -> list[RecordViewer]:
    """Who looked at this patient's record in the last ``days`` days, newest first, one line per
    person and kind of look (one query). The caller has checked it may show this patient."""
    now = timezone.now()
    rows = (
        RecordAccess.objects.filter(
            patient_id=patient_id, at__gte=now - dt.timedelta(days=days), at__lt=now + LOOK_AHEAD
        )
        .values("viewer_id", "viewer_name", "viewer_email", "viewer_role", "what")
        .annotate(times=Count("pk"), last_at=Max("at"))
        .order_by("-last_at", "viewer_name")[:limit]
    )
    roles, kinds = dict(Role.choices), RECORD_ACCESS_PATIENT_WORDS
    return [
        RecordViewer(
            name=row["viewer_name"],
            email=row["viewer_email"],
            role_label=roles.get(row["viewer_role"], row["viewer_role"]),
            what_label=kinds.get(row["what"], row["what"]),
            times=row["times"],
            last_at=row["last_at"],
            role=row["viewer_role"],
        )
        for row in rows
    ]


def record_accesses(*, patient_id: int, limit: int = 20) -> QuerySet[RecordAccess]:
    """The newest rows of a patient's access log, for their care team's record page (within
    the retention window: bounded so PostgreSQL reads the newest months first and stops)."""
    now = timezone.now()
    return RecordAccess.objects.filter(
        patient_id=patient_id, at__gte=partitions.retention_start(now), at__lt=now + LOOK_AHEAD
    ).order_by("-at", "-pk")[:limit]


def record_access_estimated_rows() -> int | None:
    """The planner's estimate of the access log's rows (PostgreSQL statistics, kept by
    autovacuum), or None where there is none (SQLite, or never analysed)."""
    if not partitions.is_partitioned():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(greatest(c.reltuples, 0))::bigint, bool_or(c.reltuples >= 0) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [partitions.TABLE],
        )
        estimate, analysed = cursor.fetchone()
    return int(estimate) if analysed else None
