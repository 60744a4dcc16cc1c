"""Carer pages: the patient's (under their settings) and the care team's (under the patient)."""

from django.urls import path

from accounts import carer_views

urlpatterns = [
    path("settings/carers/invite/", carer_views.carer_invite, name="carer_invite"),
    path("settings/carers/<int:link_id>/rights/", carer_views.carer_rights, name="carer_rights"),
    path("settings/carers/<int:link_id>/revoke/", carer_views.carer_revoke, name="carer_revoke"),
    path(
        "patients/<int:patient_id>/carers/invite/",
        carer_views.patient_carer_invite,
        name="patient_carer_invite",
    ),
    path(
        "patients/<int:patient_id>/carers/<int:link_id>/revoke/",
        carer_views.patient_carer_revoke,
        name="patient_carer_revoke",
    ),
]
