"""The register's filter by a sending unit (documents.views.lists._by_sender) at 1,000,000
documents: the (sender, received_at) index now carries the id for the list's order and, on
PostgreSQL, the visibility columns, so the capped count walks the index alone. Before, a
section member's count for the busiest sender (兴安盟行政公署办公室, ~50,000 documents) was a
lossy bitmap over both indexes: 404 ms. Elsewhere it is the plain index the model declares."""

from django.db import migrations, models

OLD = models.Index(fields=["sender", "-received_at"], name="incoming_sender_received")
NEW = models.Index(fields=["sender", "-received_at", "-id"], name="incoming_sender")
COVERING = (
    "CREATE INDEX incoming_sender ON documents_incomingdocument "
    "(sender_id, received_at DESC, id DESC) INCLUDE (grantees, marking, state, urgency)"
)


def create(apps, schema_editor):
    model = apps.get_model("documents", "IncomingDocument")
    schema_editor.remove_index(model, OLD)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        schema_editor.execute(COVERING)
        return
    schema_editor.add_index(model, NEW)


def drop(apps, schema_editor):
    model = apps.get_model("documents", "IncomingDocument")
    schema_editor.remove_index(model, NEW)
    schema_editor.add_index(model, OLD)


class Migration(migrations.Migration):
    dependencies = [("documents", "0008_merge_incoming_outgoing")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="incomingdocument", name="incoming_sender_received"),
                migrations.AddIndex(model_name="incomingdocument", index=NEW),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
