"""How GET /xapi/statements pages: one query per page when the workspace holds no
StatementRefs, and since/until bounding the walk of the agent and activity rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

COACH = {"mbox": "mailto:coach@example.com"}
LEARNER = {"mbox": "mailto:learner@example.com"}
COURSE = "http://example.com/courses/c1"
PASSED = "http://adlnet.gov/expapi/verbs/passed"


def stmt(actor=LEARNER, verb=PASSED, activity="http://example.com/a1", **extra):
    s = {
        "actor": actor,
        "verb": {"id": verb},
        "object": {"id": activity},
        "context": {
            "instructor": COACH,
            "contextActivities": {"parent": [{"id": COURSE}]},
        },
    }
    s.update(extra)
    return s


def post_one_by_one(lrs, statements):
    """Post each statement in its own request; return (id, stored) in stored order."""
    ids = [lrs.post("statements", s).json()[0] for s in statements]
    return [(sid, lrs.get("statements", {"statementId": sid}).json()["stored"]) for sid in ids]


def statement_queries(lrs, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        r = lrs.get(url, params)
    assert r.status_code == 200, r.content
    return r.json(), [q["sql"] for q in ctx.captured_queries if "lrs_statement" in q["sql"]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"verb": PASSED},
        {"agent": LEARNER},
        {"agent": COACH, "related_agents": "true"},
        {"activity": COURSE, "related_activities": "true"},
    ],
)
def test_each_page_is_one_query_when_the_workspace_has_no_statement_refs(lrs_a, params):
    post_one_by_one(lrs_a, [stmt() for _ in range(3)])
    lrs_a.get("statements", {"limit": 1})  # the key is loaded and cached
    page1, queries = statement_queries(lrs_a, "statements", {**params, "limit": 2})
    assert len(page1["statements"]) == 2 and len(queries) == 1
    page2, queries = statement_queries(lrs_a, page1["more"])
    assert len(page2["statements"]) == 1 and len(queries) == 1 and page2["more"] == ""


def test_a_filtered_page_asks_for_references_once_the_workspace_has_one(lrs_a):
    [(first, _), (second, _)] = post_one_by_one(lrs_a, [stmt(), stmt()])
    lrs_a.post(
        "statements",
        stmt(
            actor=COACH,
            verb="http://example.com/verbs/confirmed",
            object={"objectType": "StatementRef", "id": first},
        ),
    )
    body, queries = statement_queries(lrs_a, "statements", {"verb": PASSED})
    confirming = lrs_a.get("statements", {"limit": 1}).json()["statements"][0]["id"]
    assert [s["id"] for s in body["statements"]] == [confirming, second, first]
    assert len(queries) > 1


@pytest.mark.parametrize(
    "params",
    [
        {"agent": LEARNER},
        {"agent": COACH, "related_agents": "true"},
        {"activity": COURSE, "related_activities": "true"},
        {"activity": COURSE, "related_activities": "true", "agent": LEARNER},
    ],
)
@pytest.mark.parametrize("ascending", ["false", "true"])
def test_since_and_until_bound_the_walk_of_agent_and_activity_rows(lrs_a, params, ascending):
    rows = post_one_by_one(lrs_a, [stmt() for _ in range(5)])
    since, until = rows[0][1], rows[3][1]
    expected = [sid for sid, _ in rows[1:4]]
    if ascending == "false":
        expected.reverse()
    query = {**params, "since": since, "until": until, "ascending": ascending, "limit": 2}
    body = lrs_a.get("statements", query).json()
    seen = [s["id"] for s in body["statements"]]
    while body["more"]:
        body = lrs_a.get(body["more"]).json()
        seen += [s["id"] for s in body["statements"]]
    assert seen == expected


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_pages_interleave_matches_and_references_to_them_in_stored_order(lrs_a, ascending):
    def confirm(target):
        return stmt(
            actor=COACH,
            verb="http://example.com/verbs/confirmed",
            object={"objectType": "StatementRef", "id": target},
        )

    [(a, _)] = post_one_by_one(lrs_a, [stmt()])
    [(ref_a, _), (b, _)] = post_one_by_one(lrs_a, [confirm(a), stmt()])
    [(ref_b, _), (ref_ref_a, _)] = post_one_by_one(lrs_a, [confirm(b), confirm(ref_a)])
    post_one_by_one(lrs_a, [stmt(verb="http://example.com/verbs/other")])
    expected = [a, ref_a, b, ref_b, ref_ref_a]
    if ascending == "false":
        expected.reverse()
    for limit in (1, 2, 3):
        body = lrs_a.get("statements", {"verb": PASSED, "limit": limit, "ascending": ascending})
        body = body.json()
        seen = [s["id"] for s in body["statements"]]
        while body["more"]:
            body = lrs_a.get(body["more"]).json()
            seen += [s["id"] for s in body["statements"]]
        assert seen == expected, limit


def test_a_reference_on_the_page_reaches_a_match_through_an_older_reference(lrs_a):
    def confirm(target):
        return stmt(
            actor=COACH,
            verb="http://example.com/verbs/confirmed",
            object={"objectType": "StatementRef", "id": target},
        )

    [(a, _)] = post_one_by_one(lrs_a, [stmt()])
    [(ref_a, _)] = post_one_by_one(lrs_a, [confirm(a)])
    [(b, _), (c, _), (d, _)] = post_one_by_one(lrs_a, [stmt(), stmt(), stmt()])
    # Only ref_ref_a is newer than the first page's matches; its target ref_a is not.
    [(ref_ref_a, _)] = post_one_by_one(lrs_a, [confirm(ref_a)])
    body = lrs_a.get("statements", {"verb": PASSED, "limit": 2}).json()
    assert [s["id"] for s in body["statements"]] == [ref_ref_a, d]
    body = lrs_a.get(body["more"]).json()
    assert [s["id"] for s in body["statements"]] == [c, b]
    body = lrs_a.get(body["more"]).json()
    assert [s["id"] for s in body["statements"]] == [ref_a, a] and body["more"] == ""


@pytest.mark.parametrize("related", [False, True])
def test_agent_and_verb_are_tested_on_the_agent_rows_and_page_in_stored_order(lrs_a, related):
    from unstuck.lrs.models import StatementAgent, key_hash

    failed = "http://adlnet.gov/expapi/verbs/failed"
    posted = post_one_by_one(
        lrs_a,
        [stmt(verb=PASSED if i % 3 else failed) for i in range(9)]
        + [stmt(actor=COACH, verb=failed)],
    )
    # Every agent row carries its statement's verb (as its key hash): the learner's, the
    # coach's (instructor) and the authority's.
    rows = StatementAgent.objects.values_list(
        "workspace_id", "statement__verb_id", "verb_hash", "agent_key", "key_hash"
    )
    assert {v for _, v, _, _, _ in rows} == {PASSED, failed}
    for ws, verb, verb_hash, agent, agent_hash in rows:
        assert verb_hash == key_hash(ws, verb) and agent_hash == key_hash(ws, agent)
    params = {"agent": COACH if related else LEARNER, "verb": failed, "limit": 2}
    if related:
        params["related_agents"] = "true"
    expected = [sid for sid, _ in posted[:9:3]]  # the learner's failures (coach instructs)
    if related:
        expected.append(posted[9][0])  # and the coach's own
    seen, url = [], None
    while True:
        body, queries = statement_queries(lrs_a, url or "statements", None if url else params)
        assert len(queries) == 1
        # The walked agent rows (joined under an alias) are tested for the verb themselves.
        alias = re.search(r'"lrs_statementagent" (\w+) ON', queries[0])
        assert alias and f'{alias.group(1)}."verb_hash" = ' in queries[0]
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        url = body["more"]
    assert seen == list(reversed(expected))
