"""Patient pages: what to raise with the care team, and the visit summary."""

from django.urls import path

from flags import views

urlpatterns = [
    path("questions/", views.raise_with_team, name="raise_with_team"),
    path("summary/", views.visit_summary, name="visit_summary"),
    path("summary.pdf", views.visit_summary_pdf, name="visit_summary_pdf"),
    path("flags/<int:pk>/respond/", views.flag_respond, name="flag_respond"),
    path("flags/respond/", views.flag_respond_pending, name="flag_respond_pending"),
]
