from django.db import migrations

BUILT_IN_FLAGS = [
    ("domestic-abuse-perpetrator", "Domestic abuse perpetrator"),
    ("night-time-economy", "Night-time economy"),
    ("neighbourhood-crime", "Neighbourhood crime"),
    ("drugs", "Drugs"),
]


def forwards(apps, schema_editor):
    Flag = apps.get_model("iom", "Flag")
    for code, name in BUILT_IN_FLAGS:
        Flag.objects.update_or_create(code=code, defaults={"name": name, "built_in": True})


def backwards(apps, schema_editor):
    Flag = apps.get_model("iom", "Flag")
    Flag.objects.filter(code__in=[code for code, _ in BUILT_IN_FLAGS], built_in=True).delete()


class Migration(migrations.Migration):
    dependencies = [("iom", "0002_audit_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
