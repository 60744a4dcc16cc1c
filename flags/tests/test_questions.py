"""The "To raise with your care team" page: flags in plain words, the patient's own questions
(add, edit, tick off, delete; nobody else's) and the standard questions of CLINICAL.md."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from flags.models import Flag, FlagStatus
from symptoms.models import PatientQuestion
from symptoms.questions import STANDARD_QUESTIONS

pytestmark = pytest.mark.django_db

PAGE = reverse("raise_with_team")


def make_flag(patient, **fields) -> Flag:
    values = {
        "rule": "persistent",
        "level": "next_visit",
        "subject": "bone_pain",
        "title": "Bone pain that keeps coming back",
        "explanation": "Your bone pain was 4 or more on 3 of your last 5 logs.",
        "advice": "Mention it at your next visit.",
        "evidence": ["2026-11-03", "2026-11-04"],
        "opened_at": timezone.now(),
    }
    values.update(fields)
    return Flag.objects.create(patient=patient, **values)


def test_open_and_acknowledged_flags_are_shown_in_plain_words(people, client):
    make_flag(people.patient_a)
    make_flag(
        people.patient_a,
        rule="fever",
        level="urgent",
        subject="fever",
        title="High temperature",
        status=FlagStatus.ACKNOWLEDGED,
        evidence=["2026-11-05"],
    )
    make_flag(people.patient_a, rule="severe", title="Old resolved one", status="resolved")
    client.force_login(people.patient_a)

    body = client.get(PAGE).content.decode()

    assert "Bone pain that keeps coming back" in body
    assert "Your bone pain was 4 or more on 3 of your last 5 logs." in body
    assert "Mention it at your next visit." in body
    assert "The days behind this: 3 Nov, 4 Nov" in body
    assert "High temperature" in body and "Your care team has seen this." in body
    assert body.index("High temperature") < body.index("Bone pain that keeps")  # urgent first
    assert "Old resolved one" not in body


def test_another_patients_flags_and_questions_are_never_shown(people, client):
    make_flag(people.patient_b, title="Bella's flag")
    PatientQuestion.objects.create(patient=people.patient_b, text="Bella's question")
    client.force_login(people.patient_a)

    body = client.get(PAGE).content.decode()

    assert "Bella" not in body
    assert "Nothing in your recent logs needs raising just now." in body


def test_the_standard_questions_are_shown(people, client):
    client.force_login(people.patient_a)
    body = client.get(PAGE).content.decode()
    assert len(STANDARD_QUESTIONS) == 6
    for question in STANDARD_QUESTIONS:
        assert question in body


def test_add_edit_tick_off_and_delete_own_question(people, client):
    client.force_login(people.patient_a)

    response = client.post(PAGE, {"text": "  Can I   travel in May? "}, follow=True)
    question = PatientQuestion.objects.get(patient=people.patient_a)
    assert question.text == "Can I travel in May?"
    assert "Can I travel in May?" in response.content.decode()

    edit = reverse("question_edit", args=[question.pk])
    assert "Can I travel in May?" in client.get(edit).content.decode()
    client.post(edit, {"text": "Can I fly to Spain in May?"})
    question.refresh_from_db()
    assert question.text == "Can I fly to Spain in May?"

    client.post(reverse("question_done", args=[question.pk]), {"done": "yes"})
    question.refresh_from_db()
    assert question.done
    assert "Put back" in client.get(PAGE).content.decode()
    client.post(reverse("question_done", args=[question.pk]), {"done": "no"})
    question.refresh_from_db()
    assert not question.done

    client.post(reverse("question_delete", args=[question.pk]))
    assert not PatientQuestion.objects.filter(pk=question.pk).exists()


def test_an_empty_or_too_long_question_is_refused_with_a_message(people, client):
    client.force_login(people.patient_a)

    empty = client.post(PAGE, {"text": "   "})
    long = client.post(PAGE, {"text": "x" * 501})

    assert empty.status_code == 400 and "Please write your question" in empty.content.decode()
    assert long.status_code == 400 and "500 characters or fewer" in long.content.decode()
    assert not PatientQuestion.objects.exists()


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("question_edit", "get", None),
        ("question_edit", "post", {"text": "Mine now"}),
        ("question_done", "post", {"done": "yes"}),
        ("question_delete", "post", None),
    ],
)
def test_another_patients_question_is_not_found(people, client, name, method, data):
    theirs = PatientQuestion.objects.create(patient=people.patient_b, text="Bella's question")
    client.force_login(people.patient_a)

    response = getattr(client, method)(reverse(name, args=[theirs.pk]), data or {})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Bella's question" and not theirs.done


def test_ticking_off_and_deleting_need_a_post(people, client):
    question = PatientQuestion.objects.create(patient=people.patient_a, text="Mine")
    client.force_login(people.patient_a)
    assert client.get(reverse("question_done", args=[question.pk])).status_code == 405
    assert client.get(reverse("question_delete", args=[question.pk])).status_code == 405


@pytest.mark.parametrize("who", ["coordinator_a", "admin"])
def test_staff_are_sent_home(people, client, who):
    client.force_login(getattr(people, who))
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url == reverse("home")


def test_anonymous_people_are_asked_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
