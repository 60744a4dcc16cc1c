"""Patient pages about what to raise with the care team: flags in plain words with the days
behind them, the patient's own questions, and the visit summary (on screen and as a PDF).

Thin views: selectors read, services write; only the signed-in patient's own data, no patient id
in any URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.decorators import patient_required
from accounts.models import PatientProfile, User
from flags import facts, summary_pdf
from flags.models import FlagStatus
from flags.selectors import open_flags_for
from lib.dates import short_date
from symptoms import questions, selectors, trends
from symptoms.forms import QuestionForm


@dataclass(frozen=True)
class FlagCard:
    """A flag as the patient reads it: plain words and the days behind it."""

    title: str
    explanation: str
    advice: str
    level: str
    acknowledged: bool
    days: list[dt.date]

    @property
    def days_text(self) -> str:
        """ "3 Nov, 4 Nov" """
        return ", ".join(short_date(day) for day in self.days)


def _flag_cards(patient: User) -> list[FlagCard]:
    cards = []
    for flag in open_flags_for(patient=patient):
        cards.append(
            FlagCard(
                title=flag.title,
                explanation=flag.explanation,
                advice=flag.advice,
                level=flag.level,
                acknowledged=flag.status == FlagStatus.ACKNOWLEDGED,
                days=flag.evidence_days,
            )
        )
    return cards


def _questions_page(
    request: HttpRequest, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "flag_cards": _flag_cards(request.user),
        "questions": list(questions.questions_for(patient=request.user)),
        "standard_questions": questions.STANDARD_QUESTIONS,
        "form": form or QuestionForm(),
    }
    return render(request, "flags/raise_with_team.html", context, status=status)


@patient_required
def raise_with_team(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """Flags in plain words, the patient's own questions (POST adds one) and the usual ones."""
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if not form.is_valid():
            return _questions_page(request, form, status=400)
        questions.question_add(patient=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Your question is added to the list.")
        return redirect(reverse("raise_with_team") + "#your-questions")
    return _questions_page(request)


# --- Visit summary --------------------------------------------------------------------------

SUMMARY_DAYS = 28


def _summary_context(profile: PatientProfile) -> dict[str, object]:
    """The last 4 weeks for a visit: trends per site, flags, questions still to ask."""
    patient = profile.user
    today = profile.local_today()
    window = selectors.history(patient=patient, today=today, days=SUMMARY_DAYS)
    groups, quiet_sites = trends.trend_groups(
        window, set(profile.sites), fever_line=float(facts.thresholds().fever_celsius)
    )
    quiet_names = [site.name.lower() for site in quiet_sites]
    return {
        "profile": profile,
        "today": today,
        "days": SUMMARY_DAYS,
        "first_day": window.days[0],
        "logged_count": len(window.logged),
        "groups": groups,
        "quiet_text": (
            f"No {' or '.join(quiet_names)} symptoms in these {SUMMARY_DAYS} days."
            if quiet_names
            else ""
        ),
        "flag_cards": _flag_cards(patient),
        "questions": list(questions.questions_for(patient=patient, include_done=False)),
        "standard_questions": questions.STANDARD_QUESTIONS,
    }


@require_GET
@patient_required
def visit_summary(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    return render(request, "flags/visit_summary.html", _summary_context(profile))


@require_GET
@patient_required
def visit_summary_pdf(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """The same summary as a PDF (WeasyPrint), built from local files only: no network."""
    context = _summary_context(profile) | {"pdf": True}
    html = render(request, "flags/visit_summary.html", context).content.decode()
    pdf = summary_pdf.render_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"visit-summary-{context['today']:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
