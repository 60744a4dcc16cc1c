"""The log page's feedback follows the flag thresholds in force: a score at or above "severe"
says it will be raised with the care team, anxiety and low mood point to support, a red flag
and a fever say whom to call, with the numbers from settings (never written into the page)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from flags.models import FlagThresholds
from symptoms.forms import below_pattern

pytestmark = pytest.mark.django_db

LOG = reverse("log")


def test_answers_that_matter_say_what_happens_next(people, client, settings):
    settings.EMERGENCY_NUMBER = "112"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    FlagThresholds.objects.update_or_create(
        singleton=1, defaults={"severe": 6, "fever_celsius": Decimal("37.8")}
    )
    client.force_login(people.patient_a)
    body = client.get(LOG).content.decode()
    bone = body[
        body.index('id="id_bone_pain"') : body.index("</fieldset>", body.index('id="id_bone_pain"'))
    ]
    # the scores at or above the "severe" threshold in force carry the feedback
    assert '<label class="sv"><input type="radio" name="bone_pain" value="6">' in bone
    assert '<label><input type="radio" name="bone_pain" value="5">' in bone
    assert "We will raise this with your care team." in bone
    anxiety = body[
        body.index('id="id_anxiety"') : body.index("</fieldset>", body.index('id="id_anxiety"'))
    ]
    assert "help and support" in anxiety  # distress: support, not alarm
    # red flags: the numbers are the settings, as tel: links
    assert 'Please call <a href="tel:112">112</a> or go to the emergency department now.' in body
    assert '24-hour line now on <a href="tel:08001234567">0800 123 4567</a>' in body
    # the fever line in force: pattern, data for scripts, words
    assert f'pattern="{below_pattern(Decimal("37.8"))}" data-fever-from="37.8"' in body
    assert "37.8 °C or more: please call your care team\u2019s 24-hour line now on" in body
    # no number is written into the page's own words (symptom help texts are admins' data)
    for name in ("log.html", "_symptom.html", "_temperature.html", "_log_group.html"):
        source = (settings.BASE_DIR / "symptoms/templates/symptoms" / name).read_text()
        assert not re.search(r"\b(999|911|112)\b", source)
