"""Moving Flag and FlagThresholds from ``symptoms`` to ``flags`` keeps every row and its history.

The database is taken back to the layout before the move (``symptoms`` at 0005, ``flags`` not
there yet), rows are written with the models of that time, and the database is migrated forward
again: the same rows are there, and django-auditlog's entries now point at the ``flags`` content
types, so each flag's history still opens from the flag.
"""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from flags.models import Flag, FlagThresholds

BEFORE_THE_MOVE = [("symptoms", "0005_flag_thresholds"), ("flags", None)]
# Apps whose models the old rows need, besides symptoms (at the target above).
ALSO_NEEDED = {"accounts", "contenttypes", "auditlog"}
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def audit(apps, obj, content_type, actor_id: int) -> object:
    """A django-auditlog entry for ``obj`` as it would have been written before the move."""
    return apps.get_model("auditlog", "LogEntry").objects.create(
        content_type=content_type,
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj),
        action=0,  # create
        changes={"id": ["None", str(obj.pk)]},
        actor_id=actor_id,
        timestamp=OPENED,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_the_flags_keeps_their_rows_and_their_audit_history():
    leaves = latest()
    try:
        executor = migrate(BEFORE_THE_MOVE)
        applied = executor.loader.applied_migrations
        assert ("symptoms", "0006_move_flags") not in applied
        assert not any(app == "flags" for app, _ in applied)

        nodes = [BEFORE_THE_MOVE[0], *(node for node in leaves if node[0] in ALSO_NEEDED)]
        old = executor.loader.project_state(nodes).apps
        OldContentType = old.get_model("contenttypes", "ContentType")
        old_flag_type, _ = OldContentType.objects.get_or_create(app_label="symptoms", model="flag")
        old_thresholds_type, _ = OldContentType.objects.get_or_create(
            app_label="symptoms", model="flagthresholds"
        )
        # Content types of models added later (FlagContact) may linger; the moved two must not.
        moved = {"flag", "flagthresholds"}
        assert not OldContentType.objects.filter(app_label="flags", model__in=moved).exists()

        User = old.get_model("accounts", "User")
        patient = User.objects.create(
            email="before.the.move@example.org", name="Old Patient", role="patient", password="!"
        )
        coordinator = User.objects.create(
            email="old.coordinator@example.org", name="Old Coord", role="coordinator", password="!"
        )
        old_flag = old.get_model("symptoms", "Flag").objects.create(
            patient=patient,
            rule="red_flag",
            level="urgent",
            status="acknowledged",
            symptom_id="seizure",
            subject="seizure",
            title="Possible seizure",
            explanation="You told us you had a seizure.",
            advice="Call 999.",
            evidence=["2026-03-10"],
            opened_at=OPENED,
            acknowledged_by=coordinator,
            acknowledged_at=OPENED + dt.timedelta(minutes=5),
            note="Phoned, going to A&E.",
        )
        old_thresholds = old.get_model("symptoms", "FlagThresholds").objects.create(severe=9)
        flag_entry = audit(old, old_flag, old_flag_type, coordinator.pk)
        thresholds_entry = audit(old, old_thresholds, old_thresholds_type, coordinator.pk)

        migrate(leaves)
    finally:
        migrate(leaves)  # whatever happened, later tests get the database fully migrated
        ContentType.objects.clear_cache()

    flag = Flag.objects.get(pk=old_flag.pk)
    assert (flag.patient_id, flag.rule, flag.level, flag.status, flag.symptom_id) == (
        patient.pk,
        "red_flag",
        "urgent",
        "acknowledged",
        "seizure",
    )
    assert (flag.evidence, flag.opened_at, flag.acknowledged_by_id, flag.note) == (
        ["2026-03-10"],
        OPENED,
        coordinator.pk,
        "Phoned, going to A&E.",
    )
    thresholds = FlagThresholds.objects.get(pk=old_thresholds.pk)
    assert (thresholds.severe, thresholds.singleton) == (9, 1)

    # The content types were renamed in place (same rows), not replaced by new ones.
    flag_type = ContentType.objects.get_for_model(Flag)
    assert (flag_type.pk, flag_type.app_label, flag_type.model) == (
        old_flag_type.pk,
        "flags",
        "flag",
    )
    assert ContentType.objects.get_for_model(FlagThresholds).pk == old_thresholds_type.pk
    assert not ContentType.objects.filter(
        app_label="symptoms", model__in=["flag", "flagthresholds"]
    ).exists()

    entry = LogEntry.objects.get(pk=flag_entry.pk)
    assert (entry.content_type.app_label, entry.content_type.model) == ("flags", "flag")
    assert list(LogEntry.objects.get_for_object(flag)) == [entry]
    assert entry.actor_id == coordinator.pk
    assert list(LogEntry.objects.get_for_object(thresholds).values_list("pk", flat=True)) == [
        thresholds_entry.pk
    ]
