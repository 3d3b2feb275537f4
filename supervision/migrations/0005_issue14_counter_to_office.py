"""Issue 14: the task, slip and bulletin number series move to the one counter of the office
(office.NumberSeries, series "supervision:<kind>"); the board's cache version, which borrowed a
counter row ("board", 0), gets its own one-row table."""

from django.db import migrations, models


def forward(apps, schema_editor):
    Old = apps.get_model("supervision", "NumberCounter")
    New = apps.get_model("office", "NumberSeries")
    BoardVersion = apps.get_model("supervision", "BoardVersion")
    for row in Old.objects.all():
        if row.kind == "board":
            BoardVersion.objects.update_or_create(pk=1, defaults={"version": row.last})
        else:
            New.objects.update_or_create(
                series=f"supervision:{row.kind}", year=row.year, defaults={"last_number": row.last}
            )


def backward(apps, schema_editor):
    Old = apps.get_model("supervision", "NumberCounter")
    New = apps.get_model("office", "NumberSeries")
    BoardVersion = apps.get_model("supervision", "BoardVersion")
    for row in New.objects.filter(series__startswith="supervision:"):
        Old.objects.update_or_create(
            kind=row.series.split(":", 1)[1], year=row.year, defaults={"last": row.last_number}
        )
    for row in BoardVersion.objects.all():
        Old.objects.update_or_create(kind="board", year=0, defaults={"last": row.version})


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_proposal_rules"),
        ("office", "0009_issue14_number_series"),
    ]

    operations = [
        migrations.CreateModel(
            name="BoardVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(model_name="numbercounter", name="supervision_counter_once"),
        migrations.DeleteModel(name="NumberCounter"),
    ]
