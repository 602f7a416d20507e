"""On PostgreSQL, the search vector is stored (a generated column) rather than computed
from the text for every matching row: ranking thousands of matches then costs a few
milliseconds instead of parsing each article again. SQLite keeps its FTS5 table."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_fts_idx")
    schema_editor.execute(
        "ALTER TABLE knowledge_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_article_vector_idx ON knowledge_article "
        "USING gin (search_vector)"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_vector_idx")
    schema_editor.execute("ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_article_fts_idx ON knowledge_article "
        "USING gin (to_tsvector('simple', search_document))"
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_knowledge_full_text_index")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
