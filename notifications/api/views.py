"""Notifications API: the caller's own messages. Thin: a selector reads, a service marks read.

Any signed-in person (patient, coordinator, administrator) sees only messages addressed to them;
another person's message id is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification


class NotificationListView(generics.ListAPIView):
    """What was sent to you or is scheduled for you, newest first (scheduled ones lead)."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_for(self.request.user, include_planned=True)


class NotificationReadView(APIView):
    """Mark one of your messages read. Marking it again keeps the first time."""

    @extend_schema(
        request=None,
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(description="You have no message with this id."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        queryset = selectors.notifications_for(request.user, include_planned=True)
        notification = get_object_or_404(queryset, pk=pk)
        services.notification_mark_read(notification=notification)
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)
