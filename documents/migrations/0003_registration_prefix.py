"""Registration numbers are unique per prefix, year and serial: each prefix has its own series
(NumberSeries), so a prefix changed mid-year starts again at 1 instead of colliding."""

from django.db import migrations, models


def prefix_from_number(apps, schema_editor):
    """收文〔2026〕12号 → 收文, for documents registered before the column existed."""
    IncomingDocument = apps.get_model("documents", "IncomingDocument")
    for doc in IncomingDocument.objects.only("pk", "registration_number").iterator():
        prefix = doc.registration_number.split("〔", 1)[0]
        IncomingDocument.objects.filter(pk=doc.pk).update(registration_prefix=prefix)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_search_index_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="incomingdocument",
            name="registration_prefix",
            field=models.CharField(
                default="收文",
                editable=False,
                max_length=30,
                verbose_name="registration prefix",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(prefix_from_number, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="incomingdocument",
            name="incoming_serial_year",
        ),
        migrations.AddConstraint(
            model_name="incomingdocument",
            constraint=models.UniqueConstraint(
                fields=("registration_prefix", "registration_year", "registration_serial"),
                name="incoming_prefix_year_serial",
            ),
        ),
    ]
