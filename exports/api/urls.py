from django.urls import path

from exports.api import views

urlpatterns = [
    path("me/fhir/", views.MyFhirView.as_view(), name="api-me-fhir"),
    path("patients/<int:pk>/fhir/", views.PatientFhirView.as_view(), name="api-patient-fhir"),
]
