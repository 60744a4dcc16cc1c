"""The flags app takes over Flag and FlagThresholds from symptoms (symptoms.0006_move_flags): the
tables ``symptoms_flag`` and ``symptoms_flagthresholds`` and every row in them stay as they
are. Their content types are renamed to this app, so django-auditlog's history of each flag and
of the thresholds, and the admin permissions, follow them."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MODELS = ("flag", "flagthresholds")


def _rename(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if content_type.objects.filter(app_label=target, model=model).exists():
            continue  # already there (a database that never had the old one)
        content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor) -> None:
    _rename(apps, "symptoms", "flags")


def move_content_types_back(apps, schema_editor) -> None:
    _rename(apps, "flags", "symptoms")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('symptoms', '0006_move_flags'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='FlagThresholds',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('singleton', models.PositiveSmallIntegerField(default=1, editable=False, unique=True)),
                    ('fever_celsius', models.DecimalField(decimal_places=1, default=Decimal('38.0'), max_digits=3)),
                    ('severe', models.PositiveSmallIntegerField(default=7)),
                    ('worsening_rise', models.PositiveSmallIntegerField(default=2)),
                    ('worsening_floor', models.PositiveSmallIntegerField(default=4)),
                    ('worsening_min_baseline_logs', models.PositiveSmallIntegerField(default=4)),
                    ('worsening_baseline_days', models.PositiveSmallIntegerField(default=14)),
                    ('persistent_level', models.PositiveSmallIntegerField(default=4)),
                    ('persistent_count', models.PositiveSmallIntegerField(default=3)),
                    ('persistent_of_last', models.PositiveSmallIntegerField(default=5)),
                    ('persistent_days', models.PositiveSmallIntegerField(default=7)),
                    ('new_site_level', models.PositiveSmallIntegerField(default=4)),
                    ('new_site_count', models.PositiveSmallIntegerField(default=3)),
                    ('new_site_days', models.PositiveSmallIntegerField(default=7)),
                    ('distress_level', models.PositiveSmallIntegerField(default=7)),
                    ('hypercalcemia_level', models.PositiveSmallIntegerField(default=4)),
                    ('hypercalcemia_days', models.PositiveSmallIntegerField(default=3)),
                    ('not_logging_days', models.PositiveSmallIntegerField(default=4)),
                    ('restaging_grace_days', models.PositiveSmallIntegerField(default=14)),
                    ('recent_red_flag_days', models.PositiveSmallIntegerField(default=30)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                ],
                options={
                    'verbose_name': 'flag thresholds',
                    'verbose_name_plural': 'flag thresholds',
                    'db_table': 'symptoms_flagthresholds',
                    'constraints': [models.CheckConstraint(condition=models.Q(('singleton', 1)), name='flag_thresholds_singleton')],
                },
            ),
            migrations.CreateModel(
                name='Flag',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('rule', models.CharField(choices=[('red_flag', 'Red-flag symptom'), ('fever', 'Fever'), ('mscc', 'Possible spinal cord compression'), ('hypercalcemia', 'Possible high calcium'), ('severe', 'Severe symptom'), ('worsening', 'Worsening symptom'), ('persistent', 'Persistent symptom'), ('new_site', 'Symptoms at a new site'), ('distress', 'Distress'), ('several_warnings', 'Several warnings together'), ('not_logging', 'Not logging'), ('restaging_overdue', 'Restaging overdue')], max_length=20)),
                    ('level', models.CharField(choices=[('urgent', 'Urgent'), ('soon', 'Soon'), ('next_visit', 'Next visit')], max_length=12)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved')], default='open', max_length=12)),
                    ('site', models.CharField(blank=True, max_length=20)),
                    ('subject', models.CharField(blank=True, help_text="The symptom code or site this flag is about, or ''.", max_length=40)),
                    ('title', models.CharField(max_length=200)),
                    ('explanation', models.TextField()),
                    ('advice', models.TextField()),
                    ('evidence', models.JSONField(default=list, help_text='ISO dates of the logs behind it.')),
                    ('opened_at', models.DateTimeField()),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('note', models.TextField(blank=True)),
                    ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags', to=settings.AUTH_USER_MODEL)),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('symptom', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='symptoms.symptom')),
                ],
                options={
                    'db_table': 'symptoms_flag',
                    'ordering': ['-opened_at'],
                    'indexes': [models.Index(fields=['patient', 'status'], name='flag_patient_status')],
                    'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'acknowledged'])), fields=('patient', 'rule', 'subject'), name='one_live_flag_per_patient_rule_subject')],
                },
            ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
