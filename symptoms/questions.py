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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from symptoms.models import QUESTION_MAX_LENGTH, PatientQuestion

# CLINICAL.md, "What the patient sees": asked at most visits, so always offered. In English
# here; ``standard_questions()`` gives them in the reader's language.
STANDARD_QUESTIONS = (
    gettext_noop("What are my treatment options?"),
    gettext_noop("What is my prognosis?"),
    gettext_noop("What side effects can I expect?"),
    gettext_noop("Will complementary therapy help me feel better?"),
    gettext_noop("What if I want to stop treatment?"),
    gettext_noop("How can I feel my best during treatment?"),
)


def standard_questions() -> list[str]:
    """The standard questions in the active language."""
    return [_(question) for question in STANDARD_QUESTIONS]


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("A question cannot be empty."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            _("A question can be at most %(limit)d characters.") % {"limit": QUESTION_MAX_LENGTH}
        )
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
