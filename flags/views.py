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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from weasyprint import Document

from accounts import access
from accounts.decorators import patient_required
from accounts.models import PatientProfile, RecordAccessKind, User
from accounts.services import record_access
from flags import facts, services, summary_pdf
from flags.models import Flag, FlagLevel, FlagRule, FlagStatus, PatientResponse
from flags.selectors import LIVE, open_flags_for
from lib.dates import date_list, dated_day, full_date, short_date
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
    request: HttpRequest,
    profile: PatientProfile,
    form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    patient = profile.user  # a carer sees their patient's
    if request.method == "GET":
        record_access(request=request, patient_ids=[profile.pk], what=RecordAccessKind.FLAGS)
    context = {
        "flag_cards": _flag_cards(patient),
        "questions": list(questions.questions_for(patient=patient)),
        # A carer who may only look sees the list without the forms that change it.
        "can_change": access.acting_profile(request.user, "log") is not None,
        "standard_questions": questions.standard_questions(),
        "form": form or QuestionForm(),
    }
    return render(request, "flags/raise_with_team.html", context, status=status)


@patient_required(right="record", write="log")
def raise_with_team(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """Flags in plain words, the patient's own questions (POST adds one) and the usual ones."""
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if not form.is_valid():
            return _questions_page(request, profile, form, status=400)
        questions.question_add(patient=profile.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your question is added to the list."))
        return redirect(reverse("raise_with_team") + "#your-questions")
    return _questions_page(request, profile)


# --- Visit summary --------------------------------------------------------------------------
# A document a clinician files (CLINICAL.md, "The visit summary"): read days or weeks later, so
# every date is absolute ("3 Nov 2026", never "yesterday"). The flags' own sentences speak to the
# patient about "today" as it was when they were written, so the summary shows each flag's title,
# level, rule and days instead.

SUMMARY_DAYS = 28


@dataclass(frozen=True)
class SummaryFlag:
    """A live flag as the summary prints it: what, how urgent, since when, on which days."""

    title: str
    level: str
    facts: str  # "Urgent · Fever · raised Sun 29 Nov 2026 · seen by the care team"
    days_text: str  # "29 Nov 2026"


def _summary_flags(profile: PatientProfile) -> list[SummaryFlag]:
    zone = profile.zone
    result = []
    for flag in open_flags_for(patient=profile.user):
        facts_words = [
            str(FlagLevel(flag.level).label),
            str(FlagRule(flag.rule).label),
            _("raised %(day)s") % {"day": dated_day(flag.opened_at.astimezone(zone).date())},
        ]
        if flag.status == FlagStatus.ACKNOWLEDGED:
            facts_words.append(_("seen by the care team"))
        result.append(
            SummaryFlag(
                title=flag.title,
                level=flag.level,
                facts=" · ".join(facts_words),
                days_text=date_list(flag.evidence_days),
            )
        )
    return result


def _summary_context(profile: PatientProfile) -> dict[str, object]:
    """The last 4 weeks for a visit: who, the patient's questions, flags, trends per site."""
    patient = profile.user
    today = profile.local_today()
    window = selectors.history(patient=patient, today=today, days=SUMMARY_DAYS)
    groups, quiet_sites = trends.trend_groups(
        window, set(profile.sites), fever_line=float(facts.thresholds().fever_celsius)
    )
    first_day = window.days[0]
    return {
        "profile": profile,
        "full_name": patient.get_full_name(),
        "date_of_birth": full_date(profile.date_of_birth) if profile.date_of_birth else "",
        "today": today,
        "made_on": full_date(today),
        "period": _("%(start)s to %(end)s")
        % {"start": full_date(first_day), "end": full_date(today)},
        "days": SUMMARY_DAYS,
        "first_day": first_day,
        "logged_count": len(window.logged),
        "groups": groups,
        "quiet_text": trends.quiet_text(quiet_sites, SUMMARY_DAYS),
        "summary_flags": _summary_flags(profile),
        "questions": list(questions.questions_for(patient=patient, include_done=False)),
        "standard_questions": questions.standard_questions(),
    }


@require_GET
@patient_required(right="record")
def visit_summary(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    record_access(request=request, patient_ids=[profile.pk], what=RecordAccessKind.FLAGS)
    return render(request, "flags/visit_summary.html", _summary_context(profile))


def summary_document(request: HttpRequest, profile: PatientProfile) -> tuple[Document, dt.date]:
    """The printed summary laid out on A4 pages (WeasyPrint), built from local files only,
    and the day it was made."""
    context = _summary_context(profile) | {"pdf": True}
    html = render(request, "flags/visit_summary.html", context).content.decode()
    base_url = request.build_absolute_uri("/")
    return summary_pdf.render_document(html, base_url=base_url), context["today"]


@require_GET
@patient_required(right="record")
def visit_summary_pdf(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """The same summary as a PDF download: no network, never cached."""
    record_access(request=request, patient_ids=[profile.pk], what=RecordAccessKind.FLAGS)
    document, today = summary_document(request, profile)
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="visit-summary-{today:%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The patient answers urgent advice (the banner's buttons) ------------------------------

ANSWER_THANKS = gettext_lazy("Thank you for telling us. Your care team will see your answer.")
ANSWER_LOST = gettext_lazy(
    "We could not save your answer just now. Please follow the advice: call your care team's "
    "24-hour line, or in an emergency call %(emergency)s."
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
        messages.error(request, ANSWER_LOST % {"emergency": settings.EMERGENCY_NUMBER})
        return _back(request)
    try:
        services.flag_respond(flag=flag, by=request.user, response=request.POST.get("response", ""))
    except ValidationError:
        messages.error(request, ANSWER_LOST % {"emergency": settings.EMERGENCY_NUMBER})
        return _back(request)
    messages.success(request, str(ANSWER_THANKS))
    return _back(request)


@require_POST
@patient_required(right="log")
def flag_respond(request: HttpRequest, profile: PatientProfile, pk: int) -> HttpResponse:
    """The patient's answer to one of their own urgent flags (anyone else's: 404); a carer may
    answer for them ("what I did"), with the right to log."""
    flag = get_object_or_404(Flag, pk=pk, patient=profile.user)
    return _answer(request, flag)


@require_POST
@patient_required(right="log")
def flag_respond_pending(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """An answer to urgent advice the worker has not stored as a flag yet. The patient's flags are
    evaluated here, as the worker would (the same idempotent service, under the same lock), and
    the answer is kept on the flag that results for that rule and subject."""
    rule, subject = request.POST.get("rule", ""), request.POST.get("subject", "")
    if request.POST.get("response", "") not in PatientResponse.values:
        return _answer(request, None)
    services.evaluate_patient(patient=profile.user)
    flag = Flag.objects.filter(
        patient=profile.user, rule=rule, subject=subject, status__in=LIVE
    ).first()
    return _answer(request, flag)
