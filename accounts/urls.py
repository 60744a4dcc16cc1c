"""Account pages of our own (login, logout and password pages are Django's)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("two-step/", views.two_step_manage, name="two_step"),
    path("two-step/code/", views.two_step_verify, name="two_step_verify"),
    path("two-step/set-up/", views.two_step_setup, name="two_step_setup"),
    path("two-step/recovery-codes/", views.two_step_codes, name="two_step_codes"),
]
