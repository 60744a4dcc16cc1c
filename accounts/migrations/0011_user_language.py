from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_carers"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("es", "Español")],
                help_text="Blank: the language of the person's browser.",
                max_length=8,
                verbose_name="language",
            ),
        ),
    ]
