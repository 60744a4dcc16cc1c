"""The notification centre pages."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path(
        "settings/devices/<int:pk>/remove/",
        views.push_device_remove,
        name="push_device_remove",
    ),
    path(
        "settings/notification-choices/",
        views.notification_choices_save,
        name="notification_choices_save",
    ),
]
