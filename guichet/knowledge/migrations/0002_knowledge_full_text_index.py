"""The full-text index of the knowledge base: FTS5 on SQLite, GIN on PostgreSQL, over the
same pre-stemmed `search_document` (see guichet/knowledge/search.py)."""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5("
            "document, tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS knowledge_article_fts_idx ON knowledge_article "
            "USING gin (to_tsvector('simple', search_document))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS knowledge_article_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_fts_idx")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_knowledge_articles")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
