"""Notifications API: the caller's own messages. Thin: a selector reads, a service marks read.

Any signed-in person (patient, coordinator, administrator) sees only messages addressed to them;
another person's message id is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import CARER_OWN
from notifications import devices, selectors, services
from notifications.api.serializers import (
    NotificationSerializer,
    PushSubscriptionInputSerializer,
    PushSubscriptionSerializer,
)
from notifications.models import Notification


class NotificationListView(generics.ListAPIView):
    """What was sent to you or is scheduled for you, newest first (scheduled ones lead)."""

    carer_rights = {"GET": CARER_OWN}  # their own messages and devices

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_for(self.request.user, include_planned=True)


class NotificationReadView(APIView):
    """Mark one of your messages read. Marking it again keeps the first time."""

    carer_rights = {"POST": CARER_OWN}  # their own messages and devices

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


class PushSubscriptionListView(APIView):
    """Your devices that show notifications. Adding one never sends anything: only the
    dispatcher sends."""

    carer_rights = {"GET": CARER_OWN, "POST": CARER_OWN}  # their own messages and devices

    @extend_schema(responses={200: PushSubscriptionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        subscriptions = selectors.push_subscriptions_for(request.user)
        return Response(PushSubscriptionSerializer(subscriptions, many=True).data)

    @extend_schema(
        request=PushSubscriptionInputSerializer,
        responses={
            201: PushSubscriptionSerializer,
            200: OpenApiResponse(
                PushSubscriptionSerializer, description="This endpoint was already kept: updated."
            ),
            400: OpenApiResponse(description="A field is missing or malformed."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, created = devices.push_subscription_add(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            device=request.headers.get("User-Agent", ""),
        )
        return Response(
            PushSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PushSubscriptionDetailView(APIView):
    """Remove one of your devices."""

    carer_rights = {"DELETE": CARER_OWN}  # their own messages and devices

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Removed."),
            404: OpenApiResponse(description="You have no device with this id."),
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        if not devices.push_subscription_remove(user=request.user, subscription_id=pk):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
