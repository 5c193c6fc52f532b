"""Typing mistakes in the site search, on PostgreSQL: the pg_trgm extension and GIN trigram indexes
on the texts ``portal.search`` compares by similarity. Nothing on other databases (SQLite has no
trigrams; the search suggests names there instead).

Written as SQL inside a function because the indexes are on other apps' tables and exist on
PostgreSQL only. Reversing drops the indexes and leaves the extension, which other database
objects may have come to use."""

from django.db import migrations

# (index name, table, column)
TRIGRAM_INDEXES = (
    ("search_partner_text_trgm", "network_partner", "search_text"),
    ("search_project_text_trgm", "projects_project", "search_text"),
    ("search_resource_text_trgm", "infrastructure_resource", "search_text"),
    ("search_event_title_en_trgm", "events_event", "title_en"),
    ("search_event_title_sl_trgm", "events_event", "title_sl"),
    ("search_news_title_en_trgm", "portal_newsitem", "title_en"),
    ("search_news_title_sl_trgm", "portal_newsitem", "title_sl"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_content_in_both_languages"),
        ("network", "0001_initial"),
        ("events", "0002_content_in_both_languages"),
        ("projects", "0001_initial"),
        ("infrastructure", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
