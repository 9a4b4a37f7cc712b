"""Drop the CHECK (JSON_VALID(data)) that Django put on lrs_statement.data on SQLite: every
insert parsed the whole statement again under the write lock (StatementJSONField).

Django would rebuild the table to change a column's constraints on SQLite (copying every
statement). Removing a CHECK leaves the stored rows as they are, so this follows SQLite's
documented procedure for such changes instead (https://sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes"): edit the table's CREATE statement in the
schema table and bump the schema version, in constant time whatever the table holds."""

from django.db import migrations

import unstuck.lrs.models

COLUMN = '"data" text NOT NULL'
CHECK = ' CHECK ((JSON_VALID("data") OR "data" IS NULL))'


def drop_check(apps, schema_editor):
    _edit(schema_editor.connection, COLUMN + CHECK, COLUMN)


def restore_check(apps, schema_editor):
    # Only valid JSON was ever written to the column, so the CHECK holds for every row.
    _edit(schema_editor.connection, COLUMN + ",", COLUMN + CHECK + ",")


def _edit(connection, old: str, new: str) -> None:
    if connection.vendor != "sqlite":
        return  # jsonb has no such check
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lrs_statement'")
        (sql,) = cursor.fetchone()
        if old not in sql:
            return
        cursor.execute("PRAGMA schema_version")
        (version,) = cursor.fetchone()
        cursor.execute("PRAGMA writable_schema = ON")
        try:
            cursor.execute(
                "UPDATE sqlite_master SET sql = %s WHERE type = 'table' AND name = 'lrs_statement'",
                [sql.replace(old, new, 1)],
            )
            cursor.execute(f"PRAGMA schema_version = {int(version) + 1}")
        finally:
            cursor.execute("PRAGMA writable_schema = OFF")
        cursor.execute("PRAGMA quick_check(lrs_statement)")
        (result,) = cursor.fetchone()
        if result != "ok":
            raise RuntimeError(f"lrs_statement failed SQLite's quick_check: {result}")


class Migration(migrations.Migration):

    dependencies = [
        ('lrs', '0009_partial_person_registration_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='statement',
                    name='data',
                    field=unstuck.lrs.models.StatementJSONField(),
                ),
            ],
            database_operations=[migrations.RunPython(drop_check, restore_check)],
        ),
    ]
