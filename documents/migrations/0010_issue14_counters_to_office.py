"""Issue 14: the registration and issue-number series move to the one counter of the office
(office.NumberSeries); the prefix is the series' name. Numbers already given out are kept."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("documents", "NumberSeries")
    New = apps.get_model("office", "NumberSeries")
    for row in Old.objects.all():
        New.objects.update_or_create(
            series=row.prefix, year=row.year, defaults={"last_number": row.last_number}
        )


def backward(apps, schema_editor):
    Old = apps.get_model("documents", "NumberSeries")
    New = apps.get_model("office", "NumberSeries")
    for row in New.objects.exclude(series__contains=":"):
        Old.objects.update_or_create(
            prefix=row.series, year=row.year, defaults={"last_number": row.last_number}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0009_sender_index"),
        ("office", "0009_issue14_number_series"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="NumberSeries"),
    ]
