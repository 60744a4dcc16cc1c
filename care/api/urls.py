from django.urls import path

from care.api import views

urlpatterns = [
    path("patients/", views.PatientListCreateView.as_view(), name="api-patients"),
    path("patients/<int:pk>/", views.PatientDetailView.as_view(), name="api-patient-detail"),
]
