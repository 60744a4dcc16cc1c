"""The patient's download, end to end: asked for on settings, built in the background (even if
the broker is down when asked), offered in the message centre, downloaded by the patient alone,
and removed after its days are up."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from auditlog.models import LogEntry as AuditLogEntry
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from exports import archive, services
from exports.models import ExportStatus, RecordExport
from exports.tasks import build_record_export, expire_record_exports
from exports.tests.factories import known_record
from followups import services as followups
from followups.models import FollowUp
from followups.tests.fixtures import rows
from notifications import selectors as notification_selectors
from notifications.models import Kind, Notification, Status
from notifications.services import dispatch_due

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)  # 13:00 in London
SETTINGS = reverse("settings")
ASK = reverse("record_export_request")
BUILD = followups.RECORD_EXPORT_BUILD


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ask(client, user):
    client.force_login(user)
    return client.post(ASK)


def ready_export(people) -> RecordExport:
    """Patient A's export, asked for and built."""
    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    build_record_export(people.patient_a.pk)
    export.refresh_from_db()
    return export


def page(export: RecordExport) -> str:
    return reverse("record_export", args=[export.pk])


def download(export: RecordExport) -> str:
    return reverse("record_export_download", args=[export.pk])


def export_messages(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Kind.RECORD_EXPORT))


# --- Asking, building, the message and the download ---------------------------------------------


def builds() -> list[tuple[str, int, int]]:
    return [row for row in rows() if row[0] == BUILD]


def test_asked_built_offered_in_the_message_centre_and_downloaded(people, client, sent):
    known_record(people.patient_a, people.coordinator_a)
    response = ask(client, people.patient_a)
    assert response.status_code == 302 and response["Location"] == SETTINGS + "#record-export"
    (export,) = RecordExport.objects.filter(patient=people.patient_a)
    assert export.status == ExportStatus.PENDING and export.requested_by == people.patient_a
    assert builds() == [(BUILD, people.patient_a.pk, 1)]  # recorded with the request

    build_record_export(people.patient_a.pk)  # the worker
    assert builds() == []  # done: the follow-up is gone
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.ready_at == NOW
    assert export.expires_at == NOW + dt.timedelta(days=7)
    assert export.size == len(bytes(export.archive)) > 0 and len(export.sha256) == 64

    assert dispatch_due().sent == 1  # the message centre shows it (in the app only)
    (message,) = notification_selectors.notifications_for(
        people.patient_a, include_planned=False
    ).filter(kind=Kind.RECORD_EXPORT)
    assert message.title == "Your record is ready to download"
    assert "7 days" in message.body and "Monday 22 June at 13:00" in message.body
    assert message.channel == "in_app" and message.link == page(export)
    assert message.title in client.get(reverse("notification_list")).content.decode()

    body = client.get(message.link).content.decode()
    assert download(export) in body and "Monday 22 June at 13:00" in body

    response = client.get(download(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="mbc-tracker-record-2026-06-15.zip"'
    )
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data) == export.size
    assert "logs.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    export.refresh_from_db()
    assert (export.download_count, export.last_downloaded_at) == (1, NOW)
    access = AuditLogEntry.objects.get_for_object(export).filter(action=AuditLogEntry.Action.ACCESS)
    assert [entry.actor_id for entry in access] == [people.patient_a.pk]
    client.get(download(export))
    export.refresh_from_db()
    assert export.download_count == 2


def test_the_bytes_are_never_in_the_audit_trail(people, sent):
    export = ready_export(people)
    for entry in AuditLogEntry.objects.get_for_object(export):
        assert "archive" not in (entry.changes or {})


def test_a_second_request_while_one_is_pending_makes_no_second_build(people, client, sent):
    ask(client, people.patient_a)
    response = client.post(ASK, follow=True)
    assert "already making a copy" in response.content.decode()
    again = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    assert RecordExport.objects.filter(patient=people.patient_a).count() == 1
    assert again.status == ExportStatus.PENDING
    assert rows() == [(BUILD, people.patient_a.pk, 1)]  # no second follow-up either


def test_building_twice_stores_one_file_and_sends_one_message(people, sent):
    export = ready_export(people)
    first = (export.sha256, export.ready_at)
    assert services.record_export_build(patient_id=people.patient_a.pk) is None
    build_record_export(people.patient_a.pk)
    export.refresh_from_db()
    assert (export.sha256, export.ready_at) == first and export.attempts == 1
    assert len(export_messages(people.patient_a)) == 1


def test_a_request_made_while_the_broker_is_down_is_still_built(
    people, client, registered_tasks, sent, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registered_tasks[BUILD], "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client, people.patient_a)
    assert response.status_code == 302  # the patient is not shown an error
    assert len(callbacks) == 1  # the ring ran, and raised nothing
    (export,) = RecordExport.objects.filter(patient=people.patient_a)
    assert export.status == ExportStatus.PENDING
    assert rows() == [(BUILD, people.patient_a.pk, 1)]

    # The broker is back: the next drain (beat, every minute) sends it and a worker builds it.
    monkeypatch.undo()
    later = timezone.now() + dt.timedelta(seconds=django_settings.FOLLOW_UP_RING_GRACE_SECONDS + 1)
    assert followups.drain(now=later)["sent"] == 1  # eager here: built on the spot
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert rows() == []
    assert len(export_messages(people.patient_a)) == 1


def test_a_failed_build_backs_off_and_the_patient_is_told_calmly_in_the_end(
    people, sent, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(archive, "record_zip", broken)
    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    with pytest.raises(RuntimeError):
        build_record_export(people.patient_a.pk)
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.PENDING, 1)
    assert export.last_error == "RuntimeError: disk full"
    (row,) = FollowUp.objects.all()
    assert row.claimed_until > timezone.now()  # backing off: the drain leaves it for now
    assert export_messages(people.patient_a) == []

    for _ in range(services.MAX_BUILD_ATTEMPTS - 2):
        with pytest.raises(RuntimeError):
            build_record_export(people.patient_a.pk)
    build_record_export(people.patient_a.pk)  # the last try fails for good, quietly
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.attempts == services.MAX_BUILD_ATTEMPTS
    assert rows() == []  # no more tries
    (message,) = export_messages(people.patient_a)
    assert message.title == "We could not prepare your record"
    assert "Nothing in your record is lost" in message.body
    assert message.link == SETTINGS + "#record-export"


def test_a_build_that_keeps_dying_before_it_can_fail_is_given_up_calmly(people, sent):
    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    # Its workers were killed mid-build every time: tries counted, never finished.
    RecordExport.objects.filter(pk=export.pk).update(attempts=services.MAX_BUILD_ATTEMPTS)
    build_record_export(people.patient_a.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.archive is None
    assert rows() == []
    (message,) = export_messages(people.patient_a)
    assert message.title == "We could not prepare your record"


# --- Who may download ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient_b", "coordinator_a", "coordinator_b", "admin"])
def test_nobody_but_the_patient_reaches_the_page_or_the_file(people, client, sent, persona):
    export = ready_export(people)
    client.force_login(getattr(people, persona))
    assert client.get(page(export)).status_code == 404
    assert client.get(download(export)).status_code == 404
    export.refresh_from_db()
    assert export.download_count == 0


def test_anonymous_visitors_are_sent_to_log_in(people, client, sent):
    export = ready_export(people)
    for url in (page(export), download(export)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(ASK)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_cannot_ask_for_a_download_here(people, client, sent, persona):
    assert ask(client, getattr(people, persona)).status_code == 404
    assert not RecordExport.objects.exists()


def test_the_download_is_get_only(people, client, sent):
    export = ready_export(people)
    client.force_login(people.patient_a)
    assert client.post(download(export)).status_code == 405
    assert client.get(ASK).status_code == 405


# --- Expiry --------------------------------------------------------------------------------------


def test_after_seven_days_the_file_is_gone_and_the_nightly_task_clears_the_bytes(
    people, client, sent
):
    export = ready_export(people)
    with time_machine.travel(NOW + dt.timedelta(days=7) - dt.timedelta(minutes=1), tick=False):
        client.force_login(people.patient_a)
        assert client.get(download(export)).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=7, minutes=1), tick=False):
        client.force_login(people.patient_a)
        # Past its date, before the nightly purge has run: already refused.
        assert client.get(download(export)).status_code == 404
        assert "removed after 7 days" in client.get(page(export)).content.decode()
        assert expire_record_exports() == {"expired": 1, "asked_again": 0}
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.archive is None
    assert export.download_count == 1  # the row stays, as the trail
    assert expire_record_exports()["expired"] == 0


def test_a_ready_message_not_shown_before_expiry_is_never_shown(people, sent):
    export = ready_export(people)  # its message planned, not dispatched yet
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        services.record_exports_expire()
        assert dispatch_due().sent == 0
    (message,) = export_messages(people.patient_a)
    assert message.status in (Status.CANCELLED, Status.SKIPPED)
    assert export.pk == message.subject_id


def test_a_pending_export_that_lost_its_follow_up_is_asked_for_again(people, sent):
    services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    FollowUp.objects.all().delete()
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert services.record_exports_expire()["asked_again"] == 1
    assert rows() == [(BUILD, people.patient_a.pk, 1)]


def test_beat_removes_old_files_every_night(registered_tasks):
    entry = django_settings.CELERY_BEAT_SCHEDULE["expire-record-exports-nightly"]
    assert entry["task"] == "exports.tasks.expire_record_exports" in registered_tasks
    assert django_settings.RECORD_EXPORT_KEEP_DAYS == 7


# --- The settings page ---------------------------------------------------------------------------


def settings_text(client) -> str:
    return client.get(SETTINGS).content.decode()


def test_the_settings_page_shows_the_download_in_each_state(people, client, sent):
    client.force_login(people.patient_a)
    body = settings_text(client)
    assert "Download your record" in body and "Make a copy of my record" in body
    assert f'action="{ASK}"' in body

    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    body = settings_text(client)
    assert "We are making a copy of your record" in body and f'action="{ASK}"' not in body

    build_record_export(people.patient_a.pk)
    body = settings_text(client)
    assert "Your copy is ready" in body and "Monday 22 June at 13:00" in body
    assert download(export) in body

    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        client.force_login(people.patient_a)
        body = settings_text(client)
        assert "removed after 7 days" in body and download(export) not in body
        assert "Make a new copy of my record" in body

    RecordExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
    client.force_login(people.patient_a)
    body = settings_text(client)
    assert "we could not make your last copy" in body and "Try again" in body


def test_staff_settings_pages_have_no_download_section(people, client):
    client.force_login(people.coordinator_a)
    assert "Download your record" not in settings_text(client)


def test_admin_lists_exports_read_only_without_the_file(people, client, sent):
    export = ready_export(people)
    client.force_login(people.admin)
    listing = client.get(reverse("admin:exports_recordexport_changelist"))
    assert listing.status_code == 200 and str(export.pk) in listing.content.decode()
    change = client.get(reverse("admin:exports_recordexport_change", args=[export.pk]))
    assert change.status_code == 200
    assert (
        'name="archive"' not in change.content.decode() and "Archive" not in change.content.decode()
    )
    assert client.get(reverse("admin:exports_recordexport_add")).status_code == 403
