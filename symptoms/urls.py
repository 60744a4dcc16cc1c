"""Patient pages: the symptom log, history, and editing the questions for the care team."""

from __future__ import annotations

import datetime as dt

from django.urls import path, register_converter

from symptoms import views


class IsoDateConverter:
    """A calendar day in the URL as YYYY-MM-DD; impossible dates (2025-02-30) are a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError means "no match"

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("log/", views.log_page, name="log"),
    path("log/day/", views.log_pick, name="log_pick"),
    path("log/<isodate:day>/", views.log_page, name="log_day"),
    path("log/<isodate:day>/usual/", views.log_usual, name="log_usual"),
    path("log/<isodate:day>/same/", views.log_same, name="log_same"),
    path("history/", views.history_page, name="history"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/done/", views.question_done, name="question_done"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
]
