"""The patient's own questions for their care team: add, edit, tick off, delete.

Every function takes the patient and only ever touches that patient's questions: a question id
that belongs to someone else is "not found" (a 404 in the views), never a permission error that
would confirm it exists.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from symptoms.models import QUESTION_MAX_LENGTH, PatientQuestion

# CLINICAL.md, "What the patient sees": asked at most visits, so always offered.
STANDARD_QUESTIONS = (
    "What are my treatment options?",
    "What is my prognosis?",
    "What side effects can I expect?",
    "Will complementary therapy help me feel better?",
    "What if I want to stop treatment?",
    "How can I feel my best during treatment?",
)


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError("A question cannot be empty.")
    if len(text) > QUESTION_MAX_LENGTH:
        raise ValidationError(f"A question can be at most {QUESTION_MAX_LENGTH} characters.")
    return text


def questions_for(*, patient: User, include_done: bool = True) -> QuerySet[PatientQuestion]:
    """The patient's questions: still to ask first, oldest first."""
    questions = PatientQuestion.objects.filter(patient=patient)
    if not include_done:
        questions = questions.filter(done=False)
    return questions.order_by("done", "created_at", "pk")


def own_question(*, patient: User, question_id: int) -> PatientQuestion:
    """One of the patient's own questions, or Http404."""
    try:
        return PatientQuestion.objects.get(patient=patient, pk=question_id)
    except PatientQuestion.DoesNotExist:
        raise Http404("No such question.") from None


@transaction.atomic
def question_add(*, patient: User, text: str) -> PatientQuestion:
    return PatientQuestion.objects.create(patient=patient, text=_clean(text))


@transaction.atomic
def question_edit(*, patient: User, question_id: int, text: str) -> PatientQuestion:
    question = own_question(patient=patient, question_id=question_id)
    question.text = _clean(text)
    question.save(update_fields=["text", "updated_at"])
    return question


@transaction.atomic
def question_set_done(*, patient: User, question_id: int, done: bool) -> PatientQuestion:
    question = own_question(patient=patient, question_id=question_id)
    if question.done != done:
        question.done = done
        question.save(update_fields=["done", "updated_at"])
    return question


@transaction.atomic
def question_delete(*, patient: User, question_id: int) -> None:
    own_question(patient=patient, question_id=question_id).delete()
