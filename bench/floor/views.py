"""POST /api/v1/logs/ at its floor: token auth, a serializer for the same body, one transaction
that upserts the log and replaces its entries, and the saved log as JSON."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.floor.models import FloorEntry, FloorLog


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class EntrySerializer(serializers.Serializer):
    symptom = serializers.CharField(max_length=40)
    severity = serializers.IntegerField(min_value=0, max_value=10, required=False)
    present = serializers.BooleanField(required=False)
    value = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=34, max_value=43, required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(key in attrs for key in ("severity", "present", "value")) != 1:
            raise serializers.ValidationError("Give exactly one of severity, present, value.")
        return attrs


class LogSerializer(serializers.Serializer):
    date = serializers.DateField()
    entries = EntrySerializer(many=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class FloorLogView(APIView):
    def post(self, request: Request) -> Response:
        data = LogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        with transaction.atomic():
            log, created = FloorLog.objects.select_for_update().get_or_create(
                patient=request.user, date=body["date"], defaults={"notes": body["notes"]}
            )
            if not created:
                FloorEntry.objects.filter(log=log).delete()
                log.notes = body["notes"]
                log.save(update_fields=["notes", "updated_at"])
            entries = FloorEntry.objects.bulk_create(
                FloorEntry(
                    log=log,
                    symptom=entry["symptom"],
                    severity=entry.get("severity"),
                    present=entry.get("present"),
                    temperature=entry.get("value"),
                )
                for entry in body["entries"]
            )
        return Response(
            {
                "id": log.pk,
                "date": log.date.isoformat() if hasattr(log.date, "isoformat") else log.date,
                "notes": log.notes,
                "entries": [
                    {
                        "symptom": entry.symptom,
                        **({"severity": entry.severity} if entry.severity is not None else {}),
                        **({"present": entry.present} if entry.present is not None else {}),
                        **(
                            {"value": float(entry.temperature)}
                            if entry.temperature is not None
                            else {}
                        ),
                    }
                    for entry in entries
                ],
                "created_at": log.created_at,
                "updated_at": log.updated_at,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
