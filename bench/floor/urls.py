from django.urls import path

from bench.floor.views import FloorLogView, healthz

urlpatterns = [
    path("healthz", healthz),
    path("api/v1/logs/", FloorLogView.as_view()),
]
