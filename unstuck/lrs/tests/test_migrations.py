"""lrs migrations that change stored rows: 0008 fills the key hashes of relation rows
stored before it; 0010 drops the JSON check of lrs_statement.data in place on SQLite."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from unstuck.lrs.models import Statement, StatementActivity, StatementAgent, key_hash

VERB = "http://adlnet.gov/expapi/verbs/experienced"


def _at(migration: str, slug: str, data: dict):
    """Migrate the lrs app back to `migration` and store one statement with the models of
    then: (the apps of then, the workspace, the statement)."""
    executor = MigrationExecutor(connection)
    executor.migrate([("lrs", migration)])
    old = executor.loader.project_state([("lrs", migration)]).apps
    ws = old.get_model("accounts", "Workspace").objects.create(name="Old", slug=slug)
    stmt = old.get_model("lrs", "Statement").objects.create(
        workspace=ws,
        statement_id=uuid.uuid4(),
        stored="2026-01-01T00:00:00Z",
        timestamp="2026-01-01T00:00:00Z",
        verb_id=VERB,
        object_id="http://example.com/a",
        object_type="Activity",
        data=data,
    )
    return old, ws, stmt


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_0008_fills_the_key_hashes_of_existing_relation_rows():
    old, ws, stmt = _at("0007_agent_rows_verb", "old", {})
    old.get_model("lrs", "StatementAgent").objects.create(
        workspace=ws, statement=stmt, agent_key="mbox:mailto:a@example.com", verb_id=VERB
    )
    old.get_model("lrs", "StatementActivity").objects.create(
        workspace=ws, statement=stmt, activity_id="http://example.com/a"
    )

    _migrate_to_latest()

    agent = StatementAgent.objects.get(workspace_id=ws.pk)
    assert agent.key_hash == key_hash(ws.pk, "mbox:mailto:a@example.com") != 0
    assert agent.verb_hash == key_hash(ws.pk, VERB)
    activity = StatementActivity.objects.get(workspace_id=ws.pk)
    assert activity.key_hash == key_hash(ws.pk, "http://example.com/a")
    # Another workspace's hash of the same text differs: the key keeps workspaces apart.
    assert key_hash(uuid.uuid4(), "http://example.com/a") != activity.key_hash


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the CHECK exists on SQLite only")
def test_0010_drops_the_json_check_and_keeps_the_statements():
    _, ws, _ = _at("0009_partial_person_registration_indexes", "old-json", {"kept": True})

    def table_sql() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'lrs_statement'")
            return cursor.fetchone()[0]

    assert "JSON_VALID" in table_sql()  # as Django made it
    _migrate_to_latest()

    assert "JSON_VALID" not in table_sql()
    assert '"data" text NOT NULL' in table_sql()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone()[0] == "ok"
    assert Statement.objects.get(workspace_id=ws.pk).data == {"kept": True}
