"""Outcome, awaiting and the approver's role as vocabularies (TextChoices); the two outcomes once stored as
words ("warrant executed", "emergency decided") become their codes."""

from django.db import migrations, models


WORDS = {"warrant executed": "warrant_executed", "emergency decided": "emergency_decided"}


def codes(apps, schema_editor):
    Matter = apps.get_model("matters", "Matter")
    for words, code in WORDS.items():
        Matter.objects.filter(outcome=words).update(outcome=code)


def words(apps, schema_editor):
    Matter = apps.get_model("matters", "Matter")
    for words_, code in WORDS.items():
        Matter.objects.filter(outcome=code).update(outcome=words_)


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0003_production_states'),
    ]

    operations = [
        migrations.RunPython(codes, words),
        migrations.AlterField(
            model_name='matter',
            name='awaiting',
            field=models.CharField(blank=True, choices=[('', 'No one'), ('both', 'The director and counsel'), ('director', 'The director'), ('counsel', 'Counsel')], default='', max_length=10),
        ),
        migrations.AlterField(
            model_name='matter',
            name='outcome',
            field=models.CharField(blank=True, choices=[('', 'Open'), ('declined', 'Declined: no instrument'), ('withdrawn', 'Withdrawn'), ('quashed', 'Quashed'), ('warrant_executed', 'Search warrant executed and reviewed'), ('emergency_decided', 'Emergency request decided and reviewed'), ('released_full', 'Records released in full'), ('released_part', 'Records released in part')], default='', max_length=200),
        ),
        migrations.AlterField(
            model_name='scopeapproval',
            name='as_role',
            field=models.CharField(choices=[('director', 'director'), ('counsel', 'counsel')], max_length=20),
        ),
    ]
