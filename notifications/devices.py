"""Writes for push devices and channel choices: a person's phones that may show our
notifications, and which channels each kind of message uses for them.

A change that alters what should be planned (the first phone added, a choice changed) asks for
the patient's reminders to be planned again, after commit, so upcoming rows follow it: rows no
longer wanted are cancelled, new ones are added (``planning.outbox_sync`` through ``route``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from accounts.models import User
from followups.services import request_reminder_replan
from notifications.models import (
    EMAIL_REQUIRED_KINDS,
    PATIENT_CHOICE_KINDS,
    NotificationPreference,
    PushSubscription,
)


def _replan(user: User) -> None:
    if user.is_patient and hasattr(user, "patient_profile"):
        request_reminder_replan(user.pk)


@transaction.atomic
def push_subscription_add(
    *, user: User, endpoint: str, p256dh: str, auth: str, device: str = ""
) -> tuple[PushSubscription, bool]:
    """Keep one browser's subscription (validated by the caller). The same endpoint again
    updates its keys, and its owner (a phone handed on, or signed in as someone else: the push
    service's endpoint names the browser, so the latest account to sign up owns it). Returns
    the subscription and whether it is new."""
    # Devices left from before a sign-out everywhere are gone for good.
    PushSubscription.objects.filter(user=user).exclude(sign_outs=user.sign_outs).delete()
    first = not PushSubscription.objects.filter(user=user).exists()
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "device": device[:200],
            "sign_outs": user.sign_outs,
        },
    )
    if first:
        _replan(user)  # upcoming reminders can now go to the phone too
    return subscription, created


@transaction.atomic
def push_subscription_remove(*, user: User, subscription_id: int) -> bool:
    """Forget one of the user's devices. Returns False if the user has no device with this id.
    Upcoming push rows then reach the devices left, or are skipped when none is left."""
    deleted, _ = PushSubscription.objects.filter(user=user, pk=subscription_id).delete()
    return bool(deleted)


@transaction.atomic
def notification_choices_set(*, user: User, choices: Mapping[str, tuple[bool, bool]]) -> int:
    """Set the user's channels per kind: ``{kind: (email, push)}``. Unknown kinds are refused;
    email stays on for safety alerts whatever is asked. Returns how many kinds changed."""
    unknown = set(choices) - set(PATIENT_CHOICE_KINDS)
    if unknown:
        raise ValueError(f"Not a kind of message with a choice: {sorted(unknown)}")
    current = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    changed = 0
    for kind, (email, push) in choices.items():
        email = email or kind in EMAIL_REQUIRED_KINDS
        row = current.get(kind)
        before = (row.email, row.push) if row else (True, True)
        if before == (email, push):
            continue
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email, "push": push}
        )
        changed += 1
    if changed:
        _replan(user)
    return changed
