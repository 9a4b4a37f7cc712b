"""PostgreSQL: a GIN index over the title terms alone, and no pending lists on the GIN
indexes.

- The main index cannot answer "these words in the title": GIN does not store weights, so
  `tsv @@ 'word:A'` rechecks the row of every match, and a query of common words whose
  title matches are few read thousands of rows. The title index reads only title matches.
- With `fastupdate` (the default) new entries go to a pending list that every search
  reads in full until a vacuum merges it: up to 4 MB, some 2 ms per index scan and
  several scans per search. Units are written rarely and searched on every request, so
  entries go straight into the index instead.
"""

from django.db import migrations

UP = [
    "ALTER INDEX guidance_searchdoc_tsv SET (fastupdate = off)",
    "SELECT gin_clean_pending_list('guidance_searchdoc_tsv'::regclass)",
    "CREATE INDEX guidance_searchdoc_title_tsv ON guidance_searchdoc "
    "USING GIN (to_tsvector('simple', title_terms)) WITH (fastupdate = off)",
]
DOWN = [
    "DROP INDEX IF EXISTS guidance_searchdoc_title_tsv",
    "ALTER INDEX guidance_searchdoc_tsv RESET (fastupdate)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("guidance", "0002_fts_prefix_index")]
    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
