"""Care coordinator pages. Flag alerts link to /patients/<id>/ (flags.services.alerts), so that path
must not change."""

from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("patients/", views.panel, name="panel"),
    path("patients/<int:patient_id>/", views.patient_record, name="record"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/acknowledge/",
        views.flag_action,
        {"action": "acknowledge"},
        name="flag_acknowledge",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/resolve/",
        views.flag_action,
        {"action": "resolve"},
        name="flag_resolve",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/contacts/",
        views.flag_contact,
        name="flag_contact",
    ),
    path("alert-burden/", views.alert_burden, name="alert_burden"),
    path("alert-burden/flags/", views.burden_flags, name="burden_flags"),
]
