"""Connection now lives in the ils app (same table): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0003_productions'),
        ('retention', '0005_connection_in_ils'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(
                name='Connection',
            ),
        ], database_operations=[]),
    ]
