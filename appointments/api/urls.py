from django.urls import path, re_path

from appointments.api import views

urlpatterns = [
    path("appointments/", views.AppointmentListCreateView.as_view(), name="api-appointments"),
    path(
        "appointments/<int:pk>/",
        views.AppointmentDetailView.as_view(),
        name="api-appointment-detail",
    ),
    path(
        "appointments/<int:pk>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="api-appointment-cancel",
    ),
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$",
        views.CalendarFeedView.as_view(),
        name="api-calendar-feed",
    ),
]
