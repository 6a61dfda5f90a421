"""The transparency report, first made by the app then called ``reports``.

On a database where that app made its table (``reports_transparencyreport``), the table is renamed and its
rows kept; on a new database it is created. Either way the model's state is the same.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


OLD_TABLE = "reports_transparencyreport"


def take_over_or_create(apps, schema_editor):
    model = apps.get_model("transparency", "TransparencyReport")
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
    else:
        schema_editor.create_model(model)


def drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("transparency", "TransparencyReport"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='TransparencyReport',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                    ('half', models.PositiveSmallIntegerField(choices=[(0, 'The whole year'), (1, 'January to June'), (2, 'July to December')], default=0, verbose_name='period')),
                    ('band_size', models.PositiveSmallIntegerField(choices=[(500, '0–499, 500–999, …'), (1000, '0–999, 1000–1999, …')], default=500, verbose_name='bands for national security process')),
                    ('narrative', models.TextField(blank=True, verbose_name='narrative')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10)),
                    ('figures', models.JSONField(blank=True, default=dict, help_text='Frozen when the report is published.')),
                    ('version', models.PositiveIntegerField(default=1)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('published_at', models.DateTimeField(blank=True, null=True)),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-year', '-half', '-pk'],
                    'constraints': [models.UniqueConstraint(fields=('year', 'half'), name='one_report_per_period')],
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(take_over_or_create, drop),
    ]
