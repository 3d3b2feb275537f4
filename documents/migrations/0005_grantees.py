"""`IncomingDocument.grantees`: the IncomingAccess rows copied onto the document, so that
visible_to is one test on the row instead of a join over ~3,600,000 access rows at 1,000,000
documents (issue 4: the section register, its filters and its search).

The backfill is one set-based UPDATE on PostgreSQL; other databases (SQLite, the embedded
default, small by nature) are filled row by row with the same rule as
`documents.models.grantee_keys`: every person; sections and units only on documents that are not
restricted; sorted, each once, space-separated.

PostgreSQL indexes (none of them exists elsewhere; SQLite has the plain `incoming_received`):
- `incoming_find_gin` replaces `incoming_search_gin` (0002): one GIN index over the search
  tokens AND the grantees, so "供暖, for 综合科" is one index scan that yields only the ~1,600
  matching rows. Two separate GIN indexes gave a BitmapAnd whose bitmap of a section's ~140,000
  documents went lossy in work_mem, and every row on a lossy page had its text parsed again.
- `incoming_received` is rebuilt covering (INCLUDE grantees, marking, state, urgency): the
  capped count of a section's register walks the index alone, no table row read.
- `incoming_state_urgency` (state, urgency, received_at, id) INCLUDE (marking, grantees): the
  register filtered by state and urgency, counted from the index alone.
The expressions must stay the ones `documents.models.RoutedTo` and `documents.search` write.
The old search index is dropped before the UPDATE, so the UPDATE does not maintain it.
Migration 0006 vacuums the table afterwards (a new version of every row)."""

from django.db import migrations, models

BACKFILL = """
UPDATE documents_incomingdocument d SET grantees = g.keys
FROM (
    SELECT k.document_id, string_agg(DISTINCT k.key, ' ' ORDER BY k.key) AS keys
    FROM (
        SELECT a.document_id,
               (CASE WHEN a.user_id IS NOT NULL THEN 'p' || a.user_id
                     WHEN a.section_id IS NOT NULL THEN 's' || a.section_id
                     ELSE 'u' || a.unit_id END) COLLATE "C" AS key
        FROM documents_incomingaccess a
        JOIN documents_incomingdocument x ON x.id = a.document_id
        WHERE a.user_id IS NOT NULL OR x.marking <> 'restricted'
    ) k
    GROUP BY k.document_id
) g
WHERE g.document_id = d.id AND d.grantees IS DISTINCT FROM g.keys
"""

TABLE = "documents_incomingdocument"
CREATE = [
    f"CREATE INDEX incoming_find_gin ON {TABLE} USING gin "
    "(to_tsvector('simple', search_text), string_to_array(grantees, ' '))",
    "DROP INDEX IF EXISTS incoming_received",
    f"CREATE INDEX incoming_received ON {TABLE} (received_at DESC, id DESC) "
    "INCLUDE (grantees, marking, state, urgency)",
    f"CREATE INDEX incoming_state_urgency ON {TABLE} "
    "(state, urgency, received_at DESC, id DESC) INCLUDE (marking, grantees)",
]
DROP = [
    "DROP INDEX IF EXISTS incoming_state_urgency",
    "DROP INDEX IF EXISTS incoming_received",
    f"CREATE INDEX incoming_received ON {TABLE} (received_at DESC, id DESC)",
    "DROP INDEX IF EXISTS incoming_find_gin",
    f"CREATE INDEX IF NOT EXISTS incoming_search_gin ON {TABLE} "
    "USING gin (to_tsvector('simple', search_text))",
]


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS incoming_search_gin")
        schema_editor.execute(BACKFILL)
        return
    IncomingDocument = apps.get_model("documents", "IncomingDocument")
    IncomingAccess = apps.get_model("documents", "IncomingAccess")
    grants: dict[int, set[str]] = {}
    restricted = set(
        IncomingDocument.objects.filter(marking="restricted").values_list("pk", flat=True)
    )
    rows = IncomingAccess.objects.values_list("document_id", "user_id", "section_id", "unit_id")
    for document_id, user_id, section_id, unit_id in rows.iterator():
        keys = grants.setdefault(document_id, set())
        if user_id is not None:
            keys.add(f"p{user_id}")
        elif document_id in restricted:
            continue
        elif section_id is not None:
            keys.add(f"s{section_id}")
        elif unit_id is not None:
            keys.add(f"u{unit_id}")
    for document_id, keys in grants.items():
        IncomingDocument.objects.filter(pk=document_id).update(grantees=" ".join(sorted(keys)))


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in CREATE:
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_outgoing"),
    ]

    operations = [
        migrations.AddField(
            model_name="incomingdocument",
            name="grantees",
            # db_default too: rows written by code that predates the column (another branch's
            # seeder on a shared database) get '' rather than failing NOT NULL.
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
