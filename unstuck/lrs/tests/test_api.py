from unstuck.accounts.models import AuditEntry
from unstuck.accounts.services import create_person
from unstuck.lrs import profile
from unstuck.lrs.models import Document, Statement
from unstuck.lrs.services import record_statements, save_document


def _learner_with_record(ws):
    person = create_person(workspace=ws, external_id="erase-me", email="erase@example.com")
    actor = profile.actor_for_person(person)
    record_statements(
        workspace=ws,
        statements=[
            profile.statement(
                actor=actor, verb=profile.VERB_EXPERIENCED, object_id="http://example.com/u/1"
            ),
            profile.statement(
                actor={"mbox": "mailto:erase@example.com"},
                verb=profile.VERB_COMPLETED,
                object_id="http://example.com/u/1",
            ),
            profile.statement(
                actor={"mbox": "mailto:other@example.com"},
                verb=profile.VERB_COMPLETED,
                object_id="http://example.com/u/1",
            ),
        ],
    )
    save_document(
        workspace=ws,
        kind="state",
        doc_id="resume",
        content=b"{}",
        content_type="application/json",
        activity_id="http://example.com/u/1",
        agent=actor,
    )
    return person


def test_an_owner_erases_a_person_and_it_is_audited(api_alice, ws_a):
    _learner_with_record(ws_a)
    r = api_alice.post("/lrs/erasures", {"external_id": "erase-me"})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "external_id": "erase-me",
        "statements": 2,
        "documents": 1,
        "attachments": 0,
    }
    assert Statement.objects.filter(workspace=ws_a).count() == 1
    assert not Document.objects.filter(workspace=ws_a).exists()
    entry = AuditEntry.objects.get(workspace=ws_a, action="lrs.erase_person")
    assert entry.actor == "user:alice@example.com" or entry.actor.startswith("user:")


def test_a_learner_cannot_erase(api_bob, ws_a):
    _learner_with_record(ws_a)
    assert api_bob.post("/lrs/erasures", {"external_id": "erase-me"}).status_code == 403
    assert Statement.objects.filter(workspace=ws_a).count() == 3


def test_carol_cannot_erase_a_person_of_workspace_a(api_carol, ws_a):
    _learner_with_record(ws_a)
    r = api_carol.post("/lrs/erasures", {"external_id": "erase-me"})
    assert r.status_code == 404
    assert Statement.objects.filter(workspace=ws_a).count() == 3


def test_erasing_an_unknown_person_is_404_with_the_field(api_alice):
    r = api_alice.post("/lrs/erasures", {"external_id": "nobody"})
    assert r.status_code == 404
    assert r.json()["error"]["field"] == "external_id"
