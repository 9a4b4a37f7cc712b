import json
import uuid

import pytest

from unstuck.accounts.models import AuditEntry
from unstuck.accounts.services import create_person
from unstuck.errors import ApiError
from unstuck.lrs import profile, queries
from unstuck.lrs.models import Activity, Statement, StatementActivity
from unstuck.lrs.services import erase_person, record_statements


def make(actor=None, verb_id=profile.VERB_EXPERIENCED, object_id="http://example.com/a", **extra):
    stmt = {
        "actor": actor or {"mbox": "mailto:someone@example.com"},
        "verb": {"id": verb_id, "display": {"en-US": "did"}},
        "object": {"id": object_id},
    }
    stmt.update(extra)
    return stmt


def test_it_records_a_profile_statement_into_indexed_columns(ws_a):
    person = create_person(workspace=ws_a, external_id="u-1", name="Uma")
    unit_id = str(uuid.uuid4())
    stmt = profile.statement(
        actor=profile.actor_for_person(person),
        verb=profile.VERB_COMPLETED,
        object_id=profile.unit_activity_id(unit_id),
        object_type=profile.ACTIVITY_UNIT,
        object_name="Log a call",
        result={
            "success": True,
            "completion": True,
            "score": {"scaled": 0.5},
            "duration": "PT1M30S",
        },
        extensions={
            profile.EXT_HOST_APP: "crm",
            profile.EXT_PAGE: "/calls/new",
            profile.EXT_FIELD: "stage",
            profile.EXT_TASK: "log-call",
            profile.EXT_SESSION: "s-1",
        },
    )
    [sid] = record_statements(workspace=ws_a, statements=[stmt])
    row = Statement.objects.get(statement_id=sid)
    assert row.person == person
    assert (row.host_app, row.page, row.field, row.task, row.session_id) == (
        "crm",
        "/calls/new",
        "stage",
        "log-call",
        "s-1",
    )
    assert row.unit_id == unit_id
    assert (row.success, row.completion, row.score_scaled, row.duration_ms) == (
        True,
        True,
        0.5,
        90000,
    )
    assert row.data["stored"] and row.data["authority"]["account"]["name"] == "ws-a"
    assert row.data["version"] == "1.0.0"
    assert Activity.objects.get(activity_id=profile.unit_activity_id(unit_id)).definition[
        "name"
    ] == {"en-US": "Log a call"}
    assert list(
        queries.statements_for(ws_a, person=person).values_list("statement_id", flat=True)
    ) == [row.statement_id]


def test_a_batch_with_one_bad_statement_stores_nothing(ws_a):
    bad = make(actor={"mbox": "someone@example.com"})
    with pytest.raises(ApiError) as exc:
        record_statements(workspace=ws_a, statements=[make(), bad])
    assert exc.value.status == 400
    assert exc.value.field == "1.actor.mbox"
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verb": {"id": "not an iri"}}, "verb.id"),
        ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"result": {"duration": "90 seconds"}}, "result.duration"),
        ({"context": {"registration": "nope"}}, "context.registration"),
        ({"context": {"extensions": {"color": "red"}}}, "context.extensions.color"),
        ({"verb": {"id": "http://x.y/v", "display": {"en_US": "x"}}}, "verb.display.en_US"),
        ({"unknown": 1}, "unknown"),
        ({"result": {"success": None}}, "result.success"),
        ({"actor": {"mbox": "mailto:a@b.c", "openid": "http://x.y"}}, "actor"),
    ],
)
def test_it_rejects_invalid_statements_naming_the_path(ws_a, change, field):
    with pytest.raises(ApiError) as exc:
        record_statements(workspace=ws_a, statements=[make(**change)])
    assert exc.value.status == 400
    assert exc.value.field == field


def test_the_same_id_with_the_same_content_is_accepted_and_different_content_is_a_conflict(ws_a):
    sid = str(uuid.uuid4())
    record_statements(workspace=ws_a, statements=[make(id=sid, timestamp="2024-05-01T12:00:00Z")])
    assert record_statements(
        workspace=ws_a, statements=[make(id=sid.upper(), timestamp="2024-05-01T12:00:00.000+00:00")]
    ) == [sid]
    with pytest.raises(ApiError) as exc:
        record_statements(
            workspace=ws_a, statements=[make(id=sid, object_id="http://example.com/other")]
        )
    assert exc.value.status == 409
    assert Statement.objects.count() == 1


def test_a_batch_mixing_resent_and_new_statements_stores_only_the_new_ones(ws_a):
    old = make(id=str(uuid.uuid4()), object_id="http://example.com/old")
    [old_id] = record_statements(workspace=ws_a, statements=[old])
    new = make(id=str(uuid.uuid4()), object_id="http://example.com/new")
    assert record_statements(workspace=ws_a, statements=[dict(old), new]) == [old_id, new["id"]]
    assert Statement.objects.filter(workspace=ws_a).count() == 2
    # The resent statement got no second set of relation rows.
    assert StatementActivity.objects.filter(activity_id="http://example.com/old").count() == 1
    assert StatementActivity.objects.filter(activity_id="http://example.com/new").count() == 1

    # One statement of a batch conflicting with a stored one rejects the whole batch.
    changed = make(id=old_id, object_id="http://example.com/changed")
    another = make(id=str(uuid.uuid4()))
    with pytest.raises(ApiError) as exc:
        record_statements(workspace=ws_a, statements=[another, changed])
    assert exc.value.status == 409
    assert exc.value.field == "1.id"
    assert not Statement.objects.filter(statement_id=another["id"]).exists()


def test_the_lrs_sets_stored_once_whatever_the_client_sent(ws_a):
    sent = make(stored="2001-01-01T00:00:00Z")
    [sid] = record_statements(workspace=ws_a, statements=[sent])
    row = Statement.objects.get(statement_id=sid)
    assert row.data["stored"] != "2001-01-01T00:00:00Z"
    assert row.data["stored"] == row.data["timestamp"]  # no timestamp sent: stored is used
    assert row.timestamp == row.stored
    # The row's JSON holds the key once (SQLite keeps the text as written).
    raw = _raw_data(row.pk)
    assert raw.count('"stored"') == 1 and raw.count('"timestamp"') == 1


def _raw_data(pk):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Statement._meta.db_table} WHERE id = %s", [pk])
        (data,) = cursor.fetchone()
    return data if isinstance(data, str) else json.dumps(data)


def test_voiding_marks_the_target_and_a_voiding_statement_cannot_be_voided(ws_a):
    [target] = record_statements(workspace=ws_a, statements=[make()])
    [voiding] = record_statements(
        workspace=ws_a,
        statements=[
            make(verb_id=profile.VERB_VOIDED, object={"objectType": "StatementRef", "id": target})
        ],
    )
    assert Statement.objects.get(statement_id=target).voided
    assert not queries.statements_for(ws_a).filter(statement_id=target).exists()
    with pytest.raises(ApiError) as exc:
        record_statements(
            workspace=ws_a,
            statements=[
                make(
                    verb_id=profile.VERB_VOIDED,
                    object={"objectType": "StatementRef", "id": voiding},
                )
            ],
        )
    assert exc.value.status == 400


def test_a_statement_voided_before_it_arrives_is_stored_voided_in_its_workspace_only(ws_a, ws_b):
    sid = str(uuid.uuid4())
    record_statements(
        workspace=ws_a,
        statements=[
            make(verb_id=profile.VERB_VOIDED, object={"objectType": "StatementRef", "id": sid})
        ],
    )
    # The target arrives later, with others in its batch: it alone is stored voided.
    other = str(uuid.uuid4())
    record_statements(workspace=ws_a, statements=[make(id=sid.upper()), make(id=other)])
    assert Statement.objects.get(workspace=ws_a, statement_id=sid).voided
    assert not Statement.objects.get(workspace=ws_a, statement_id=other).voided
    # The voiding statement of workspace A does not reach the same id in workspace B.
    record_statements(workspace=ws_b, statements=[make(id=sid)])
    assert not Statement.objects.get(workspace=ws_b, statement_id=sid).voided


def test_workspaces_are_separate_stores(ws_a, ws_b):
    sid = str(uuid.uuid4())
    record_statements(workspace=ws_a, statements=[make(id=sid)])
    # The same id in another workspace is another statement, and voiding there touches nothing in A.
    record_statements(workspace=ws_b, statements=[make(id=sid, object_id="http://example.com/b")])
    record_statements(
        workspace=ws_b,
        statements=[
            make(verb_id=profile.VERB_VOIDED, object={"objectType": "StatementRef", "id": sid})
        ],
    )
    assert not Statement.objects.get(workspace=ws_a, statement_id=sid).voided
    assert Statement.objects.get(workspace=ws_b, statement_id=sid).voided


def test_erasing_a_person_deletes_their_statements_and_audits_it(ws_a):
    person = create_person(workspace=ws_a, external_id="gone", name="Gone")
    other = create_person(workspace=ws_a, external_id="stays")
    record_statements(
        workspace=ws_a, statements=[make(actor=profile.actor_for_person(person)) for _ in range(3)]
    )
    record_statements(workspace=ws_a, statements=[make(actor=profile.actor_for_person(other))])
    counts = erase_person(workspace=ws_a, external_id="gone", actor_label="test")
    assert counts["statements"] == 3
    assert Statement.objects.filter(workspace=ws_a).count() == 1
    assert AuditEntry.objects.filter(workspace=ws_a, action="lrs.erase_person").exists()


def test_the_erase_person_command_reports_what_it_removed(ws_a):
    from io import StringIO

    from django.core.management import call_command

    person = create_person(workspace=ws_a, external_id="cli-gone")
    record_statements(workspace=ws_a, statements=[make(actor=profile.actor_for_person(person))])
    out = StringIO()
    call_command("erase_person", "ws-a", "cli-gone", stdout=out)
    assert "1 statements" in out.getvalue()
    assert not Statement.objects.filter(workspace=ws_a).exists()


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-04T09:15:00.000Z",
        "2025-03-04T09:15:00Z",
        "2025-03-04T09:15:00.1Z",
        "2025-03-04T09:15:00.123456z",
        "2025-03-04T09:15:00.1234567Z",
        "2025-03-04T09:15:00.0000000Z",
        "2025-03-04T09:15:00.5+00:00",
        "2025-03-04T09:15:00.5+02:00",
        "2025-03-04T23:59:59.999999-00:30",
        "2025-03-04 09:15:00Z",
        "2025-03-04T09:15+00:00",
        "2025-W10-2T09:15:00Z",
        "20250304T091500Z",
    ],
)
def test_a_timestamp_is_stored_as_the_datetime_path_would_store_it(value):
    from datetime import datetime

    from unstuck.lrs.services import _db_time, _db_timestamp

    moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    assert _db_timestamp(value, True) == _db_time(moment, True)
    assert _db_timestamp(value, False) == moment
