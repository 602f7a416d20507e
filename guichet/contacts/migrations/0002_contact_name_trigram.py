"""Trigram index on the folded names, on PostgreSQL only, so that finding "goff" among
hundreds of thousands of contacts stays instant. Where the pg_trgm extension cannot be
created (no rights), the search still works, only slower."""

from django.db import migrations, transaction


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - missing rights: keep the portable behaviour
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS contact_name_key_trgm_idx "
        "ON contacts_contact USING gin (name_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_key_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
