"""Account pages of our own (login, logout and password pages are Django's)."""

from django.urls import path

from accounts import carer_views, views

urlpatterns = [
    path("two-step/", views.two_step_manage, name="two_step"),
    path("two-step/code/", views.two_step_verify, name="two_step_verify"),
    path("two-step/set-up/", views.two_step_setup, name="two_step_setup"),
    path("two-step/recovery-codes/", views.two_step_codes, name="two_step_codes"),
    # Before Django's own: a carer who sets their password is signed in and taken home.
    path(
        "reset/<uidb64>/<token>/",
        carer_views.InvitationPasswordView.as_view(),
        name="password_reset_confirm",
    ),
]
