"""Flag and FlagThresholds moved to the flags app. Their tables stay as they are (the models
keep ``db_table``), so this only moves Django's record of them: no table changes, no data
moves. flags.0001_initial takes them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('symptoms', '0005_flag_thresholds'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.RemoveField(
                model_name='flag',
                name='acknowledged_by',
            ),
            migrations.RemoveField(
                model_name='flag',
                name='patient',
            ),
            migrations.RemoveField(
                model_name='flag',
                name='resolved_by',
            ),
            migrations.RemoveField(
                model_name='flag',
                name='symptom',
            ),
            migrations.DeleteModel(
                name='FlagThresholds',
            ),
            migrations.DeleteModel(
                name='Flag',
            ),
    
            ],
        ),
    ]
