"""Appointment pages. The reminders link to /appointments/<id>/ (and to the support and check-in
pages beside it, see support_urls), so these paths must not change."""

from django.urls import include, path

from appointments import views

urlpatterns = [
    path("appointments/", views.appointment_list, name="appointment_list"),
    path("appointments/new/", views.appointment_new, name="appointment_new"),
    path(
        "appointments/<int:appointment_id>/",
        views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/<int:appointment_id>/edit/",
        views.appointment_edit,
        name="appointment_edit",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "settings/calendar/new-address/",
        views.calendar_feed_rotate,
        name="calendar_feed_rotate",
    ),
    path("", include("appointments.support.urls")),
]
