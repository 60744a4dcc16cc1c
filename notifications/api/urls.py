from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
    path(
        "push-subscriptions/",
        views.PushSubscriptionListView.as_view(),
        name="api-push-subscriptions",
    ),
    path(
        "push-subscriptions/<int:pk>/",
        views.PushSubscriptionDetailView.as_view(),
        name="api-push-subscription",
    ),
]
