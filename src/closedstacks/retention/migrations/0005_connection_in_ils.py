"""The connection is the ils app's now; the same table, so the foreign keys do not change: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ils', '0001_initial'),
        ('retention', '0004_census_and_schedule'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='linkedcensus',
                name='connection',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='censuses', to='ils.connection'),
            ),
            migrations.AlterField(
                model_name='privacyaudit',
                name='connection',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='privacy_audits', to='ils.connection'),
            ),
            migrations.AlterField(
                model_name='retentionpolicy',
                name='connection',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='retention', to='ils.connection'),
            ),
            migrations.AlterField(
                model_name='retentionrun',
                name='connection',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='retention_runs', to='ils.connection'),
            ),
            migrations.AlterField(
                model_name='retentionschedule',
                name='connection',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='retention_schedule', to='ils.connection'),
            ),
        ], database_operations=[]),
    ]
