"""Copy each statement's verb onto its agent rows (and into their index), so that an
`agent` + `verb` query tests the verb in the index instead of reading every statement of
the agent. Existing rows are filled from their statements before the index is built."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('lrs', '0006_statement_ref_stored_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='statementagent',
            name='lrs_sg_ws_agent_stored',
        ),
        migrations.AddField(
            model_name='statementagent',
            name='verb_id',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.RunSQL(
            "UPDATE lrs_statementagent SET verb_id = (SELECT s.verb_id FROM lrs_statement s "
            "WHERE s.id = lrs_statementagent.statement_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='statementagent',
            index=models.Index(fields=['workspace', 'agent_key', 'stored', 'statement', 'verb_id'], name='lrs_sg_ws_agent_verb'),
        ),
    ]
