"""Flag thresholds in admin: the values in force are visible (the one row is created with the
defaults on first read), each field says its unit, fields are grouped by rule, and there is no
adding or deleting another row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flags.models import FlagThresholds
from flags.rules import Thresholds
from flags.services import thresholds_row

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:flags_flagthresholds_changelist"


def test_the_list_on_an_empty_table_opens_the_defaults_in_force(people, client) -> None:
    assert not FlagThresholds.objects.exists()
    client.force_login(people.admin)

    response = client.get(reverse(CHANGELIST), follow=True)

    row = FlagThresholds.objects.get()  # exactly one row now
    assert response.redirect_chain == [
        (reverse("admin:flags_flagthresholds_change", args=[row.pk]), 302)
    ]
    form = response.context["adminform"].form
    assert form.initial["fever_celsius"] == Thresholds().fever_celsius
    assert form.initial["severe"] == Thresholds().severe == 7
    text = response.content.decode()
    assert 'value="38.0"' in text
    # Opening it again creates nothing more.
    client.get(reverse(CHANGELIST), follow=True)
    assert FlagThresholds.objects.count() == 1


def test_units_help_and_groups_by_rule_are_shown(people, client) -> None:
    client.force_login(people.admin)
    text = client.get(reverse(CHANGELIST), follow=True).content.decode()
    for words in (
        "°C",
        "Points on the 0 to 10 scale",
        "Days since the newest log",
        "Logs. How many of the last logs",
        "Fever (urgent)",
        "Severe symptom (soon)",
        "Worsening symptom (soon)",
        "Persistent symptom (next visit)",
        "Symptoms at a new site (soon)",
        "Distress (soon)",
        "Possible high calcium (urgent)",
        "Not logging (soon)",
        "Restaging overdue (next visit)",
    ):
        assert words in text, words
    assert "Save and add another" not in text
    assert "deletelink" not in text


def test_no_adding_and_no_deleting(people, client) -> None:
    row = thresholds_row()
    client.force_login(people.admin)
    assert client.get(reverse("admin:flags_flagthresholds_add")).status_code == 403
    delete = reverse("admin:flags_flagthresholds_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FlagThresholds.objects.count() == 1


def test_a_change_is_saved_and_out_of_range_points_are_refused(people, client) -> None:
    row = thresholds_row()
    client.force_login(people.admin)
    url = reverse("admin:flags_flagthresholds_change", args=[row.pk])
    data = {name: getattr(row, name) for name in Thresholds.__dataclass_fields__}

    refused = client.post(url, {**data, "severe": 11})
    assert refused.status_code == 200  # the form again, with the error
    row.refresh_from_db()
    assert row.severe == 7

    client.post(url, {**data, "severe": 8})
    row.refresh_from_db()
    assert row.severe == 8


def test_coordinators_cannot_open_the_thresholds(people, client) -> None:
    client.force_login(people.coordinator_a)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not FlagThresholds.objects.exists()
