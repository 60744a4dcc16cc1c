"""The visit summary as a clinician files it: who, when (in absolute dates), page numbers, each
chart with its caption, flags with their days, the patient's questions first, 2 to 3 A4 pages for
4 weeks of full logs (../shared/CLINICAL.md, "The visit summary")."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from weasyprint.formatting_structure import boxes

from flags import views
from flags.models import FlagStatus
from flags.tests.test_questions import make_flag
from symptoms.models import PatientQuestion
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)  # a Monday evening in London
TODAY = dt.date(2026, 11, 30)
# A bad month: every day logged, symptoms at three sites, general and treatment ones.
DAILY = {
    "bone_pain": lambda n: 3 + n % 6,
    "back_pain": lambda n: 2 + n % 4,
    "bone_swelling": lambda n: n % 3,
    "abdominal_pain": lambda n: n % 5,
    "itching": lambda n: 1 + n % 3,
    "shortness_of_breath": lambda n: 2 + n % 5,
    "cough": lambda n: 1 + n % 4,
    "fatigue": lambda n: 4 + n % 5,
    "appetite_loss": lambda n: 2 + n % 4,
    "nausea": lambda n: n % 4,
    "constipation": lambda n: n % 3,
    "anxiety": lambda n: 3 + n % 4,
    "low_mood": lambda n: 2 + n % 3,
    "neuropathy": lambda n: 1 + n % 3,
    "mouth_sores": lambda n: n % 2,
    "fever": lambda n: round(36.6 + (n % 7) / 5, 1),  # one decimal, as a person writes it
    "jaundice": lambda n: n == 20,
}


@pytest.fixture
def cara(people):
    patient = people.patient_a
    patient.name = "Cara Anne Jones"
    patient.save()
    profile = patient.patient_profile
    profile.sites = ["bone", "liver", "lung"]
    profile.date_of_birth = dt.date(1961, 4, 23)
    profile.hospital_number = "RX1 234 567"
    profile.preferred_name = "Cara"
    profile.save()
    with time_machine.travel(NOW, tick=False):
        for n in range(28):
            day = TODAY - dt.timedelta(days=27 - n)
            log_day(patient, day, {code: value(n) for code, value in DAILY.items()})
    make_flag(
        patient,
        rule="fever",
        level="urgent",
        subject="fever",
        title="High temperature: call your care team now",
        explanation="Your temperature was 38.4 °C yesterday. During cancer treatment this "
        "needs a call today.",
        advice="Call your care team's 24-hour line now.",
        evidence=["2026-11-29"],
        opened_at=NOW - dt.timedelta(days=1),
    )
    make_flag(
        patient,
        rule="severe",
        level="soon",
        subject="fatigue",
        title="Tiredness: severe",
        explanation="You rated tiredness 8 out of 10 today.",
        evidence=["2026-11-23", "2026-11-30"],
        status=FlagStatus.ACKNOWLEDGED,
        opened_at=NOW - dt.timedelta(days=7),
    )
    make_flag(
        patient,
        evidence=["2026-11-26", "2026-11-27", "2026-11-28"],
        opened_at=NOW - dt.timedelta(days=2),
    )
    for text in [
        "Can I travel to see my sister in Spain in January?",
        "Should the pain in my ribs be checked with a scan?",
        "Is the tingling in my hands from the new treatment?",
    ]:
        PatientQuestion.objects.create(patient=patient, text=text)
    return patient


def _rendered(client, patient):
    """The summary's pages as WeasyPrint laid them out, and the PDF download's bytes."""
    request = RequestFactory().get(reverse("visit_summary_pdf"))
    request.user = patient
    with time_machine.travel(NOW, tick=False):
        document, _ = views.summary_document(request, patient.patient_profile)
        response = client.get(reverse("visit_summary_pdf"))
    assert response.status_code == 200
    return document, response.content


def _pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF: its page objects, inside compressed object streams too."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", part)) for part in parts)


def _page_texts(document) -> list[str]:
    texts = []
    for page in document.pages:
        words = [box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)]
        texts.append(" ".join(words))
    return texts


def test_four_weeks_of_full_logs_fit_two_to_three_a4_pages(cara, client):
    client.force_login(cara)

    document, pdf = _rendered(client, cara)

    pages = len(document.pages)
    print(f"visit summary: {pages} A4 pages, PDF {len(pdf)} bytes")
    assert pdf.startswith(b"%PDF")
    assert _pdf_page_count(pdf) == pages  # the download is the same document
    assert 2 <= pages <= 3


def test_the_summary_names_the_patient_and_dates_everything(cara, client):
    client.force_login(cara)

    document, _ = _rendered(client, cara)

    pages = _page_texts(document)
    text = " ".join(pages)
    assert "Cara Anne Jones" in pages[0]  # the full name, not only "Cara"
    assert "Date of birth 23 April 1961" in pages[0]
    assert "Hospital number RX1 234 567" in pages[0]
    assert "3 November 2026 to 30 November 2026" in pages[0]
    assert "logged on 28 of 28 days" in pages[0]
    assert "Made on 30 November 2026" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        if number > 1:  # every later page says whose it is
            assert "Cara Anne Jones · Date of birth 23 April 1961" in page
    assert not re.search(r"\b(today|yesterday|tomorrow)\b", text, re.IGNORECASE)
    for chrome in ("Skip to main content", "Log out", "Download PDF", "Settings"):
        assert chrome not in text  # the document only: no site header, footer or buttons


def test_questions_come_first_and_flags_carry_their_days(cara, client):
    client.force_login(cara)

    document, _ = _rendered(client, cara)

    text = " ".join(_page_texts(document))
    order = [
        text.index("My questions"),
        text.index("Can I travel to see my sister in Spain in January?"),
        text.index("To raise with the care team"),
        text.index("How things have changed"),
        text.index("Questions many people ask"),
    ]
    assert order == sorted(order)
    assert "High temperature: call your care team now" in text
    assert "Urgent · Fever · raised Sun 29 Nov 2026" in text
    assert "The days behind this: 29 Nov 2026" in text
    assert "Soon · Severe symptom · raised Mon 23 Nov 2026 · seen by the care team" in text
    assert "The days behind this: 23 Nov, 30 Nov 2026" in text
    assert "The days behind this: 26 Nov, 27 Nov, 28 Nov 2026" in text


def _figures_by_page(document) -> dict[str, list[tuple[int, set[str]]]]:
    """For each chart (figure id): the pages it is drawn on, with what of it each page holds."""
    found: dict[str, list[tuple[int, set[str]]]] = {}
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) != "figure" or not box.element.get("id"):
                continue
            parts = {
                str(getattr(child, "element_tag", "")).rsplit("}", 1)[-1]  # {svg namespace}svg
                for child in box.descendants()
            }
            found.setdefault(box.element.get("id"), []).append((number, parts))
    return found


def test_each_chart_is_on_one_page_with_its_caption(cara, client):
    client.force_login(cara)

    document, _ = _rendered(client, cara)

    figures = _figures_by_page(document)
    assert len(figures) == len(DAILY)  # every symptom logged has its chart
    for figure_id, placed in figures.items():
        assert len(placed) == 1, f"{figure_id} is split across pages {placed}"
        _, parts = placed[0]
        assert {"svg", "figcaption"} <= parts, figure_id


def test_without_a_date_of_birth_or_hospital_number_the_name_is_enough(people, client):
    patient = people.patient_b
    log_day(patient, patient.patient_profile.local_today(), {"bone_pain": 3})
    client.force_login(patient)

    document, _ = _rendered(client, patient)

    text = " ".join(_page_texts(document))
    assert "Bella Patient" in text
    assert "Date of birth" not in text and "Hospital number" not in text
    assert len(document.pages) == 1
