"""Scan support, the post-scan check-in and the resource library.

Included from appointments/urls.py. The reminder messages link to the two appointment pages by
path (appointments.reminder_planning._link), so these paths must not change.
"""

from __future__ import annotations

from django.urls import path

from appointments.support import views as support_views

urlpatterns = [
    path("resources/", support_views.resources_page, name="resources"),
    path(
        "appointments/<int:appointment_id>/support/",
        support_views.support_page,
        name="appointment_support",
    ),
    path(
        "appointments/<int:appointment_id>/check-in/",
        support_views.checkin_page,
        name="appointment_checkin",
    ),
]
