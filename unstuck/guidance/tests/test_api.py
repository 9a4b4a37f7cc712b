"""The guidance and adaptive HTTP API, as learners, authors, keys and other workspaces use it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.adaptive import services as adaptive
from unstuck.adaptive.models import ReviewCard

from .factories import make_person, make_placement, make_quiz, make_skill, make_unit


@pytest.fixture
def content(ws_a, alice, bob):
    stage = make_unit(
        ws_a, "stage", "Choosing the stage", summary="Pick the stage that matches the deal."
    )
    make_placement(ws_a, stage, url_pattern="/opportunities/*", field_key="stage")
    quiz = make_quiz(
        ws_a,
        "q",
        "Stage quiz",
        [("First stage?", ["Qualify", "Close"], 0)],
        skills=[make_skill(ws_a, "stages")],
    )
    return {"stage": stage, "quiz": quiz}


def bob_person(bob):
    return bob.memberships.get().person


def test_search_returns_snippets_and_records_the_learners_search(api_bob, content):
    from unstuck.lrs.models import Statement

    r = api_bob.get("/search", {"q": "choosing stages"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2 and body["results"][0]["title"] == "Choosing the stage"
    assert "<mark>" in body["results"][0]["snippet"]
    assert Statement.objects.filter(verb_id__endswith="searched").count() == 1


def test_suggestions_explain_themselves(api_bob, content):
    r = api_bob.get(
        "/suggestions", {"host_app": "crm", "url": "/opportunities/3/edit", "field": "stage"}
    )
    assert r.status_code == 200
    top = r.json()["results"][0]
    assert top["title"] == "Choosing the stage" and "placed on this field" in top["reasons"]
    assert top["score"] > 0 and set(top["signals"]) >= {"placement", "text"}


def test_suggestions_need_some_context(api_bob, content):
    r = api_bob.get("/suggestions")
    assert r.status_code == 400 and r.json()["error"]["field"] == "query"


def test_carol_cannot_search_or_be_suggested_workspace_a_units(api_carol, content):
    assert api_carol.get("/search", {"q": "stage"}).json()["count"] == 0
    assert (
        api_carol.get(
            "/suggestions", {"host_app": "crm", "field": "stage", "query": "stage"}
        ).json()["results"]
        == []
    )
    assert api_carol.get("/search", {"q": "stage", "person": "bob@example.com"}).status_code == 404


def test_synonyms_are_edited_by_authors_not_learners(api_alice, api_bob, api_carol, content):
    r = api_bob.post("/synonyms", {"term": "deal", "alternatives": ["stage"]})
    assert r.status_code == 403
    r = api_alice.post("/synonyms", {"term": "deal", "alternatives": ["stage"]})
    assert r.status_code == 201
    syn_id = r.json()["id"]
    assert api_bob.get("/search", {"q": "deal"}).json()["count"] >= 1
    assert api_carol.get("/synonyms").json() == []
    assert api_carol.delete(f"/synonyms/{syn_id}").status_code == 404
    assert (
        api_alice.post("/synonyms", {"term": "deal", "alternatives": []}).json()["error"]["field"]
        == "alternatives"
    )
    assert api_alice.delete(f"/synonyms/{syn_id}").status_code == 204


def test_ranking_weights_are_managed_by_owners(api_alice, api_bob, api_carol, content):
    assert api_bob.put("/guidance/settings", {"ranking_weights": {"text": 1}}).status_code == 403
    r = api_alice.put(
        "/guidance/settings", {"ranking_weights": {"text": 1.5}, "max_nudges_per_day": 2}
    )
    assert r.status_code == 200 and r.json()["ranking_weights"]["text"] == 1.5
    bad = api_alice.put("/guidance/settings", {"ranking_weights": {"vibes": 1}})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "ranking_weights.vibes"
    assert api_carol.get("/guidance/settings").json()["ranking_weights"]["text"] == 2.0


def test_the_assistant_answers_with_citations(api_bob, content):
    r = api_bob.post("/assistant", {"question": "How do I choose the stage of a deal?"})
    assert r.status_code == 200
    body = r.json()
    assert body["mode"] == "extractive" and body["found"] is True
    assert body["citations"][0]["title"] == "Choosing the stage"
    assert "[1]" in body["answer"] and body["citations"][0]["url"].endswith(
        str(content["stage"].id)
    )


def test_the_assistant_says_when_it_does_not_know(api_bob, content):
    body = api_bob.post("/assistant", {"question": "What is the parking policy?"}).json()
    assert body["found"] is False and body["citations"] == []
    assert api_bob.post("/assistant", {"question": " "}).json()["error"]["field"] == "question"


def test_the_assistant_streams_server_sent_events(api_bob, content):
    r = api_bob.post("/assistant", {"question": "stage", "stream": True})
    assert r["Content-Type"].startswith("text/event-stream")
    text = b"".join(r.streaming_content).decode()
    assert text.index("event: citations") < text.index("event: delta") < text.index("event: done")


def test_today_and_review_answers_over_http(api_bob, ws_a, bob, content):
    person = bob_person(bob)
    adaptive.create_cards(workspace=ws_a, person=person, unit=content["quiz"])
    ReviewCard.objects.update(due=timezone.now() - timedelta(minutes=1))
    today = api_bob.get("/today").json()
    assert today["budget_s"] == 240 and len(today["items"]) == 1
    card_id = today["items"][0]["card_id"]
    r = api_bob.post(f"/reviews/{card_id}/answer", {"choice_id": "a"})
    assert r.status_code == 200 and r.json()["correct"] is True
    assert api_bob.get("/today").json()["items"] == []
    assert (
        api_bob.post(f"/reviews/{card_id}/answer", {"choice_id": "zzz"}).json()["error"]["field"]
        == "choice_id"
    )
    assert api_bob.get("/mastery").json()[0]["attempts"] == 1


def test_carol_cannot_see_or_answer_bobs_reviews(api_carol, api_alice, ws_a, bob, content):
    person = bob_person(bob)
    adaptive.create_cards(workspace=ws_a, person=person, unit=content["quiz"])
    card = ReviewCard.objects.get()
    assert api_carol.get("/today", {"person": person.external_id}).status_code == 404
    assert api_carol.post(f"/reviews/{card.id}/answer", {"choice_id": "a"}).status_code == 404
    assert api_alice.get("/today", {"person": person.external_id}).status_code == 200


def test_learners_cannot_read_other_peoples_today_or_refit(api_bob, ws_a, content):
    other = make_person(ws_a, "someone-else")
    assert api_bob.get("/today", {"person": other.external_id}).status_code == 403
    assert api_bob.post("/adaptive/refit-fsrs").status_code == 403


def test_collection_path_is_scoped_to_the_workspace(api_bob, api_carol, ws_a, content):
    from unstuck.content.models import Collection, CollectionItem

    c = Collection.objects.create(workspace=ws_a, slug="c", title="C")
    CollectionItem.objects.create(collection=c, unit=content["stage"], position=0)
    assert api_bob.get(f"/collections/{c.id}/path").json()[0]["action"] == "learn"
    assert api_carol.get(f"/collections/{c.id}/path").status_code == 404


def test_nudges_listed_and_marked_through_the_api(api_bob, api_carol, ws_a, bob, content):
    from unstuck.guidance.detectors import Detection
    from unstuck.guidance.services import create_nudge

    nudge = create_nudge(
        workspace=ws_a,
        person=bob_person(bob),
        detection=Detection(
            "repeated_error",
            "Three errors",
            host_app="crm",
            field="stage",
            page="/opportunities/1/edit",
        ),
    )
    assert [n["id"] for n in api_bob.get("/nudges").json()] == [str(nudge.id)]
    assert api_carol.post(f"/nudges/{nudge.id}/status", {"status": "opened"}).status_code == 404
    r = api_bob.post(f"/nudges/{nudge.id}/status", {"status": "dismissed"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert api_bob.get("/nudges").json() == []
