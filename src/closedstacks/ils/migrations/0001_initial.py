"""Connection moves here from the records app; its table (records_connection) stays as it is: state only."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('records', '0003_productions'),  # the table exists from records 0001
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Connection',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.SlugField(help_text='A short name, such as koha or main-ils.', max_length=60, unique=True, verbose_name='name')),
                    ('connector', models.CharField(choices=[('koha', 'Koha'), ('evergreen', 'Evergreen')], max_length=30, verbose_name='library system')),
                    ('driver', models.CharField(choices=[('mysql', 'mysql'), ('postgresql', 'postgresql'), ('sqlite', 'sqlite')], max_length=20, verbose_name='database')),
                    ('host', models.CharField(blank=True, default='127.0.0.1', max_length=200, verbose_name='host')),
                    ('port', models.PositiveIntegerField(blank=True, null=True, verbose_name='port')),
                    ('database', models.CharField(max_length=500, verbose_name='database name (or file, for SQLite)')),
                    ('read_user', models.CharField(blank=True, max_length=120, verbose_name='read-only user')),
                    ('read_password_encrypted', models.TextField(blank=True, editable=False)),
                    ('write_user', models.CharField(blank=True, max_length=120, verbose_name='write user (retention only)')),
                    ('write_password_encrypted', models.TextField(blank=True, editable=False)),
                    ('active', models.BooleanField(default=True, verbose_name='in use')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('last_tested_at', models.DateTimeField(blank=True, null=True)),
                    ('last_test_ok', models.BooleanField(null=True)),
                    ('last_test', models.JSONField(blank=True, default=dict)),
                ],
                options={
                    'db_table': 'records_connection',
                    'ordering': ['name'],
                },
            ),
        ], database_operations=[]),
    ]
