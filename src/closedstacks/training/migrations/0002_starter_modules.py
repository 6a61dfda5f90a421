from django.db import migrations


def load(apps, schema_editor):
    from closedstacks.training.starter import MODULES, PASS_MARK

    Module = apps.get_model("training", "Module")
    ModuleVersion = apps.get_model("training", "ModuleVersion")
    Question = apps.get_model("training", "Question")
    Choice = apps.get_model("training", "Choice")
    for position, data in enumerate(MODULES, start=1):
        if Module.objects.filter(slug=data["slug"]).exists():
            continue
        module = Module.objects.create(slug=data["slug"], title=data["title"], position=position, roles=data["roles"])
        version = ModuleVersion.objects.create(module=module, number=1, body=data["body"], pass_mark=PASS_MARK,
                                               attestation=data["attestation"])
        for number, (text, choices) in enumerate(data["questions"], start=1):
            question = Question.objects.create(version=version, position=number, text=text)
            Choice.objects.bulk_create([Choice(question=question, position=n, text=choice, correct=correct)
                                        for n, (choice, correct) in enumerate(choices, start=1)])


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
