"""Symptoms API: the catalogue and the caller's own daily logs. Thin: validate, call, show.

Logs are addressed by date within the caller's own logs, so one patient can never reach another's:
a date they have not logged is simply 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import CARER_OWN, IsPatientOrCarer, acting_patient
from accounts.models import RecordAccessKind
from accounts.services import record_access
from flags import urgent
from symptoms import selectors, services
from symptoms.api.serializers import (
    DailyLogSaveSerializer,
    DailyLogSerializer,
    LogFilterSerializer,
    SymptomSerializer,
)
from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog

BAD_LOG = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Rejected, nothing saved. The body names each bad field, e.g. "
    '`{"date": ["This date is in the future. ..."]}`; entry errors line up with the entries, '
    'e.g. `{"entries": [{}, {"severity": ["..."]}]}`. Reasons: a date in the future or more than '
    "30 days back, an unknown or retired symptom, a value of the wrong kind, a severity outside "
    "0-10, a temperature outside 34.0-43.0 °C, the same symptom twice, notes over 2000 "
    "characters.",
)
NOT_A_PATIENT = OpenApiResponse(
    description="Logged in, but not as the patient, nor as their carer with the right to this."
)
# A carer (accounts.CarerLink) reads the logs with the right to log or to see the record, and
# saves them only with the right to log; each log says who entered it (``entered_by``).
LOG_CARER_RIGHTS = {"GET": ("log", "record"), "POST": ("log",)}
NO_LOG = OpenApiResponse(description="You have no log for this date.")
DATE_PARAMETER = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    OpenApiParameter.PATH,
    description="The log's day (YYYY-MM-DD) in your own time zone.",
)


class SymptomListView(APIView):
    """The active symptom catalogue. Retired symptoms are left out (old entries keep them)."""

    carer_rights = {"GET": CARER_OWN}  # the shared catalogue, no one's record

    @extend_schema(responses=SymptomSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(SymptomSerializer(get_catalogue().active, many=True).data)


class LogListCreateView(generics.ListAPIView):
    """The caller's daily logs, newest first; POST saves one day's log. A carer reads and saves
    their patient's, as far as their rights go."""

    permission_classes = [IsPatientOrCarer]
    carer_rights = LOG_CARER_RIGHTS
    serializer_class = DailyLogSerializer

    def get_queryset(self) -> QuerySet[DailyLog]:
        filters = LogFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        patient = acting_patient(self.request)
        record_access(request=self.request, patient_ids=[patient.pk], what=RecordAccessKind.LOG)
        return selectors.logs_for(
            patient=patient,
            date_from=filters.validated_data.get("from"),
            date_to=filters.validated_data.get("to"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="The earliest day to include."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="The latest day to include."),
        ],
        responses={
            200: DailyLogSerializer(many=True),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="A bad `from` or `to` (not YYYY-MM-DD, or `to` before `from`).",
            ),
            403: NOT_A_PATIENT,
        },
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DailyLogSaveSerializer,
        responses={
            200: OpenApiResponse(
                DailyLogSerializer, description="That day's log existed and was replaced."
            ),
            201: OpenApiResponse(DailyLogSerializer, description="A new log for that day."),
            400: BAD_LOG,
            403: NOT_A_PATIENT,
        },
    )
    def post(self, request: Request) -> Response:
        data = DailyLogSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = acting_patient(request)
        try:
            log, created = services.daily_log_save(
                patient=patient, entered_by=request.user, **data.validated_data
            )
        except services.LogInputError as error:
            raise ValidationError(error.detail) from None
        # Urgent advice never waits for the worker: the pure rules run here, in the request. A
        # carer who saves gets the same advice as the patient would.
        rules = urgent.urgent_check(patient.patient_profile)
        context = {"urgent_findings": rules.urgent, "has_live_flag": rules.has_live_flag}
        return Response(
            DailyLogSerializer(log, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LogDetailView(APIView):
    """One of the caller's own logs, by its date (a carer: their patient's, as for the list;
    deleting stays the patient's)."""

    permission_classes = [IsPatientOrCarer]
    carer_rights = {"GET": LOG_CARER_RIGHTS["GET"]}

    @extend_schema(
        parameters=[DATE_PARAMETER],
        responses={200: DailyLogSerializer, 403: NOT_A_PATIENT, 404: NO_LOG},
    )
    def get(self, request: Request, date: dt.date) -> Response:
        patient = acting_patient(request)
        record_access(request=request, patient_ids=[patient.pk], what=RecordAccessKind.LOG)
        log = selectors.log_on(patient=patient, date=date)
        if log is None:
            raise Http404(_("You have no log for this date."))
        return Response(DailyLogSerializer(log).data)

    @extend_schema(
        parameters=[DATE_PARAMETER],
        responses={
            204: OpenApiResponse(description="Deleted."),
            403: NOT_A_PATIENT,
            404: NO_LOG,
        },
    )
    def delete(self, request: Request, date: dt.date) -> Response:
        if not services.daily_log_delete(patient=request.user, date=date):
            raise Http404(_("You have no log for this date."))
        return Response(status=status.HTTP_204_NO_CONTENT)
