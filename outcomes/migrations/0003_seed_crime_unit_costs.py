"""Seed the unit costs of crime from docs/metrics.md: Home Office, The economic and social costs of crime,
2nd edition (2018), 2015/16 prices. Administrators may edit them afterwards."""

from decimal import Decimal

from django.db import migrations

SOURCE = "Home Office, The economic and social costs of crime, 2nd edition (2018)"
PRICE_YEAR = "2015/16"
DEFAULTS = {
    "homicide": 3_217_740,
    "rape": 39_360,
    "violence_with_injury": 14_050,
    "robbery": 11_320,
    "theft_of_vehicle": 10_290,
    "arson": 8_420,
    "other_sexual": 6_520,
    "violence_without_injury": 5_930,
    "domestic_burglary": 5_930,
    "theft_from_person": 1_380,
    "criminal_damage": 1_350,
    "theft_from_vehicle": 870,
}


def seed(apps, schema_editor):
    CrimeUnitCost = apps.get_model("outcomes", "CrimeUnitCost")
    for category, cost in DEFAULTS.items():
        CrimeUnitCost.objects.get_or_create(
            category=category, defaults={"unit_cost": Decimal(cost), "price_year": PRICE_YEAR, "source": SOURCE}
        )


def unseed(apps, schema_editor):
    CrimeUnitCost = apps.get_model("outcomes", "CrimeUnitCost")
    CrimeUnitCost.objects.filter(category__in=DEFAULTS, source=SOURCE, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_offences_imports_metrics")]

    operations = [migrations.RunPython(seed, unseed)]
