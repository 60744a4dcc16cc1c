"""accounts.access: the one place that decides who may see which patient."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts import access
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient

pytestmark = pytest.mark.django_db


def test_patient_sees_only_themself(people):
    assert list(access.visible_patients(people.patient_a)) == [people.patient_a]
    assert access.can_view_patient(people.patient_a, people.patient_a)
    assert not access.can_view_patient(people.patient_a, people.patient_b)


def test_coordinator_sees_only_their_teams(people):
    assert list(access.visible_patients(people.coordinator_a)) == [people.patient_a]
    assert not access.can_view_patient(people.coordinator_a, people.patient_b)
    assert list(access.visible_patients(people.coordinator_b)) == [people.patient_b]


def test_coordinator_in_two_teams_sees_both_without_duplicates(people):
    both = CoordinatorFactory(teams=[people.team_a, people.team_b])
    assert set(access.visible_patients(both)) == {people.patient_a, people.patient_b}
    assert access.visible_profiles(both).count() == 2


def test_admin_sees_everyone_and_anonymous_nobody(people):
    assert set(access.visible_patients(people.admin)) == {people.patient_a, people.patient_b}
    assert not access.visible_patients(AnonymousUser()).exists()


def test_inactive_staff_see_nobody(people):
    people.coordinator_a.is_active = False
    people.coordinator_a.save()
    assert not access.visible_patients(people.coordinator_a).exists()


def test_coordinator_of_no_team_sees_nobody(db):
    make_patient(care_team=CareTeamFactory())
    assert not access.visible_patients(CoordinatorFactory()).exists()


def test_get_profile_or_404_hides_other_teams(people):
    assert access.get_profile_or_404(people.coordinator_a, people.patient_a.pk).user == (
        people.patient_a
    )
    for bad_id in (people.patient_b.pk, people.coordinator_a.pk, 999999, "abc", None):
        with pytest.raises(Http404):
            access.get_profile_or_404(people.coordinator_a, bad_id)
