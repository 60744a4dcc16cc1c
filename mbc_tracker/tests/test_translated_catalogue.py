"""The symptom catalogue and the resources in Spanish (django-modeltranslation): every shipped
text has its Spanish, placeholders kept; each language gets its own cached catalogue; and the
log POST's compiled-once queries read the same whatever language is active."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from appointments.models import Resource
from symptoms.catalogue import clear_catalogue_cache, get_catalogue
from symptoms.models import Site, Symptom

pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_shipped_symptom_and_site_has_its_spanish():
    symptoms = list(Symptom.objects.all())
    assert len(symptoms) == 33
    for symptom in symptoms:
        assert symptom.name_es and symptom.help_text_es, symptom.code
        assert symptom.name_es != symptom.name_en, symptom.code
        # The phone numbers come from settings: the same placeholders in both languages.
        assert sorted(PLACEHOLDER.findall(symptom.help_text_es)) == sorted(
            PLACEHOLDER.findall(symptom.help_text_en)
        ), symptom.code
    assert all(site.name_es for site in Site.objects.all())


def test_every_shipped_resource_has_its_spanish():
    resources = list(Resource.objects.all())
    assert len(resources) == 10
    for resource in resources:
        assert resource.title_es and resource.body_es, resource.title_en
        assert resource.body_es.count("\n\n") == resource.body_en.count("\n\n"), resource.title_en


def test_texts_follow_the_active_language_and_fall_back_to_english():
    fever = Symptom.objects.get(code="fever")
    with translation.override("es"):
        assert fever.name == "Temperatura (fiebre)"
        assert "38,0 °C" in fever.help_text
    with translation.override("en"):
        assert fever.name == "Temperature"
    new = Symptom.objects.create(
        code="hiccups", name="Hiccups", site_id="general", kind="severity", display_order=99
    )
    with translation.override("es"):
        assert Symptom.objects.get(pk=new.pk).name == "Hiccups"  # no Spanish yet: English


def test_each_language_has_its_own_cached_catalogue(django_assert_num_queries):
    clear_catalogue_cache()
    with translation.override("es"):
        spanish = get_catalogue()
    with translation.override("en"):
        english = get_catalogue()
    assert spanish.symptoms["seizure"].name == "Convulsión"
    assert english.symptoms["seizure"].name == "Seizure (fit)"
    assert spanish.site("bone").name == "Huesos"
    # Both are cached now: no query in either language, and neither answers for the other.
    with django_assert_num_queries(0):
        for language, name in [("es", "Convulsión"), ("en", "Seizure (fit)")] * 2:
            with translation.override(language):
                assert get_catalogue().symptoms["seizure"].name == name


def test_the_log_posts_compiled_queries_are_the_same_in_every_language(people):
    """flags.facts and the token lookup compile their SQL once per process: it must not depend
    on the language active at that moment (modeltranslation rewrites translated fields)."""
    from accounts.api.authentication import _token_query
    from flags import facts

    now = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)

    def compiled() -> list[str]:
        queries = [
            facts._one_row_query(1, now=now, newest_log=True).query,
            facts._one_row_query(1, now=now, newest_log=False).query,
            facts._day_log_rows([1], date_from=now.date()).query,
            _token_query("-" * 64)[:1].query,
        ]
        return [str(query.get_compiler(connection.alias).as_sql()[0]) for query in queries]

    with translation.override("en"):
        english = compiled()
    with translation.override("es"):
        spanish = compiled()
    assert english == spanish
    assert not any("_es" in sql or "name_en" in sql for sql in english)


def test_admin_edits_each_language(people, client):
    client.force_login(people.admin)
    page = client.get(reverse("admin:symptoms_symptom_change", args=["fever"])).content.decode()
    assert 'name="name_en"' in page and 'name="name_es"' in page
    assert 'name="help_text_es"' in page
    page = client.get(
        reverse("admin:appointments_resource_change", args=[Resource.objects.first().pk])
    ).content.decode()
    assert 'name="title_es"' in page and 'name="body_es"' in page
    page = client.get(reverse("admin:symptoms_site_change", args=["bone"])).content.decode()
    assert 'name="name_es"' in page
