"""xAPI "Filter Conditions for StatementRefs": a statement whose object is a StatementRef
matches a filter when the statement it targets matches it, recursively; time and
sequence parameters still apply to the targeting statement itself."""

import uuid

import pytest

from unstuck.lrs.models import Statement

EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
CONFIRMED = "http://example.com/verbs/confirmed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
BEN = {"mbox": "mailto:ben@example.com", "name": "Ben"}
ANDREW = {"mbox": "mailto:andrew@example.com", "name": "Andrew"}
TRAINING = "http://example.com/activities/explosives-training"

pytestmark = pytest.mark.django_db


def passed(**extra):
    s = {
        "actor": BEN,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": TRAINING},
    }
    s.update(extra)
    return s


def ref(target, verb=CONFIRMED, actor=ANDREW):
    return {
        "actor": actor,
        "verb": {"id": verb},
        "object": {"objectType": "StatementRef", "id": target},
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statements"]]


def test_a_statement_confirming_a_match_is_found_by_the_targets_actor_and_activity(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [confirmation] = lrs_a.post("statements", ref(original)).json()
    lrs_a.post("statements", passed(actor=ANDREW, object={"id": "http://example.com/other"}))
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [confirmation, original]
    assert ids(lrs_a.get("statements", {"activity": TRAINING})) == [confirmation, original]
    assert ids(lrs_a.get("statements", {"activity": TRAINING, "related_activities": "true"})) == [
        confirmation,
        original,
    ]


def test_the_rule_applies_recursively_along_a_chain_of_references(lrs_a):
    [c] = lrs_a.post("statements", passed()).json()
    [b] = lrs_a.post("statements", ref(c)).json()
    [a] = lrs_a.post("statements", ref(b, verb="http://example.com/verbs/audited")).json()
    assert ids(lrs_a.get("statements", {"agent": BEN, "ascending": "true"})) == [c, b, a]


def test_a_targeting_statement_matches_its_own_properties_as_well(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [confirmation] = lrs_a.post("statements", ref(original)).json()
    # Filtering on Andrew finds the confirmation by its own actor, not the original.
    assert ids(lrs_a.get("statements", {"agent": ANDREW})) == [confirmation]
    # A statement targeting a statement that does not match is not found.
    [other] = lrs_a.post("statements", passed(actor=ANDREW)).json()
    lrs_a.post("statements", ref(other))
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [confirmation, original]


def test_since_until_and_limit_apply_to_the_targeting_statement_itself(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    between = Statement.objects.get(statement_id=original).stored
    [confirmation] = lrs_a.post("statements", ref(original)).json()
    since = between.isoformat()
    assert ids(lrs_a.get("statements", {"agent": BEN, "since": since})) == [confirmation]
    assert ids(lrs_a.get("statements", {"agent": BEN, "until": since})) == [original]
    page = lrs_a.get("statements", {"agent": BEN, "limit": 1}).json()
    assert [s["id"] for s in page["statements"]] == [confirmation]
    rest = lrs_a.get(page["more"])
    assert ids(rest) == [original]


def test_the_voiding_statement_is_found_through_the_voided_statement_it_targets(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [voiding] = lrs_a.post("statements", ref(original, verb=VOIDED, actor=ANDREW)).json()
    # The voided statement itself is never returned, but it still decides the match.
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [voiding]
    assert ids(lrs_a.get("statements", {"activity": TRAINING})) == [voiding]
    assert ids(lrs_a.get("statements", {"verb": VOIDED})) == [voiding]


def test_a_reference_to_a_voided_statement_is_returned_and_a_voided_reference_is_not(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [confirmation] = lrs_a.post("statements", ref(original)).json()
    [void_original] = lrs_a.post("statements", ref(original, verb=VOIDED)).json()
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [void_original, confirmation]
    [void_confirmation] = lrs_a.post("statements", ref(confirmation, verb=VOIDED)).json()
    # The voided confirmation is gone; the statement voiding it targets a match (via the
    # chain confirmation -> original) and so is found.
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [void_confirmation, void_original]


def test_a_reference_arriving_before_its_target_is_found_once_the_target_exists(lrs_a):
    target = str(uuid.uuid4())
    [early] = lrs_a.post("statements", ref(target)).json()
    assert ids(lrs_a.get("statements", {"agent": BEN})) == []
    lrs_a.put("statements", passed(), params={"statementId": target})
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [target, early]


def test_a_cycle_of_references_ends(lrs_a):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    lrs_a.put("statements", ref(second, actor=BEN), params={"statementId": first})
    lrs_a.put("statements", ref(first), params={"statementId": second})
    assert sorted(ids(lrs_a.get("statements", {"agent": BEN}))) == sorted([first, second])


def test_the_single_statement_read_does_not_follow_references(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [confirmation] = lrs_a.post("statements", ref(original)).json()
    single = lrs_a.get("statements", {"statementId": confirmation}).json()
    assert single["object"] == {"objectType": "StatementRef", "id": original}


def test_workspace_b_references_never_reach_workspace_a(lrs_a, lrs_b):
    [original] = lrs_a.post("statements", passed()).json()
    # B references A's id: B's own query finds nothing of A's, A's finds nothing of B's.
    [b_ref] = lrs_b.post("statements", ref(original)).json()
    assert ids(lrs_a.get("statements", {"agent": BEN})) == [original]
    assert ids(lrs_b.get("statements", {"agent": BEN})) == []
    assert b_ref not in ids(lrs_a.get("statements", {"agent": ANDREW}))


def test_the_target_column_is_filled_only_for_statement_refs(lrs_a):
    [original] = lrs_a.post("statements", passed()).json()
    [confirmation] = lrs_a.post("statements", ref(original.upper())).json()
    assert Statement.objects.get(statement_id=original).object_ref is None
    assert str(Statement.objects.get(statement_id=confirmation).object_ref) == original
