"""The resource library: the seeded starter set, tag validation, admin and the Resources page."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appointments.admin import masked
from appointments.choices import ResourceTag
from appointments.models import CalendarFeed, Resource, ScanCheckIn
from appointments.support import selectors as support_selectors
from appointments.tests.support_factories import past, upcoming
from appointments.validators import validate_resource_tags

pytestmark = pytest.mark.django_db

RESOURCES = "/resources/"  # the path reminders and pages link to

STARTER_SET = {
    "A slow-breathing exercise": ["scan_anxiety", "coping", "mental_health"],
    "Bring someone with you": ["scan_anxiety", "support"],
    "Ask when and how your results will come": ["scan_anxiety"],
    "Plan things to do while you wait": ["scan_anxiety", "coping"],
    "Talk to someone": ["mental_health", "support", "scan_anxiety"],
    "Support groups": ["support", "coping"],
    "Small things for hard days": ["coping"],
    "Eating when you do not feel like it": ["nutrition"],
    "Moving a little each day": ["exercise"],
    "Complementary therapies": ["complementary", "coping"],
}


# --- The starter set ------------------------------------------------------------------------


def test_the_starter_set_is_seeded_with_sensible_tags():
    seeded = {resource.title: resource.tags for resource in Resource.objects.all()}
    assert seeded == STARTER_SET
    for resource in Resource.objects.all():
        resource.full_clean()  # every seeded tag list passes the validator
        assert resource.active
    covered = {tag for tags in seeded.values() for tag in tags}
    assert covered == set(ResourceTag.values)


def test_the_starter_set_says_what_the_brief_asks_in_plain_words():
    body = {resource.title: resource.body for resource in Resource.objects.all()}
    assert "count to 4" in body["A slow-breathing exercise"]
    assert "count to 6" in body["A slow-breathing exercise"]
    assert "two minutes" in body["A slow-breathing exercise"]
    assert "When will my results be ready?" in body["Ask when and how your results will come"]
    assert (
        "Ask your care team or breast care nurse about local groups for people living with "
        "secondary breast cancer" in body["Support groups"]
    )
    assert (
        "Ask your team before starting any supplement or herbal remedy"
        in (body["Complementary therapies"])
    )
    for text in ("care team", "GP", "counsellor"):
        assert text in body["Talk to someone"]


def test_the_starter_set_has_no_made_up_numbers_or_addresses():
    for resource in Resource.objects.all():
        assert resource.link == ""
        assert not re.search(r"https?://|www\.|\.org|\.com|\d{4,}", resource.body), resource.title


def test_the_starter_set_keeps_sentences_short():
    """A rough reading-age check: plain sentences of about 25 words at most."""
    for resource in Resource.objects.all():
        for sentence in re.split(r"(?<=[.?!])\s+", resource.body):
            assert len(sentence.split()) <= 32, f"{resource.title}: {sentence}"


# --- Tag validation -------------------------------------------------------------------------


@pytest.mark.parametrize("tags", [[], ["scan_anxiety"], ["coping", "support", "nutrition"]])
def test_known_tags_are_accepted(tags):
    validate_resource_tags(tags)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["scan_anxiety", "astrology"], "Unknown tag: astrology"),
        (["Coping"], "Unknown tag: Coping"),
        (["coping", "coping"], "Each tag may be listed once"),
        ("coping", "Tags must be a list"),
        ([1, 2], "Tags must be a list"),
        ({"coping": True}, "Tags must be a list"),
    ],
)
def test_unknown_or_malformed_tags_are_rejected(tags, message):
    with pytest.raises(ValidationError, match=message):
        validate_resource_tags(tags)


def test_the_model_rejects_an_unknown_tag():
    resource = Resource(title="Star signs", body="Not for us.", tags=["coping", "astrology"])
    with pytest.raises(ValidationError) as caught:
        resource.full_clean()
    assert "tags" in caught.value.message_dict
    assert "astrology" in caught.value.message_dict["tags"][0]


# --- Selectors ------------------------------------------------------------------------------


def test_resources_for_orders_by_the_tags_asked_for_then_display_order():
    titles = [r.title for r in support_selectors.resources_for(["mental_health", "support"])]
    assert titles == [
        "A slow-breathing exercise",  # mental_health, order 10
        "Talk to someone",  # mental_health, order 50
        "Bring someone with you",  # support, order 20
        "Support groups",  # support, order 60
    ]


def test_resources_for_leaves_out_hidden_ones():
    Resource.objects.filter(title="Talk to someone").update(active=False)
    titles = [r.title for r in support_selectors.resources_for(["mental_health"])]
    assert titles == ["A slow-breathing exercise"]


def test_with_tag_finds_resources_carrying_the_tag():
    found = support_selectors.with_tag(Resource.objects.all(), "coping")
    assert {r.title for r in found} == {
        title for title, tags in STARTER_SET.items() if "coping" in tags
    }


# --- The Resources page ---------------------------------------------------------------------


def test_the_resources_page_lists_active_resources_once_each_under_their_topic(people, client):
    Resource.objects.create(
        title="A hidden idea", body="Not ready yet.", tags=["coping"], active=False
    )
    client.force_login(people.patient_a)
    response = client.get(RESOURCES)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A hidden idea" not in body
    for title in STARTER_SET:
        assert body.count(f">{title}</h3>") == 1
    sections = {s.heading: [r.title for r in s.resources] for s in response.context["sections"]}
    assert list(sections) == [
        "Before and after a scan",
        "Coping day to day",
        "Support from others",
        "Your feelings",
        "Eating",
        "Keeping active",
        "Complementary therapies",
    ]
    assert sections["Your feelings"] == ["Talk to someone"]
    assert "0800 000 0000" in body  # the 24-hour line, from settings


def test_the_resources_page_is_for_everyone_signed_in(people, client):
    for person in (people.patient_b, people.coordinator_b, people.admin):
        client.force_login(person)
        assert client.get(RESOURCES).status_code == 200
    client.logout()
    response = client.get(RESOURCES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_resource_link_is_shown_as_another_website(people, client):
    Resource.objects.filter(title="Support groups").update(link="https://example.org/groups")
    client.force_login(people.patient_a)
    body = client.get(RESOURCES).content.decode()
    assert 'href="https://example.org/groups" rel="noopener noreferrer"' in body
    assert "on another website" in body


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(people, client):
    client.force_login(people.admin)
    return client


def test_every_admin_page_loads(people, admin_client):
    scan = past(people.patient_a)
    checkin = ScanCheckIn.objects.create(
        patient=people.patient_a, appointment=scan, anxiety=8, note="Worried"
    )
    feed = CalendarFeed.objects.create(patient=people.patient_a)
    resource = Resource.objects.first()
    pages = [
        reverse("admin:appointments_resource_changelist"),
        reverse("admin:appointments_resource_add"),
        reverse("admin:appointments_resource_change", args=[resource.pk]),
        reverse("admin:appointments_resource_changelist") + "?tag=nutrition",
        reverse("admin:appointments_scancheckin_changelist"),
        reverse("admin:appointments_scancheckin_changelist") + "?anxiety=high",
        reverse("admin:appointments_scancheckin_change", args=[checkin.pk]),
        reverse("admin:appointments_calendarfeed_changelist"),
        reverse("admin:appointments_calendarfeed_change", args=[feed.pk]),
        reverse("admin:appointments_appointment_changelist"),
        reverse("admin:appointments_appointment_change", args=[scan.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_admin_filters_resources_by_tag(admin_client):
    url = reverse("admin:appointments_resource_changelist")
    response = admin_client.get(url, {"tag": "nutrition"})
    assert [r.title for r in response.context["cl"].result_list] == [
        "Eating when you do not feel like it"
    ]


def _resource_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title_en": "Music for the waiting room",
        "body_en": "Make a playlist of songs that calm you. Bring headphones on the day.",
        "link": "",
        "topic": "scan_anxiety",
        "other_tags": ["coping", "mental_health"],
        "display_order": "45",
        "active": "on",
    }
    form.update(changes)
    return form


def test_admin_adds_a_resource_with_its_main_topic_first(admin_client):
    response = admin_client.post(reverse("admin:appointments_resource_add"), _resource_form())
    assert response.status_code == 302
    resource = Resource.objects.get(title="Music for the waiting room")
    assert resource.tags == ["scan_anxiety", "coping", "mental_health"]
    change = admin_client.get(reverse("admin:appointments_resource_change", args=[resource.pk]))
    form = change.context["adminform"].form
    assert (form.initial["topic"], form.initial["other_tags"]) == (
        "scan_anxiety",
        ["coping", "mental_health"],
    )


def test_admin_does_not_repeat_the_main_topic(admin_client):
    admin_client.post(
        reverse("admin:appointments_resource_add"),
        _resource_form(other_tags=["scan_anxiety", "coping"]),
    )
    assert Resource.objects.get(title="Music for the waiting room").tags == [
        "scan_anxiety",
        "coping",
    ]


@pytest.mark.parametrize(
    "changes", [{"topic": "astrology"}, {"other_tags": ["coping", "astrology"]}]
)
def test_admin_rejects_an_unknown_tag(admin_client, changes):
    response = admin_client.post(
        reverse("admin:appointments_resource_add"), _resource_form(**changes)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Resource.objects.filter(title="Music for the waiting room").exists()


def test_admin_hides_and_shows_resources(admin_client):
    resource = Resource.objects.get(title="Support groups")
    url = reverse("admin:appointments_resource_changelist")
    admin_client.post(url, {"action": "hide", "_selected_action": [resource.pk]})
    resource.refresh_from_db()
    assert not resource.active
    admin_client.post(url, {"action": "show", "_selected_action": [resource.pk]})
    resource.refresh_from_db()
    assert resource.active


def test_admin_never_shows_a_whole_feed_token(people, admin_client):
    feed = CalendarFeed.objects.create(patient=people.patient_a)
    for url in (
        reverse("admin:appointments_calendarfeed_changelist"),
        reverse("admin:appointments_calendarfeed_change", args=[feed.pk]),
    ):
        body = admin_client.get(url).content.decode()
        assert feed.token not in body
        assert masked(feed.token) in body
    assert admin_client.get(reverse("admin:appointments_calendarfeed_add")).status_code == 403


def test_check_ins_and_appointments_are_read_only_in_admin(people, admin_client):
    scan = past(people.patient_a)
    checkin = ScanCheckIn.objects.create(patient=people.patient_a, appointment=scan, anxiety=3)
    for url in (
        reverse("admin:appointments_scancheckin_add"),
        reverse("admin:appointments_scancheckin_delete", args=[checkin.pk]),
        reverse("admin:appointments_appointment_add"),
        reverse("admin:appointments_appointment_delete", args=[scan.pk]),
    ):
        assert admin_client.get(url).status_code == 403, url
    change = reverse("admin:appointments_scancheckin_change", args=[checkin.pk])
    admin_client.post(change, {"anxiety": "9", "note": "changed"})
    checkin.refresh_from_db()
    assert (checkin.anxiety, checkin.note) == (3, "")


def test_admin_cancels_an_appointment_through_the_service(people, admin_client):
    from notifications.models import Notification, Status

    scan = upcoming(people.patient_a, in_days=10)
    assert Notification.objects.filter(subject_id=scan.pk, status=Status.PLANNED).exists()
    admin_client.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "cancel", "_selected_action": [scan.pk]},
    )
    scan.refresh_from_db()
    assert scan.status == "cancelled"
    assert not Notification.objects.filter(subject_id=scan.pk, status=Status.PLANNED).exists()
