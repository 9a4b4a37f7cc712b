"""SQLite: rebuild the FTS5 table with prefix indexes (2 and 3 characters), so that
prefix queries ("opp*") read one index entry instead of scanning every term."""

from django.db import migrations

UP = [
    "DROP TABLE IF EXISTS guidance_searchfts",
    "CREATE VIRTUAL TABLE guidance_searchfts USING fts5(ws_token, title_terms, body_terms, "
    "content='guidance_searchdoc', content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "INSERT INTO guidance_searchfts(guidance_searchfts) VALUES ('rebuild')",
]
DOWN = [
    "DROP TABLE IF EXISTS guidance_searchfts",
    "CREATE VIRTUAL TABLE guidance_searchfts USING fts5(ws_token, title_terms, body_terms, "
    "content='guidance_searchdoc', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO guidance_searchfts(guidance_searchfts) VALUES ('rebuild')",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_search_nudges")]
    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
