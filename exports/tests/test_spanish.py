"""The record download in Spanish: its pages and settings section, the "your record is ready"
message and the README in the ZIP in the patient's language. The CSV column names stay as
they are (a data format), and the FHIR Bundle is never translated."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from exports import services
from exports.models import RecordExport
from exports.selectors import ExportState
from exports.tasks import build_record_export
from exports.tests.factories import known_record
from lib import i18n
from mbc_tracker.tests.english import english_left
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture(autouse=True)
def _language_restored():
    """Spanish requests activate Spanish in this thread: later tests start from the default."""
    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def spanish_reader(monkeypatch):
    """Every patient reads Spanish (the language the user chose, once users have one)."""
    monkeypatch.setattr(i18n, "language_of", lambda person: "es")


def built(people) -> RecordExport:
    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    build_record_export(people.patient_a.pk)
    export.refresh_from_db()
    return export


def main(response) -> str:
    assert response.status_code == 200
    return re.search(r"<main.*?</main>", response.content.decode(), flags=re.S).group(0)


def test_the_ready_message_and_the_readme_are_in_the_patients_language(people, spanish_reader):
    known_record(people.patient_a, people.coordinator_a)
    export = built(people)
    message = Notification.objects.get(recipient=people.patient_a, kind=Kind.RECORD_EXPORT)
    assert message.title == "Su registro está listo para descargar"
    assert "hasta el lunes 22 de junio a las 13:00" in message.body
    assert english_left(f"<p>{message.title}</p><p>{message.body}</p>") == []
    zipped = zipfile.ZipFile(io.BytesIO(bytes(export.archive)))
    readme = zipped.read("README.txt").decode()
    assert readme.startswith("Su registro de MBC Tracker")
    for name in zipped.namelist():
        if name != "README.txt":
            assert name in readme
    # Column names are a data format: the same in every language.
    header = zipped.read("appointments.csv").decode("utf-8-sig").splitlines()[0]
    assert header == "what,starts,minutes,where,how_to_prepare,status"
    # The Bundle is for systems: its words stay English.
    bundle = json.loads(zipped.read("fhir_bundle.json"))
    texts = json.dumps(bundle, ensure_ascii=False)
    assert "Tomografía" not in texts


def test_an_english_reader_still_gets_english(people):
    export = built(people)
    message = Notification.objects.get(recipient=people.patient_a, kind=Kind.RECORD_EXPORT)
    assert message.title == "Your record is ready to download"
    readme = zipfile.ZipFile(io.BytesIO(bytes(export.archive))).read("README.txt").decode()
    assert readme.startswith("Your record from MBC Tracker")


def test_the_failed_message_is_in_the_patients_language(people, spanish_reader):
    export = services.record_export_request(patient=people.patient_a, requested_by=people.patient_a)
    services._fail(export, "test")
    message = Notification.objects.get(recipient=people.patient_a, kind=Kind.RECORD_EXPORT)
    assert message.title == "No pudimos preparar su registro"


def test_the_download_page_is_in_spanish(people, client):
    export = built(people)
    client.force_login(people.patient_a)
    html = main(client.get(reverse("record_export", args=[export.pk]), **SPANISH))
    assert english_left(html, allowed=("README.txt", "ZIP")) == []
    assert "Puede descargarla hasta el lunes 22 de junio a las 13:00" in html


def test_asking_says_so_in_spanish(people, client):
    client.force_login(people.patient_a)
    response = client.post(reverse("record_export_request"), follow=True, **SPANISH)
    assert "Gracias. Estamos haciendo una copia de su registro." in response.content.decode()


@pytest.mark.parametrize("state", ["none", "pending", "ready", "expired", "failed"])
def test_every_state_of_the_settings_section_is_in_spanish(people, state):
    export = built(people) if state == "ready" else None
    until = dt.datetime(2026, 6, 22, 13, 0, tzinfo=dt.UTC) if state == "ready" else None
    with translation.override("es"):
        html = render_to_string(
            "exports/_settings_section.html",
            {"record_export": ExportState(export=export, state=state, until=until), "keep_days": 7},
        )
    assert english_left(html, allowed=("MBC Tracker", "ZIP")) == []
