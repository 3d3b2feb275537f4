"""Issue 14: the minutes number series (per meeting kind) move to the one counter of the
office (office.NumberSeries, series "meetings:<kind id>")."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("meetings", "MinutesCounter")
    New = apps.get_model("office", "NumberSeries")
    for row in Old.objects.all():
        New.objects.update_or_create(
            series=f"meetings:{row.kind_id}",
            year=row.year,
            defaults={"last_number": row.last_number},
        )


def backward(apps, schema_editor):
    Old = apps.get_model("meetings", "MinutesCounter")
    New = apps.get_model("office", "NumberSeries")
    for row in New.objects.filter(series__startswith="meetings:"):
        Old.objects.update_or_create(
            kind_id=int(row.series.split(":", 1)[1]),
            year=row.year,
            defaults={"last_number": row.last_number},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_meetings"),
        ("office", "0009_issue14_number_series"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(model_name="minutescounter", name="minutes_counter_kind_year"),
        migrations.DeleteModel(name="MinutesCounter"),
    ]
