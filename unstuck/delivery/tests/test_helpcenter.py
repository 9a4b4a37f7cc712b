"""The help center: members and people arriving from the widget read it; nobody else."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from unstuck.accounts.models import Person
from unstuck.lrs import profile
from unstuck.lrs.models import Statement

from . import factories as f


@pytest.fixture
def app(ws_a):
    return f.host_app(ws_a)


@pytest.fixture
def units(ws_a, app):
    stage = f.unit(ws_a, "stage-guide", title="Choosing a stage")
    checklist = f.unit(ws_a, "deal-checklist", kind="checklist", title="Deal checklist")
    f.unit(ws_a, "draft-guide", status="draft", title="Secret draft")
    f.placement(ws_a, app, stage)
    return {"stage": stage, "checklist": checklist}


def test_a_member_searches_and_browses_published_units(alice, units):
    client = Client()
    client.force_login(alice)
    page = client.get("/help/ws-a/").content.decode()
    assert "Choosing a stage" in page and "Deal checklist" in page and "Secret draft" not in page
    page = client.get("/help/ws-a/", {"kind": "checklist"}).content.decode()
    assert "Deal checklist" in page and "Choosing a stage" not in page
    page = client.get("/help/ws-a/", {"app": "crm"}).content.decode()
    assert "Choosing a stage" in page and "Deal checklist" not in page
    page = client.get("/help/ws-a/", {"q": "stage"}).content.decode()
    assert "Choosing a stage" in page
    res = client.get(f"/help/ws-a/units/{units['stage'].id}/")
    assert res.status_code == 200 and b"unit-data" in res.content and b"players.js" in res.content


def test_a_person_with_the_widgets_token_gets_a_session_without_the_token_in_the_url(
    client, app, units, ws_a
):
    res = client.get("/help/ws-a/", {"token": f.token(app, sub="rep-9")})
    assert res.status_code == 302 and res["Location"] == "/help/ws-a/"
    assert "Choosing a stage" in client.get("/help/ws-a/").content.decode()
    person = Person.objects.get(workspace=ws_a, external_id="rep-9")
    url = f"/help/ws-a/api/checklists/{units['checklist'].id}"
    res = client.put(url, json.dumps({"ticked": [1]}), content_type="application/json")
    assert res.status_code == 200 and res.json()["ticked"] == [1]
    res = client.post(
        "/help/ws-a/api/events",
        json.dumps(
            {
                "events": [
                    {
                        "type": "helpful",
                        "unit_id": str(units["stage"].id),
                        "helpful": False,
                        "page": "/help/ws-a/",
                    }
                ]
            }
        ),
        content_type="application/json",
    )
    assert res.status_code == 200
    stmt = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_RATED)
    assert (
        stmt.person == person
        and stmt.data["context"]["extensions"][profile.EXT_CHANNEL] == "help-center"
    )


def test_a_bad_token_is_refused_with_the_reason(client, app, units):
    res = client.get("/help/ws-a/", {"token": f.tampered(f.token(app))})
    assert res.status_code == 401 and b"signature does not match" in res.content


def test_carols_token_cannot_open_workspace_a_help(client, ws_b, units):
    app_b = f.host_app(ws_b)
    res = client.get("/help/ws-a/", {"token": f.token(app_b, sub="carol")})
    assert res.status_code == 401
    assert client.get("/help/ws-a/").status_code == 302  # to sign in


def test_carol_signed_in_cannot_read_workspace_a_help(carol, units):
    client = Client()
    client.force_login(carol)
    res = client.get("/help/ws-a/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]
    assert client.get(f"/help/ws-a/units/{units['stage'].id}/").status_code == 302
    res = client.put(
        f"/help/ws-a/api/checklists/{units['checklist'].id}", "{}", content_type="application/json"
    )
    assert res.status_code in (401, 403)


def test_strangers_are_sent_to_sign_in(client, units):
    res = client.get("/help/ws-a/")
    assert res.status_code == 302 and res["Location"].startswith("/accounts/login/")


def test_the_help_center_is_an_entry_point():
    from unstuck.accounts.views import ENTRY_POINTS

    assert ("Help center", "/help/{slug}/") in ENTRY_POINTS


def test_the_assistants_citation_links_open_the_unit_in_the_help_center(alice, units):
    from unstuck.guidance.assistant import unit_url

    client = Client()
    client.force_login(alice)
    res = client.get(unit_url(units["stage"]))
    assert res.status_code == 200 and b"Choosing a stage" in res.content


def test_todays_reviews_are_answered_only_by_their_own_person(alice, bob, carol, ws_a, units):
    from unstuck.adaptive import services as adaptive
    from unstuck.adaptive.models import ReviewCard

    bob_person = Person.objects.get(memberships__user=bob, workspace=ws_a)
    quiz = f.unit(
        ws_a,
        "quiz",
        kind="quiz",
        payload={
            "questions": [
                {
                    "id": "q1",
                    "prompt": "2+2?",
                    "choices": [
                        {"id": "a", "text": "4", "correct": True},
                        {"id": "b", "text": "5"},
                    ],
                }
            ]
        },
    )
    adaptive.create_cards(workspace=ws_a, person=bob_person, unit=quiz)
    ReviewCard.objects.filter(person=bob_person).update(due=timezone.now() - timedelta(hours=1))
    card = ReviewCard.objects.get(person=bob_person)
    due = card.due
    client = Client()
    client.force_login(bob)
    page = client.get("/help/ws-a/").content.decode()
    assert "2+2?" in page
    for intruder in (alice, carol):  # another person in A, a member of B only
        other = Client()
        other.force_login(intruder)
        other.post(f"/help/ws-a/today/{card.id}", {"choice_id": "a"})
        card.refresh_from_db()
        assert card.due == due and card.reps == 0
    res = client.post(f"/help/ws-a/today/{card.id}", {"choice_id": "a"})
    assert res.status_code == 302 and res["Location"] == "/help/ws-a/#today"
    card.refresh_from_db()
    assert card.reps == 1 and card.due > due
    page = client.get("/help/ws-a/").content.decode()
    assert "Correct!" in page and "Next review:" in page
    assert client.get("/help/ws-a/").content.decode().count("Correct!") == 0  # shown once


def test_a_quiz_in_the_help_center_is_graded_on_the_server(bob, ws_a, units):
    quiz = f.unit(
        ws_a,
        "quiz",
        kind="quiz",
        payload={
            "questions": [
                {"prompt": "2+2?", "choices": [{"text": "4", "correct": True}, {"text": "5"}]}
            ]
        },
    )
    client = Client()
    client.force_login(bob)
    page = client.get(f"/help/ws-a/units/{quiz.id}/").content.decode()
    assert '"correct": true' not in page and "Propose" not in page
    res = client.post(
        f"/help/ws-a/api/answers/{quiz.id}",
        json.dumps({"question": 0, "choice_ids": ["0"]}),
        content_type="application/json",
    )
    assert res.status_code == 200 and res.json()["correct"] is True
    stmt = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_ANSWERED)
    assert (
        stmt.success is True
        and stmt.data["context"]["extensions"][profile.EXT_CHANNEL] == "help-center"
    )
    anonymous = Client()
    assert (
        anonymous.post(
            f"/help/ws-a/api/answers/{quiz.id}", "{}", content_type="application/json"
        ).status_code
        == 401
    )
