"""Index the relation rows by a 64-bit key (models.key_hash) instead of (workspace, text):
the entries shrink from 100+ bytes to ~30 and inserting a row costs less than half.
Existing rows get their hashes before the new indexes are built; the verb's text on agent
rows gives way to its hash."""

import hashlib

from django.db import migrations, models


def _hash(workspace_hex: str, key: str) -> int:
    # A frozen copy of unstuck.lrs.models._key_hash (a migration must not follow later code;
    # the function itself never changes, since stored rows hold its values).
    digest = hashlib.blake2b(key.encode(), digest_size=8, key=bytes.fromhex(workspace_hex)).digest()
    return int.from_bytes(digest, "big", signed=True)


def _fill(apps, schema_editor):
    connection = schema_editor.connection
    for table, columns, sets in (
        ("lrs_statementactivity", "workspace_id, activity_id", "key_hash = %s"),
        ("lrs_statementagent", "workspace_id, agent_key, verb_id", "key_hash = %s, verb_hash = %s"),
    ):
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {columns} FROM {table} WHERE id > %s ORDER BY id LIMIT 5000",
                    [last],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = []
                for pk, ws, *texts in rows:
                    ws_hex = str(ws).replace("-", "")
                    updates.append([*(_hash(ws_hex, t or "") for t in texts), pk])
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", updates)


class Migration(migrations.Migration):

    dependencies = [
        ('lrs', '0007_agent_rows_verb'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='statementactivity', name='lrs_sa_ws_act_stored'),
        migrations.RemoveIndex(model_name='statementagent', name='lrs_sg_ws_agent_verb'),
        migrations.AddField(
            model_name='statementactivity',
            name='key_hash',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='statementagent',
            name='key_hash',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='statementagent',
            name='verb_hash',
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.RemoveField(model_name='statementagent', name='verb_id'),
        migrations.AddIndex(
            model_name='statementactivity',
            index=models.Index(fields=['key_hash', 'stored', 'statement'], name='lrs_sa_key_stored'),
        ),
        migrations.AddIndex(
            model_name='statementagent',
            index=models.Index(fields=['key_hash', 'stored', 'statement', 'verb_hash'], name='lrs_sg_key_verb'),
        ),
    ]
