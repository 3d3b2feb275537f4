"""Issue 14: the petition number series moves to the one counter of the office
(office.NumberSeries, series "petitions")."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("petitions", "PetitionCounter")
    New = apps.get_model("office", "NumberSeries")
    for row in Old.objects.all():
        New.objects.update_or_create(
            series="petitions", year=row.year, defaults={"last_number": row.last_number}
        )


def backward(apps, schema_editor):
    Old = apps.get_model("petitions", "PetitionCounter")
    New = apps.get_model("office", "NumberSeries")
    for row in New.objects.filter(series="petitions"):
        Old.objects.update_or_create(year=row.year, defaults={"last_number": row.last_number})


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_state_index_with_id"),
        ("office", "0009_issue14_number_series"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="PetitionCounter"),
    ]
