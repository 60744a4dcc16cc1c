"""Patient pages about what to raise with the care team: flags in plain words with the days
behind them, the patient's own questions, and the visit summary (on screen and as a PDF).

Thin views: selectors read, services write; only the signed-in patient's own data, no patient id
in any URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import patient_required
from accounts.models import PatientProfile, User
from flags import facts, services, summary_pdf
from flags.models import Flag, FlagStatus, PatientResponse
from flags.selectors import LIVE, open_flags_for
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


# --- The patient answers urgent advice (the banner's buttons) ------------------------------

ANSWER_THANKS = "Thank you for telling us. Your care team will see your answer."
ANSWER_LOST = (
    "We could not save your answer just now. Please follow the advice: call your care team's "
    "24-hour line, or in an emergency call {emergency}."
)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the banner was on (only a page of this site), at the banner."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target.split("#", 1)[0] + "#attention")


def _answer(request: HttpRequest, flag: Flag | None) -> HttpResponse:
    if flag is None:
        messages.error(request, ANSWER_LOST.format(emergency=settings.EMERGENCY_NUMBER))
        return _back(request)
    try:
        services.flag_respond(flag=flag, by=request.user, response=request.POST.get("response", ""))
    except ValidationError:
        messages.error(request, ANSWER_LOST.format(emergency=settings.EMERGENCY_NUMBER))
        return _back(request)
    messages.success(request, ANSWER_THANKS)
    return _back(request)


@require_POST
@patient_required
def flag_respond(request: HttpRequest, profile: PatientProfile, pk: int) -> HttpResponse:
    """The patient's answer to one of their own urgent flags (anyone else's: 404)."""
    flag = get_object_or_404(Flag, pk=pk, patient=request.user)
    return _answer(request, flag)


@require_POST
@patient_required
def flag_respond_pending(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """An answer to urgent advice the worker has not stored as a flag yet. The patient's flags are
    evaluated here, as the worker would (the same idempotent service, under the same lock), and
    the answer is kept on the flag that results for that rule and subject."""
    rule, subject = request.POST.get("rule", ""), request.POST.get("subject", "")
    if request.POST.get("response", "") not in PatientResponse.values:
        return _answer(request, None)
    services.evaluate_patient(patient=request.user)
    flag = Flag.objects.filter(
        patient=request.user, rule=rule, subject=subject, status__in=LIVE
    ).first()
    return _answer(request, flag)
