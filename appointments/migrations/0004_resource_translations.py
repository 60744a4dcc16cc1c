from django.db import migrations, models
from django.db.models import F


def copy_to_english(apps, schema_editor):
    """The texts so far are English: they become the English column (modeltranslation reads the
    language columns, not the original one)."""
    apps.get_model("appointments", "Resource").objects.update(
        title_en=F("title"), body_en=F("body")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0003_seed_resources"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="body_en",
            field=models.TextField(help_text="Plain words, reading age about 12.", null=True),
        ),
        migrations.AddField(
            model_name="resource",
            name="body_es",
            field=models.TextField(help_text="Plain words, reading age about 12.", null=True),
        ),
        migrations.AddField(
            model_name="resource",
            name="title_en",
            field=models.CharField(max_length=160, null=True),
        ),
        migrations.AddField(
            model_name="resource",
            name="title_es",
            field=models.CharField(max_length=160, null=True),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
