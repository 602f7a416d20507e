"""French full-text index on the case subject and description, on PostgreSQL only.

The expression matches what `guichet.core.search.text_search` builds, so the planner uses
it; SQLite keeps its portable fallback.
"""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS case_french_fts_idx ON cases_case USING gin ("
    "(to_tsvector('french'::regconfig, COALESCE(subject, '') || ' ' || COALESCE(description, '')))"
    ")"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_french_fts_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
