"""The similar-content index (PostgreSQL only): the content tokens of title and request — the
documents app's approach to Chinese text (documents.search.tokens: bigrams of CJK runs, whole
Latin/digit runs; pg_trgm cannot replace it, it ignores non-ASCII under the C locale) — computed by
an IMMUTABLE SQL function into a STORED generated column `content_tokens` (tsvector) under a GIN
index. PostgreSQL fills the column for every insert (services and bulk seeders alike) and, when
the column is added, for every existing row in the same ALTER TABLE: the set-based backfill.
Django does not know the column; `petitions.services.find_repeats` reads it through RawSQL.
A stored column, not an expression index: filtering the newest petitions by recomputing the
tokens cost ~150 µs a row at 1,000,000 (bench), reading them costs a few. SQLite needs nothing."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION petition_content_tokens(title text, request text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT tok)), ''::tsvector)
  FROM (
    SELECT CASE WHEN r.run ~ '^[0-9A-Za-z]+$' THEN lower(r.run)
                ELSE substr(r.run, i, 2) END AS tok
    FROM (SELECT m[1] AS run
          FROM regexp_matches(coalesce(title, '') || ' ' || coalesce(request, ''),
                              '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+)', 'g')
               AS m) r,
         generate_series(1, CASE WHEN r.run ~ '^[0-9A-Za-z]+$' OR length(r.run) = 1 THEN 1
                                 ELSE length(r.run) - 1 END) AS i
  ) t
$$
"""
COLUMN = (
    "ALTER TABLE petitions_petition ADD COLUMN IF NOT EXISTS content_tokens tsvector "
    "GENERATED ALWAYS AS (petition_content_tokens(title, request)) STORED"
)
INDEX = (
    "CREATE INDEX IF NOT EXISTS petition_content_gin ON petitions_petition "
    "USING gin (content_tokens)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(COLUMN)
        schema_editor.execute(INDEX)
        # the planner's statistics of the column (how common each bigram is)
        schema_editor.execute("ANALYZE petitions_petition")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS petition_content_gin")
        schema_editor.execute("ALTER TABLE petitions_petition DROP COLUMN IF EXISTS content_tokens")
        schema_editor.execute("DROP FUNCTION IF EXISTS petition_content_tokens(text, text)")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_stats_cells")]

    operations = [migrations.RunPython(forwards, backwards)]
