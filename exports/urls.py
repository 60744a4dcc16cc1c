"""The patient's download of their record (pages; the FHIR API lives in exports/api/)."""

from django.urls import path

from exports import views

urlpatterns = [
    path("settings/record/", views.record_export_request, name="record_export_request"),
    path("record/<int:pk>/", views.record_export_page, name="record_export"),
    path("record/<int:pk>/download/", views.record_export_download, name="record_export_download"),
]
