"""Appointments API and the calendar feed. Thin: a serializer checks the shape, a service acts,
a selector reads (scoped to the caller through accounts.access).

Another patient's appointment, or one outside a coordinator's care teams, is 404 (never 403):
its existence is not revealed. Care staff's reads are noted in the record access log, once per
patient shown.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.api.access_log import RecordAccessListMixin
from accounts.api.views import as_api_error
from accounts.models import RecordAccessKind, User
from accounts.services import record_access
from appointments import selectors, services
from appointments.api.serializers import AppointmentFilterSerializer, AppointmentSerializer
from appointments.calendar_feed import build_calendar
from appointments.models import Appointment
from lib.api import PATIENT_ID
from lib.i18n import in_language_of

NOT_FOUND = OpenApiResponse(
    description="No such appointment, or not one of yours (or your care teams' patients')."
)
BAD_APPOINTMENT = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Rejected, nothing saved. The body names each bad field, e.g. "
    '`{"starts_at": ["This time has already passed. ..."]}`. Reasons: a time in the past or '
    "more than 3 years ahead, a time without a UTC offset, an unknown kind, a duration outside "
    "5-1440 minutes, a missing `patient` (coordinators), an appointment already cancelled or "
    "over (changes).",
)
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _record_access(request: Request, patient_ids: list[int]) -> None:
    """Note that care staff looked at these patients' appointments (patients write nothing)."""
    record_access(request=request, patient_ids=patient_ids, what=RecordAccessKind.APPOINTMENTS)


def _shown(appointment: Appointment) -> dict[str, Any]:
    """The appointment as the API shows it, read back with patient, profile and reminders."""
    return AppointmentSerializer(selectors.with_reminders([appointment])[0]).data


class AppointmentListCreateView(RecordAccessListMixin, generics.ListAPIView):
    """The caller's appointments (a patient's own, a coordinator's panel), soonest first;
    POST books one."""

    carer_rights = {"GET": (selectors.CARER_RIGHT,)}  # a carer looks; booking is the patient's

    serializer_class = AppointmentSerializer
    record_access_what = RecordAccessKind.APPOINTMENTS

    def get_queryset(self) -> QuerySet[Appointment]:
        filters = AppointmentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        appointments = selectors.appointments_for(
            self.request.user,
            date_from=filters.validated_data.get("from"),
            date_to=filters.validated_data.get("to"),
            patient_id=filters.validated_data.get("patient"),
        )
        if "status" in filters.validated_data:
            appointments = appointments.filter(status=filters.validated_data["status"])
        return appointments

    def paginate_queryset(self, queryset: QuerySet[Appointment]) -> list[Appointment] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_reminders(page)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="The earliest day to include (in each patient's time zone).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description="The latest day to include (in each patient's time zone).",
            ),
            OpenApiParameter(
                "patient",
                PATIENT_ID,
                description="Only this patient's appointments (coordinators).",
            ),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=["scheduled", "cancelled", "done"],
                description="Only appointments with this status.",
            ),
        ],
        responses={
            200: AppointmentSerializer(many=True),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="A bad filter (a date not YYYY-MM-DD, `to` before `from`).",
            ),
            404: OpenApiResponse(
                description="`patient` is not one you may see, or the page is past the last."
            ),
        },
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AppointmentSerializer,
        responses={
            201: AppointmentSerializer,
            400: BAD_APPOINTMENT,
            403: OpenApiResponse(description="Your role cannot book appointments."),
            404: OpenApiResponse(description="`patient` is not one of your care teams' patients."),
        },
    )
    def post(self, request: Request) -> Response:
        data = AppointmentSerializer(data=request.data)
        valid = data.is_valid()
        patient = self._patient(request, data)  # an unknown patient is 404 before anything else
        if not valid:
            raise serializers.ValidationError(data.errors)
        fields = dict(data.validated_data)
        fields.pop("patient_id", None)
        try:
            appointment = services.appointment_create(
                patient=patient, created_by=request.user, **fields
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        return Response(_shown(appointment), status=status.HTTP_201_CREATED)

    def _patient(self, request: Request, data: AppointmentSerializer) -> User:
        """Patients book for themselves; care staff name one of their patients."""
        user = request.user
        if access.is_patient(user):
            return user
        if not access.is_care_staff(user):
            raise PermissionDenied(_("Your role cannot book appointments."))
        raw = data.initial_data.get("patient") if hasattr(data.initial_data, "get") else None
        if raw is None or raw == "":
            raise serializers.ValidationError(
                {"patient": [_("Say which patient this appointment is for (their id).")]}
            )
        if isinstance(raw, bool) or not str(raw).isdigit():
            raise serializers.ValidationError({"patient": [_("A patient id is a whole number.")]})
        return access.get_profile_or_404(user, int(raw)).user


class AppointmentDetailView(APIView):
    """One appointment the caller may see. PATCH reschedules or edits it: its reminders move."""

    carer_rights = {"GET": (selectors.CARER_RIGHT,)}  # a carer looks; changing is the patient's

    @extend_schema(
        parameters=[ID_PARAMETER], responses={200: AppointmentSerializer, 404: NOT_FOUND}
    )
    def get(self, request: Request, pk: int) -> Response:
        appointment = selectors.appointment_for_user_or_404(request.user, pk)
        _record_access(request, [appointment.patient_id])
        return Response(_shown(appointment))

    @extend_schema(
        parameters=[ID_PARAMETER],
        request=AppointmentSerializer,
        responses={200: AppointmentSerializer, 400: BAD_APPOINTMENT, 404: NOT_FOUND},
    )
    def patch(self, request: Request, pk: int) -> Response:
        appointment = selectors.appointment_for_user_or_404(request.user, pk)
        _record_access(request, [appointment.patient_id])
        data = AppointmentSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        patient_id = changes.pop("patient_id", appointment.patient_id)
        if patient_id != appointment.patient_id:
            raise serializers.ValidationError(
                {"patient": [_("An appointment stays with its patient. Cancel it and book anew.")]}
            )
        if changes:
            try:
                appointment = services.appointment_update(appointment=appointment, **changes)
            except DjangoValidationError as error:
                raise as_api_error(error) from None
        return Response(_shown(appointment))


class AppointmentCancelView(APIView):
    """Cancel an appointment; its reminders not yet sent are cancelled. Cancelling twice is
    harmless."""

    @extend_schema(
        operation_id="v1_appointments_cancel",
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: AppointmentSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        appointment = selectors.appointment_for_user_or_404(request.user, pk)
        _record_access(request, [appointment.patient_id])
        services.appointment_cancel(appointment=appointment)
        return Response(_shown(selectors.appointment_for_user_or_404(request.user, pk)))


# --- Calendar feed -----------------------------------------------------------------------------


class ICalendarRenderer(BaseRenderer):
    """Lets calendar apps ask for text/calendar; the feed itself is written by build_calendar."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class CalendarFeedView(APIView):
    """A patient's appointments as an iCalendar feed. The secret token in the address is the
    only key: no login, so phone calendars can subscribe. Rotating the token (settings page)
    makes the old address 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer, JSONRenderer]

    @extend_schema(
        operation_id="calendar_feed",
        parameters=[
            OpenApiParameter(
                "token",
                {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                OpenApiParameter.PATH,
                description="The secret token shown on the patient's settings page.",
            )
        ],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="RFC 5545 calendar: one VEVENT per appointment from a year ago on, "
                'each called just "Appointment" (no health details), with LOCATION and times '
                "in the patient's time zone (TZID and VTIMEZONE). Cancelled appointments stay "
                "as STATUS:CANCELLED events so subscribed calendars drop them.",
            ),
            404: OpenApiResponse(description="No feed has this token (or it was rotated)."),
        },
        auth=[],
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        feed = selectors.feed_by_token(token)
        if feed is None:
            raise Http404(_("No such calendar."))
        profile = feed.patient.patient_profile
        # A calendar app asks, not the patient: the event titles are in the patient's language.
        with in_language_of(feed.patient):
            body = build_calendar(
                selectors.feed_appointments(feed, now=timezone.now()),
                zone=profile.timezone,
                link_for=lambda pk: settings.SITE_URL + reverse("appointment_detail", args=[pk]),
            )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="appointments.ics"'
        response["Cache-Control"] = "private, no-cache"
        response["X-Robots-Tag"] = "noindex"
        return response

    def finalize_response(
        self, request: Request, response: HttpResponse, *args: object, **kwargs: object
    ) -> HttpResponse:
        # Errors (404) are JSON like everywhere else in the API, whatever the client accepts.
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
