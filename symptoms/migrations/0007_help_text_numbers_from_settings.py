"""Symptom help text names no phone number any more: the stored text says {emergency_number}
(it said "999 (or 911)") and {care_team_line}, and the numbers in the settings are shown to the
patient (symptoms.catalogue.with_numbers). Admin-edited texts are rewritten the same way. The
red-flag label and the field's admin help follow."""

import re

from django.db import migrations, models

EMERGENCY = re.compile(
    r"(?<!\d)(?:999|911|112)(?:\s*\(or (?:999|911|112)\)|\s*/\s*(?:999|911|112)"
    r"|\s+or\s+(?:999|911|112))?(?!\d)"
)
CARE_LINE = re.compile(r"24-hour line now(?! on \{care_team_line\})")


def with_placeholders(text: str) -> str:
    text = EMERGENCY.sub("{emergency_number}", text)
    return CARE_LINE.sub("24-hour line now on {care_team_line}", text)


def without_placeholders(text: str) -> str:
    text = text.replace("{emergency_number}", "999 (or 911)")
    return text.replace(" on {care_team_line}", "")


def _rewrite(apps, change):
    Symptom = apps.get_model("symptoms", "Symptom")
    for symptom in Symptom.objects.all():
        text = change(symptom.help_text)
        if text != symptom.help_text:
            symptom.help_text = text
            symptom.save(update_fields=["help_text"])


def forwards(apps, schema_editor):
    _rewrite(apps, with_placeholders)


def backwards(apps, schema_editor):
    _rewrite(apps, without_placeholders)


class Migration(migrations.Migration):

    dependencies = [
        ('symptoms', '0006_move_flags'),
    ]

    operations = [
        migrations.AlterField(
            model_name='symptom',
            name='help_text',
            field=models.TextField(blank=True, help_text='Plain words for patients: what counts, and when to call. Never type a phone number: write {emergency_number} or {care_team_line} and the numbers in the settings are shown.'),
        ),
        migrations.AlterField(
            model_name='symptom',
            name='red_flag',
            field=models.CharField(choices=[('none', 'Not a red flag'), ('call_now', 'Call the 24-hour line now'), ('emergency', 'Emergency: call the emergency number')], default='none', max_length=12),
        ),
        migrations.RunPython(forwards, backwards),
    ]
