"""The care team's alerts about flags, planned in the outbox: an urgent flag alerts every
coordinator of the patient's team at once and escalates after two hours (coordinators again, and
the patient); each morning coordinators get a digest of open ``soon`` flags. Titles and bodies are
lock-screen safe: no health details.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import CarerLink, CareTeam, Role, User
from flags.models import Flag, FlagLevel, FlagStatus
from lib.clock import local_today, next_local
from lib.i18n import in_language_of
from notifications.models import Kind, Notification
from notifications.services import Planned, notifications_cancel_pending, notifications_plan

ESCALATION_AFTER = dt.timedelta(hours=2)
DIGEST_TIME = dt.time(8, 0)
SUBJECT = "flag"  # Notification.subject_type of flag alerts
# In English here; each alert is written in its recipient's language (``in_language_of``).
URGENT_TITLE = gettext_noop("A patient needs a call")
ESCALATION_TITLE = gettext_noop("Still waiting: a patient needs a call")
PATIENT_ESCALATION_TITLE = gettext_noop("Has your care team called you?")
DIGEST_TITLE = gettext_noop("Flags to look at today")
PATIENT_LINK = "/"  # the patient's home page shows their flags and the 24-hour line


def staff_patient_link(patient_id: int) -> str:
    """Where a coordinator sees the patient (the dashboard page; a plain path)."""
    return f"/patients/{patient_id}/"


def _coordinators(team_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active coordinators of each team (one query), as users: each alert is in their language."""
    through = CareTeam.coordinators.through
    rows = (
        through.objects.filter(careteam_id__in=set(team_ids), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    by_team: dict[int, list[User]] = defaultdict(list)
    for row in rows:
        by_team[row.careteam_id].append(row.user)
    return by_team


def urgent_alerts_plan(*, flags: Sequence[Flag], teams: dict[int, int], now: dt.datetime) -> int:
    """Plan, for each flag that is (newly) urgent: an alert to every coordinator of the patient's
    team due now, and the escalation two hours on (coordinators again, and the patient). Natural
    keys make planning again a no-op. Titles and bodies are lock-screen safe."""
    coordinators = _coordinators(teams.values())
    patients = User.objects.in_bulk({flag.patient_id for flag in flags}) if flags else {}
    numbers = {"line": settings.CARE_TEAM_24H_LINE, "emergency": settings.EMERGENCY_NUMBER}
    planned: list[Planned] = []
    for flag in flags:
        link = staff_patient_link(flag.patient_id)
        escalate_at = max(flag.opened_at, now) + ESCALATION_AFTER
        for coordinator in coordinators.get(teams[flag.patient_id], []):
            with in_language_of(coordinator):
                planned.append(
                    Planned(
                        key=f"flag:{flag.pk}:urgent:{coordinator.pk}",
                        kind=Kind.FLAG_ALERT,
                        recipient_id=coordinator.pk,
                        due_at=now,
                        title=_(URGENT_TITLE),
                        body=_(
                            "A patient in your care team has an urgent flag and needs a call. "
                            "Open MBC Tracker to see who and why."
                        ),
                        link=link,
                        subject_type=SUBJECT,
                        subject_id=flag.pk,
                    )
                )
                planned.append(
                    Planned(
                        key=f"flag:{flag.pk}:escalation:{coordinator.pk}",
                        kind=Kind.FLAG_ALERT,
                        recipient_id=coordinator.pk,
                        due_at=escalate_at,
                        title=_(ESCALATION_TITLE),
                        body=_(
                            "An urgent flag has not been acknowledged for two hours. Please call "
                            "the patient and acknowledge the flag in MBC Tracker."
                        ),
                        link=link,
                        subject_type=SUBJECT,
                        subject_id=flag.pk,
                    )
                )
        with in_language_of(patients.get(flag.patient_id)):
            planned.append(
                Planned(
                    key=f"flag:{flag.pk}:escalation:{flag.patient_id}",
                    kind=Kind.FLAG_ALERT,
                    recipient_id=flag.patient_id,
                    due_at=escalate_at,
                    title=_(PATIENT_ESCALATION_TITLE),
                    body=_(
                        "If nobody from your care team has called you yet, please phone the "
                        "24-hour line now: %(line)s. In an emergency call %(emergency)s."
                    )
                    % numbers,
                    link=PATIENT_LINK,
                    subject_type=SUBJECT,
                    subject_id=flag.pk,
                )
            )
    planned += carer_alerts(flags=flags, now=now)
    return notifications_plan(planned=planned)


CARER_LINK = "/"  # the carer's home page shows the patient's urgent advice and the numbers


def carer_alerts(*, flags: Sequence[Flag], now: dt.datetime) -> list[Planned]:
    """The urgent advice, for each carer whose patient it is: every carer with a link in force
    and the right to see the patient's flags and advice or to log for them (a revoked carer
    gets nothing). Due now, once per flag and carer (natural keys, as the coordinators'
    alerts); in the carer's own language; lock-screen safe: the advice itself waits behind
    their login, on their home page. One query."""
    patient_ids = {flag.patient_id for flag in flags}
    if not patient_ids:
        return []
    carers: dict[int, list[User]] = defaultdict(list)
    links = (
        CarerLink.objects.filter(
            patient_id__in=patient_ids,
            revoked_at__isnull=True,
            carer__is_active=True,
            carer__role=Role.CARER,
        )
        .filter(Q(can_view_record=True) | Q(can_log=True))
        .select_related("carer")
        .order_by("carer_id")
    )
    for link in links:
        carers[link.patient_id].append(link.carer)
    line, emergency = settings.CARE_TEAM_24H_LINE, settings.EMERGENCY_NUMBER
    planned = []
    for flag in flags:
        for carer in carers.get(flag.patient_id, []):
            with in_language_of(carer):
                title = _("Urgent advice for the person you help")
                body = _(
                    "The person you help has been given urgent advice: they should call the "
                    "care team's 24-hour line now on %(line)s. In an emergency call "
                    "%(emergency)s. Open MBC Tracker to see the advice."
                ) % {"line": line, "emergency": emergency}
            planned.append(
                Planned(
                    key=f"flag:{flag.pk}:carer:{carer.pk}",
                    kind=Kind.FLAG_ALERT,
                    recipient_id=carer.pk,
                    due_at=now,
                    title=title,
                    body=body,
                    link=CARER_LINK,
                    subject_type=SUBJECT,
                    subject_id=flag.pk,
                )
            )
    return planned


def flag_alerts_cancel(
    *, flag_id: int, escalations_only: bool, now: dt.datetime | None = None
) -> int:
    """The flag was acknowledged (``escalations_only``: nobody needs "still waiting" or "has
    your care team called you?" any more) or resolved (no alert about it is wanted). Cancels
    them at once, in the caller's transaction, so they are never shown as coming. Returns how
    many were cancelled."""
    prefix = f"flag:{flag_id}:escalation:" if escalations_only else f"flag:{flag_id}:"
    return notifications_cancel_pending(
        subject_type=SUBJECT, subject_id=flag_id, key_prefix=prefix, now=now
    )


def flag_alert_still_wanted(notification: Notification, now: dt.datetime) -> bool:
    """Send-time check for ``flag_alert``: an escalation goes only while its flag is still open
    (unacknowledged); an urgent alert only while its flag is not resolved. Digests always go."""
    if notification.subject_type != SUBJECT or notification.subject_id is None:
        return True
    status = (
        Flag.objects.filter(pk=notification.subject_id).values_list("status", flat=True).first()
    )
    if ":escalation:" in notification.key:
        return status == FlagStatus.OPEN
    return status is not None and status != FlagStatus.RESOLVED


def flag_digests_plan(*, now: dt.datetime | None = None) -> int:
    """Plan each coordinator's morning digest of open ``soon`` flags for the next 08:00 in their
    time zone (the default patient zone: coordinators have none of their own). Counts only, no
    health details; only for coordinators with such flags. Idempotent by key."""
    now = now or timezone.now()
    zone = settings.DEFAULT_PATIENT_TIMEZONE
    at = next_local(DIGEST_TIME, zone, now)
    day = local_today(at, zone)
    through = CareTeam.coordinators.through
    team_counts = (
        Flag.objects.filter(status=FlagStatus.OPEN, level=FlagLevel.SOON)
        .values("patient__patient_profile__care_team_id")
        .annotate(flags=Count("pk"), patients=Count("patient_id", distinct=True))
    )
    by_team = {
        row["patient__patient_profile__care_team_id"]: (row["flags"], row["patients"])
        for row in team_counts
    }
    if not by_team:
        return 0
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    users: dict[int, User] = {}
    for row in through.objects.filter(
        careteam_id__in=list(by_team), user__is_active=True
    ).select_related("user"):
        flags, patients = by_team[row.careteam_id]
        totals[row.user_id][0] += flags
        totals[row.user_id][1] += patients
        users[row.user_id] = row.user
    planned = []
    for user_id, (flags, patients) in sorted(totals.items()):
        with in_language_of(users[user_id]):
            planned.append(
                Planned(
                    key=f"digest:{user_id}:{day.isoformat()}",
                    kind=Kind.FLAG_ALERT,
                    recipient_id=user_id,
                    due_at=at,
                    title=_(DIGEST_TITLE),
                    body=_digest_body(flags, patients),
                    link="/",
                )
            )
    return notifications_plan(planned=planned)


def _digest_body(flags: int, patients: int) -> str:
    """ "3 flags to look at today, for 2 patients. Open MBC Tracker to see them." """
    flag_words = ngettext(
        "%(count)d flag to look at today", "%(count)d flags to look at today", flags
    ) % {"count": flags}
    patient_words = ngettext("%(count)d patient", "%(count)d patients", patients) % {
        "count": patients
    }
    return _("%(flags)s, for %(patients)s. Open MBC Tracker to see them.") % {
        "flags": flag_words,
        "patients": patient_words,
    }
