"""The officer's phone numbers and e-mail move from the profile to the contact list."""

from django.db import migrations


def to_contacts(apps, schema_editor):
    Profile = apps.get_model("library", "LibraryProfile")
    Contact = apps.get_model("library", "Contact")
    for profile in Profile.objects.all():
        if not (profile.officer_phone or profile.after_hours_phone or profile.officer_email):
            continue
        officer = profile.responsible_officer
        name = (officer.full_name or officer.username) if officer else "Responsible officer"
        Contact.objects.create(kind="officer", name=name, office_phone=profile.officer_phone,
                               after_hours_phone=profile.after_hours_phone, email=profile.officer_email)


class Migration(migrations.Migration):
    dependencies = [("library", "0003_branches_contacts_training"), ("accounts", "0002_branch")]

    operations = [
        migrations.RunPython(to_contacts, migrations.RunPython.noop),
        migrations.RemoveField("libraryprofile", "officer_phone"),
        migrations.RemoveField("libraryprofile", "after_hours_phone"),
        migrations.RemoveField("libraryprofile", "officer_email"),
    ]
