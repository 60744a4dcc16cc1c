import datetime as dt

from django.urls import path, register_converter

from symptoms.api import views


class LogDateConverter:
    """A calendar day, YYYY-MM-DD. An impossible date (2026-02-30) does not match: 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError means "no match"

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else value


register_converter(LogDateConverter, "logdate")

urlpatterns = [
    path("symptoms/", views.SymptomListView.as_view(), name="api-symptoms"),
    path("logs/", views.LogListCreateView.as_view(), name="api-logs"),
    path("logs/<logdate:date>/", views.LogDetailView.as_view(), name="api-log-detail"),
]
