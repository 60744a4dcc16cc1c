from django.db import migrations, models
from django.db.models import F


def copy_to_english(apps, schema_editor):
    """The texts so far are English: they become the English column (modeltranslation reads the
    language columns, not the original one)."""
    apps.get_model("symptoms", "Site").objects.update(name_en=F("name"))
    apps.get_model("symptoms", "Symptom").objects.update(
        name_en=F("name"), help_text_en=F("help_text")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("symptoms", "0010_log_entered_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="name_en",
            field=models.CharField(max_length=60, null=True),
        ),
        migrations.AddField(
            model_name="site",
            name="name_es",
            field=models.CharField(max_length=60, null=True),
        ),
        migrations.AddField(
            model_name="symptom",
            name="help_text_en",
            field=models.TextField(
                blank=True,
                help_text="Plain words for patients: what counts, and when to call. Never type a phone number: write {emergency_number} or {care_team_line} and the numbers in the settings are shown.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="symptom",
            name="help_text_es",
            field=models.TextField(
                blank=True,
                help_text="Plain words for patients: what counts, and when to call. Never type a phone number: write {emergency_number} or {care_team_line} and the numbers in the settings are shown.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="symptom",
            name="name_en",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.AddField(
            model_name="symptom",
            name="name_es",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
