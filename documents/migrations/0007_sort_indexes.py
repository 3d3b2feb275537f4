"""Indexes for the register's sort by registration number and by urgency (documents.forms.SORTS)
and its filter by lead section.

Without them both sorts read and sorted every visible document: 2.6 s for the secretariat at
1,000,000 documents, and the capped count (which keeps the list's ORDER BY) 0.9 s; the section
filter read every document the section led (108 ms for 法制办's 27,000). On PostgreSQL they are
built covering, like `incoming_received` in 0005, so the count walks the index alone;
elsewhere they are the plain indexes the model declares."""

from django.db import migrations, models

INDEXES = [
    models.Index(
        fields=["-registration_year", "-registration_serial", "-id"], name="incoming_number"
    ),
    models.Index(fields=["-priority", "-received_at", "-id"], name="incoming_priority"),
    models.Index(fields=["lead_section", "-received_at", "-id"], name="incoming_lead_section"),
]
COVERING = {
    "incoming_number": "(registration_year DESC, registration_serial DESC, id DESC)",
    "incoming_priority": "(priority DESC, received_at DESC, id DESC)",
    "incoming_lead_section": "(lead_section_id, received_at DESC, id DESC)",
}
INCLUDE = "INCLUDE (grantees, marking, state, urgency)"


def create(apps, schema_editor):
    model = apps.get_model("documents", "IncomingDocument")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, columns in COVERING.items():
            schema_editor.execute(
                f"CREATE INDEX {name} ON documents_incomingdocument {columns} {INCLUDE}"
            )
        return
    for index in INDEXES:
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    model = apps.get_model("documents", "IncomingDocument")
    for index in INDEXES:
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_vacuum_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="incomingdocument", index=index)
                for index in INDEXES
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
