"""Group commit on SQLite: a process's concurrent requests share one transaction, and each
is still answered as if it had been alone (all or nothing, its own 400/409)."""

import threading
import time
import uuid

import pytest
from django.db import connection

from unstuck.accounts.services import create_workspace
from unstuck.errors import ApiError
from unstuck.lrs import services
from unstuck.lrs.models import Statement, StatementAgent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("group commit is SQLite's (one writer); PostgreSQL writes in parallel")


def _stmt(name: str, object_id: str = "http://example.com/a", sid: str | None = None) -> dict:
    return {
        "id": sid or str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:{name}@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": object_id},
    }


def _concurrently(requests: list[tuple]) -> list:
    """Run record_statements for each (workspace, statements) in its own thread, all
    queued behind one held turn so that they are stored as one group; return each
    thread's ids or ApiError."""
    gc = services._group_commit
    answers: list = [None] * len(requests)

    def send(i: int, workspace, statements) -> None:
        try:
            answers[i] = services.record_statements(workspace=workspace, statements=statements)
        except ApiError as exc:
            answers[i] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(i, ws, stmts)) for i, (ws, stmts) in enumerate(requests)
    ]
    with gc._turn:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(gc._waiting) < len(threads) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert len(gc._waiting) == len(threads)
    for t in threads:
        t.join(10)
    return answers


def test_concurrent_requests_share_one_commit_and_each_gets_its_own_ids():
    ws = create_workspace(name="G", slug="g")
    requests = [(ws, [_stmt(f"p{i}-{j}") for j in range(3)]) for i in range(5)]
    before = services._group_commit.commits

    answers = _concurrently(requests)

    assert services._group_commit.commits - before == 1
    for (_, stmts), ids in zip(requests, answers, strict=True):
        assert ids == [s["id"] for s in stmts]
    assert Statement.objects.filter(workspace=ws).count() == 15
    # Every statement of the group has the same `stored` and its relation rows.
    assert Statement.objects.filter(workspace=ws).values("stored").distinct().count() == 1
    assert StatementAgent.objects.filter(workspace=ws).count() == 30  # actor + authority


def test_a_refused_request_in_a_group_stores_nothing_and_the_others_are_stored():
    ws = create_workspace(name="G", slug="g")
    taken = str(uuid.uuid4())
    services.record_statements(workspace=ws, statements=[_stmt("first", sid=taken)])
    good_1 = [_stmt("a"), _stmt("b")]
    conflict = [_stmt("c"), _stmt("first", object_id="http://example.com/other", sid=taken)]
    invalid = [_stmt("d"), {"actor": {"mbox": "not-an-email"}}]
    good_2 = [_stmt("e")]

    answers = _concurrently([(ws, good_1), (ws, conflict), (ws, invalid), (ws, good_2)])

    assert answers[0] == [s["id"] for s in good_1]
    assert isinstance(answers[1], ApiError) and answers[1].status == 409
    assert isinstance(answers[2], ApiError) and answers[2].status == 400
    assert answers[3] == [good_2[0]["id"]]
    stored = set(Statement.objects.filter(workspace=ws).values_list("statement_id", flat=True))
    assert {str(s) for s in stored} == {taken, *(s["id"] for s in good_1 + good_2)}


def test_requests_of_two_workspaces_in_one_group_stay_in_their_workspace():
    ws_a = create_workspace(name="A", slug="a")
    ws_b = create_workspace(name="B", slug="b")
    shared_id = str(uuid.uuid4())  # the same statement id, each workspace its own LRS

    answers = _concurrently(
        [(ws_a, [_stmt("x", sid=shared_id)]), (ws_b, [_stmt("y", "http://b.example", shared_id)])]
    )

    assert answers == [[shared_id], [shared_id]]
    a = Statement.objects.get(workspace=ws_a)
    b = Statement.objects.get(workspace=ws_b)
    assert a.actor_key != b.actor_key and b.object_id == "http://b.example"


def test_a_request_inside_a_callers_transaction_commits_with_it_not_with_a_group():
    from django.db import transaction

    ws = create_workspace(name="G", slug="g")
    before = services._group_commit.commits
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_statements(workspace=ws, statements=[_stmt("z")])
        raise RuntimeError("the caller fails after recording")
    assert services._group_commit.commits == before
    assert not Statement.objects.filter(workspace=ws).exists()
