"""Pages and API answers travel compressed (GZipMiddleware) to a client that accepts gzip, and
plain to one that does not."""

from __future__ import annotations

import gzip
import json

import pytest
from django.test import Client

from accounts.tests.factories import make_patient
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db


def _signed_in() -> Client:
    patient = make_patient(sites=["bone", "brain"])
    log_days_back(patient, 1, {"bone_pain": 3})
    client = Client()
    client.force_login(patient)
    return client


@pytest.mark.parametrize("path", ["/", "/log/"])
def test_a_patient_page_is_sent_gzipped_and_unpacks_to_the_page(path: str) -> None:
    client = _signed_in()
    plain = client.get(path)
    packed = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})

    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "<html" in page and "</html>" in page
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2


def test_the_api_is_sent_gzipped_and_unpacks_to_the_same_json() -> None:
    client = _signed_in()
    plain = client.get("/api/v1/symptoms/")
    packed = client.get("/api/v1/symptoms/", headers={"accept-encoding": "gzip"})

    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
