"""The widget API: page context, units, events, checklists, search, today, ask."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.accounts.services import bump_content_version, update_host_app
from unstuck.lrs import profile
from unstuck.lrs.models import Statement

from . import factories as f


@pytest.fixture
def app(ws_a):
    return f.host_app(ws_a, widget_settings={"label": "Need help?", "shortcut": "Alt+K"})


@pytest.fixture
def headers(app):
    return f.widget_headers(app, f.token(app, sub="rep-1"))


def get_context(client, headers, url="/opportunities/42/edit", **extra):
    return client.get("/widget/v1/context", {"url": url}, **headers, **extra)


def test_the_context_lists_the_placements_of_the_page_best_first(client, ws_a, app, headers):
    stage = f.unit(ws_a, "stage-guide")
    other = f.unit(ws_a, "forecast-guide")
    f.placement(
        ws_a,
        app,
        stage,
        element=[{"id": "stage"}, {"name": "stage"}],
        field_key="stage",
        trigger="field_focused",
        presentation="tooltip",
        priority=5,
    )
    f.placement(ws_a, app, other, url_pattern="/opportunities/*")
    f.placement(ws_a, app, f.unit(ws_a, "contacts-guide"), url_pattern="/contacts")
    f.placement(ws_a, app, f.unit(ws_a, "draft-guide", status="draft"), url_pattern="*")
    body = get_context(client, headers).json()
    assert [p["unit"]["slug"] for p in body["placements"]] == ["stage-guide", "forecast-guide"]
    first = body["placements"][0]
    assert first["field"] == "stage" and first["element"] == [{"id": "stage"}, {"name": "stage"}]
    assert (
        first["trigger"] == "field_focused"
        and first["presentation"] == "tooltip"
        and first["auto"] is True
    )
    assert body["settings"]["label"] == "Need help?" and body["settings"]["shortcut"] == "Alt+K"
    assert body["strings"]["button"] == "Help, I'm stuck!"
    assert body["help_center_url"].endswith("/help/ws-a/")


def test_the_context_respects_audience_and_active_window(client, ws_a, app, headers):
    now = timezone.now()
    f.placement(ws_a, app, f.unit(ws_a, "for-managers"), audience={"roles": ["manager"]})
    f.placement(ws_a, app, f.unit(ws_a, "for-sales"), audience={"teams": ["Sales"]})
    f.placement(ws_a, app, f.unit(ws_a, "ended"), ends_at=now - timedelta(days=1))
    f.placement(ws_a, app, f.unit(ws_a, "not-yet"), starts_at=now + timedelta(days=1))
    f.placement(ws_a, app, f.unit(ws_a, "inactive"), is_active=False)
    body = get_context(client, headers).json()
    assert [p["unit"]["slug"] for p in body["placements"]] == ["for-sales"]


def test_pilot_hidden_placements_are_left_out(client, ws_a, app, headers, monkeypatch):
    hidden = f.placement(ws_a, app, f.unit(ws_a, "pilot-only"))
    f.placement(ws_a, app, f.unit(ws_a, "for-all"))
    from unstuck.insights import queries

    monkeypatch.setattr(queries, "hidden_placement_ids", lambda **kw: {hidden.id})
    body = get_context(client, headers).json()
    assert [p["unit"]["slug"] for p in body["placements"]] == ["for-all"]


def test_a_frequency_cap_stops_automatic_shows_but_keeps_the_unit_listed(
    client, ws_a, app, headers
):
    p = f.placement(
        ws_a,
        app,
        f.unit(ws_a),
        element=[{"id": "stage"}],
        presentation="tooltip",
        max_shows=2,
        per_days=7,
    )
    shown = {"events": [{"type": "placement_shown", "placement_id": str(p.id)}]}
    for _ in range(2):
        assert get_context(client, headers).json()["placements"][0]["auto"] is True
        assert (
            client.post(
                "/widget/v1/events", shown, content_type="application/json", **headers
            ).status_code
            == 200
        )
    assert get_context(client, headers).json()["placements"][0]["auto"] is False


def test_the_context_answers_304_when_nothing_changed(client, ws_a, app, headers):
    f.placement(ws_a, app, f.unit(ws_a))
    first = get_context(client, headers)
    assert first["Cache-Control"].startswith("private")
    etag = first["ETag"]
    again = get_context(client, headers, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    # Another page, another person or a content change each give a new answer.
    assert get_context(client, headers, url="/contacts", HTTP_IF_NONE_MATCH=etag).status_code == 200
    other = f.widget_headers(app, f.token(app, sub="rep-2"))
    assert get_context(client, other, HTTP_IF_NONE_MATCH=etag).status_code == 200
    f.placement(ws_a, app, f.unit(ws_a, "new-one"))
    assert get_context(client, headers, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_compiled_placements_follow_content_changes(client, ws_a, app, headers):
    u = f.unit(ws_a)
    f.placement(ws_a, app, u)
    assert len(get_context(client, headers).json()["placements"]) == 1
    u.status = "archived"
    u.save()
    bump_content_version(workspace=ws_a)
    assert get_context(client, headers).json()["placements"] == []


def test_the_context_takes_few_queries(client, ws_a, app, headers, django_assert_max_num_queries):
    for i in range(30):
        f.placement(ws_a, app, f.unit(ws_a, f"unit-{i}"), url_pattern=f"/p{i}/*")
    get_context(client, headers)  # compiles once
    with django_assert_max_num_queries(4):
        assert get_context(client, headers, url="/p7/x").status_code == 200


def test_a_unit_is_served_to_players_only_when_published_and_in_the_workspace(
    client, ws_a, ws_b, app, headers
):
    u = f.unit(ws_a, payload={"steps": [{"title": "One", "body_html": "<p>x</p>"}]})
    res = client.get(f"/widget/v1/units/{u.id}", **headers)
    assert res.status_code == 200 and res.json()["payload"]["steps"][0]["title"] == "One"
    draft = f.unit(ws_a, "draft", status="draft")
    assert client.get(f"/widget/v1/units/{draft.id}", **headers).status_code == 404
    foreign = f.unit(ws_b, "foreign")
    assert client.get(f"/widget/v1/units/{foreign.id}", **headers).status_code == 404


def test_checklist_ticks_are_kept_per_person(client, ws_a, app, headers):
    u = f.unit(ws_a, "setup", kind="checklist")
    url = f"/widget/v1/checklists/{u.id}"
    res = client.put(url, {"ticked": [0, 2]}, content_type="application/json", **headers)
    assert res.status_code == 200 and res.json()["ticked"] == [0, 2]
    assert client.get(url, **headers).json()["ticked"] == [0, 2]
    assert client.get(f"/widget/v1/units/{u.id}", **headers).json()["ticked"] == [0, 2]
    other = f.widget_headers(app, f.token(app, sub="rep-2"))
    assert client.get(url, **other).json()["ticked"] == []
    res = client.put(url, {"ticked": [7]}, content_type="application/json", **headers)
    assert res.status_code == 400 and res.json()["error"]["field"] == "ticked.0"


def test_events_become_statements_with_page_and_field_in_context(client, ws_a, app, headers):
    u = f.unit(ws_a, "quiz", kind="quiz")
    p = f.placement(ws_a, app, u, element=[{"id": "stage"}], field_key="stage")
    events = [
        {
            "type": "help_pressed",
            "page": "/opportunities/42/edit",
            "field": "stage",
            "session": "s1",
        },
        {
            "type": "quiz_answered",
            "unit_id": str(u.id),
            "question": 0,
            "choice": "0",
            "correct": False,  # the browser's claim is not trusted: the server grades
            "page": "/opportunities/42/edit",
            "field": "stage",
            "placement_id": str(p.id),
            "session": "s1",
        },
        {
            "type": "helpful",
            "unit_id": str(u.id),
            "helpful": True,
            "page": "/opportunities/42/edit",
            "field": "stage",
            "session": "s1",
        },
        {
            "type": "task_completed",
            "task": "create-opportunity",
            "duration_ms": 61500,
            "page": "/opportunities/new",
        },
        {
            "type": "error",
            "code": "close_date_past",
            "message": "Close date is in the past",
            "field": "close_date",
            "page": "/opportunities/42/edit",
        },
    ]
    res = client.post(
        "/widget/v1/events", {"events": events}, content_type="application/json", **headers
    )
    assert res.status_code == 200, res.content
    assert res.json()["recorded"] == 5
    rows = {s.verb_id: s for s in Statement.objects.filter(workspace=ws_a)}
    answered = rows[profile.VERB_ANSWERED]
    assert (
        answered.host_app,
        answered.page,
        answered.field,
        answered.unit_id,
        answered.session_id,
    ) == ("crm", "/opportunities/42/edit", "stage", str(u.id), "s1")
    assert answered.success is True
    rated = rows[profile.VERB_RATED]
    assert (
        rated.field == "stage"
        and rated.data["result"]["extensions"][profile.RESULT_EXT_HELPFUL] is True
    )
    assert rows[profile.VERB_REQUESTED_HELP].field == "stage"
    task = rows[profile.VERB_COMPLETED]
    assert task.task == "create-opportunity" and task.duration_ms == 61500
    error = rows[profile.VERB_ENCOUNTERED_ERROR]
    assert error.data["context"]["extensions"][profile.EXT_ERROR_CODE] == "close_date_past"
    assert all(s.person.external_id == "rep-1" for s in rows.values())


def test_events_can_arrive_as_a_beacon_with_the_credentials_in_the_body(client, ws_a, app):
    body = {
        "app": app.embed_key,
        "token": f.token(app),
        "events": [{"type": "custom", "name": "exported"}],
    }
    res = client.post(
        "/widget/v1/events", json.dumps(body), content_type="text/plain", HTTP_ORIGIN=f.ORIGIN
    )
    assert res.status_code == 200 and res.json()["recorded"] == 1
    assert Statement.objects.get(workspace=ws_a).verb_id == profile.VERB_TRACKED


def test_unknown_event_types_are_refused_naming_the_event(client, app, headers):
    res = client.post(
        "/widget/v1/events",
        {"events": [{"type": "help_pressed"}, {"type": "boom"}]},
        content_type="application/json",
        **headers,
    )
    assert res.status_code == 400 and res.json()["error"]["field"] == "events.1.type"


def test_search_ask_and_today_answer_for_the_person(client, ws_a, app, headers):
    f.unit(ws_a, "stage-guide", title="Choosing the stage")
    res = client.get("/widget/v1/search", {"q": "stage"}, **headers)
    assert res.status_code == 200
    assert [r["unit"]["slug"] for r in res.json()["results"]] == ["stage-guide"]
    res = client.post(
        "/widget/v1/ask",
        {"question": "How do I choose the stage?"},
        content_type="application/json",
        **headers,
    )
    assert res.status_code == 200 and "answer" in res.json()
    assert (
        client.post(
            "/widget/v1/ask", {"question": " "}, content_type="application/json", **headers
        ).json()["error"]["field"]
        == "question"
    )
    res = client.get("/widget/v1/today", **headers)
    assert res.status_code == 200 and "items" in res.json()


def test_changing_the_host_apps_origins_applies_at_once(client, ws_a, app, headers):
    assert get_context(client, headers).status_code == 200
    update_host_app(host_app=app, changes={"allowed_origins": ["https://new.example.com"]})
    assert get_context(client, headers).status_code == 403


def test_the_widget_script_is_served_versioned_and_gzipped(client):
    res = client.get("/widget.js", HTTP_ACCEPT_ENCODING="gzip")
    assert res.status_code == 200 and res["Content-Encoding"] == "gzip"
    assert "max-age=300" in res["Cache-Control"]
    etag = res["ETag"]
    assert client.get("/widget.js", HTTP_IF_NONE_MATCH=etag).status_code == 304
    plain = client.get("/widget.js").content
    assert b"/widget/players.js?v=" in plain and b"__PLAYERS_URL__" not in plain
    version = etag.strip('"')
    assert "immutable" in client.get("/widget.js", {"v": version})["Cache-Control"]
    assert client.get("/widget/players.js").status_code == 200


def test_nudge_events_are_handed_to_guidance(client, ws_a, app, headers, monkeypatch):
    from unstuck.guidance import services as guidance_services

    marked = []
    monkeypatch.setattr(
        guidance_services, "mark_nudge", lambda **kw: marked.append((kw["nudge_id"], kw["status"]))
    )
    events = [{"type": "nudge_shown", "nudge_id": "n1"}, {"type": "nudge_opened", "nudge_id": "n1"}]
    res = client.post(
        "/widget/v1/events", {"events": events}, content_type="application/json", **headers
    )
    assert res.status_code == 200
    assert marked == [("n1", "delivered"), ("n1", "opened")]


def test_pending_nudges_are_memoised_briefly_and_asked_fresh_after_events(
    client, ws_a, app, headers, monkeypatch
):
    from unstuck.guidance import services as guidance_services

    pending = []
    monkeypatch.setattr(guidance_services, "pending_nudges", lambda **kw: list(pending))
    assert get_context(client, headers).json()["nudges"] == []
    pending.append(
        {"id": "n1", "unit_id": "u1", "title": "Tip", "reason": "r", "presentation": "tip"}
    )
    assert get_context(client, headers).json()["nudges"] == []  # memoised
    res = client.get("/widget/v1/context", {"url": "/x", "fresh": "1"}, **headers)
    assert [n["id"] for n in res.json()["nudges"]] == ["n1"]


def post_events(client, headers, events):
    return client.post(
        "/widget/v1/events", {"events": events}, content_type="application/json", **headers
    )


def test_a_resent_batch_stores_each_statement_once_and_does_not_fail(
    client, ws_a, app, headers, monkeypatch
):
    from unstuck.guidance import services as guidance_services

    seen = []
    monkeypatch.setattr(
        guidance_services, "on_statements", lambda **kw: seen.extend(kw["statements"]) or []
    )
    u = f.unit(ws_a, "guide")
    p = f.placement(
        ws_a, app, u, element=[{"id": "x"}], presentation="tooltip", max_shows=5, per_days=7
    )
    ts = int((timezone.now() - timedelta(minutes=3)).timestamp() * 1000)
    batch = [
        {"id": "0b4f6c1e-1f1a-4c1e-9a1e-3c2d1e0f9a01", "type": "help_pressed", "ts": ts},
        {
            "id": "0b4f6c1e-1f1a-4c1e-9a1e-3c2d1e0f9a02",
            "type": "unit_viewed",
            "unit_id": str(u.id),
            "ts": ts + 10,
        },
        {
            "id": "0b4f6c1e-1f1a-4c1e-9a1e-3c2d1e0f9a03",
            "type": "placement_shown",
            "placement_id": str(p.id),
            "ts": ts + 20,
        },
    ]
    first = post_events(client, headers, batch)
    assert first.status_code == 200 and first.json()["recorded"] == 2
    again = post_events(client, headers, batch)
    assert again.status_code == 200, again.content
    assert (again.json()["recorded"], again.json()["duplicates"]) == (0, 2)
    stored = Statement.objects.filter(workspace=ws_a)
    assert sorted(str(s.statement_id) for s in stored) == [e["id"] for e in batch[:2]]
    assert p.shows.count() == 1
    assert len(seen) == 2  # guidance saw each event once


def test_a_statements_time_is_the_events_time_not_the_servers(client, ws_a, app, headers):
    at = timezone.now() - timedelta(hours=2)
    event = {
        "id": "5d1c8a2e-7b3f-4e6a-8c9d-0a1b2c3d4e5f",
        "type": "custom",
        "name": "exported",
        "ts": int(at.timestamp() * 1000),
    }
    assert post_events(client, headers, [event]).status_code == 200
    stored = Statement.objects.get(workspace=ws_a)
    assert abs((stored.timestamp - at).total_seconds()) < 0.002
    assert str(stored.statement_id) == event["id"]


def test_an_older_widgets_events_without_ids_are_still_recorded_once(client, ws_a, app, headers):
    ts = int(timezone.now().timestamp() * 1000)
    batch = [{"type": "custom", "name": "exported", "ts": ts}, {"type": "help_pressed", "ts": ts}]
    assert post_events(client, headers, batch).json()["recorded"] == 2
    assert post_events(client, headers, batch).json()["recorded"] == 0
    assert Statement.objects.filter(workspace=ws_a).count() == 2


def test_an_event_id_that_is_not_a_uuid_is_refused_naming_the_event(client, app, headers):
    res = post_events(client, headers, [{"type": "help_pressed"}, {"id": "x", "type": "error"}])
    assert res.status_code == 400 and res.json()["error"]["field"] == "events.1.id"


def test_the_same_event_id_in_another_workspace_does_not_collide(client, ws_a, ws_b, app, headers):
    other = f.host_app(ws_b, slug="crm-b")
    event = {"id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "type": "help_pressed", "ts": 1}
    assert post_events(client, headers, [event]).json()["recorded"] == 1
    b_headers = f.widget_headers(other, f.token(other, sub="rep-b"))
    assert post_events(client, b_headers, [event]).json()["recorded"] == 1
    assert Statement.objects.filter(workspace=ws_b).count() == 1


QUIZ = {
    "questions": [
        {
            "id": "q1",
            "prompt": "Which stage after Qualify?",
            "explanation_html": "<p>Propose follows Qualify.</p>",
            "choices": [
                {"id": "a", "text": "Propose", "correct": True, "feedback": "Yes, Propose."},
                {"id": "b", "text": "Closed", "feedback": "Not yet closed."},
            ],
        },
        {
            "prompt": "Pick the open stages",
            "multiple": True,
            "choices": [
                {"text": "Qualify", "correct": True},
                {"text": "Propose", "correct": True},
                {"text": "Won"},
            ],
        },
    ]
}


def answer(client, headers, unit, **body):
    return client.post(
        f"/widget/v1/units/{unit.id}/answers", body, content_type="application/json", **headers
    )


def test_a_quiz_reaches_the_browser_without_its_answers(client, ws_a, app, headers):
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", payload=QUIZ)
    body = client.get(f"/widget/v1/units/{quiz.id}", **headers).json()
    text = json.dumps(body)
    assert "correct" not in text and "feedback" not in text and "Propose follows" not in text
    assert [q["multiple"] for q in body["payload"]["questions"]] == [False, True]
    assert [c["text"] for c in body["payload"]["questions"][0]["choices"]] == ["Propose", "Closed"]


def test_a_quiz_answer_is_graded_on_the_server_and_recorded_once(client, ws_a, app, headers):
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", payload=QUIZ)
    eid = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
    res = answer(
        client, headers, quiz, id=eid, question=0, choice_ids=["b"], page="/deals/1", field="stage"
    )
    assert res.status_code == 200, res.content
    grade = res.json()
    assert (grade["correct"], grade["feedback"], grade["correct_choice_ids"]) == (
        False,
        "Not yet closed.",
        ["a"],
    )
    assert grade["explanation_html"] == "<p>Propose follows Qualify.</p>"
    again = answer(
        client, headers, quiz, id=eid, question=0, choice_ids=["b"], page="/deals/1", field="stage"
    )
    assert again.status_code == 200 and again.json()["recorded"] == 0
    stmt = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_ANSWERED)
    assert str(stmt.statement_id) == eid and stmt.success is False
    assert stmt.data["result"]["response"] == "b" and stmt.field == "stage"
    right = answer(client, headers, quiz, question=1, choice_ids=["1", "0"])
    assert right.json()["correct"] is True
    assert answer(client, headers, quiz, question=1, choice_ids=["0"]).json()["correct"] is False


def test_a_quiz_answer_names_what_is_wrong_with_it(client, ws_a, app, headers):
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", payload=QUIZ)
    cases = [
        ({"question": 5, "choice_ids": ["a"]}, "question"),
        ({"question": 0, "choice_ids": ["z"]}, "choice_ids"),
        ({"question": 0, "choice_ids": []}, "choice_ids"),
        ({"question": 0, "choice_ids": ["a", "b"]}, "choice_ids"),
    ]
    for body, field in cases:
        res = answer(client, headers, quiz, **body)
        assert res.status_code == 400 and res.json()["error"]["field"] == field, body
    guide = f.unit(ws_a, "guide")
    assert answer(client, headers, guide, question=0, choice_ids=["a"]).status_code == 400


def test_another_workspaces_widget_cannot_answer_or_read_a_quiz(client, ws_a, ws_b, app):
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", payload=QUIZ)
    other = f.host_app(ws_b, slug="crm-b")
    b_headers = f.widget_headers(other, f.token(other, sub="rep-b"))
    assert answer(client, b_headers, quiz, question=0, choice_ids=["a"]).status_code == 404
    assert client.get(f"/widget/v1/units/{quiz.id}", **b_headers).status_code == 404
    assert not Statement.objects.exists()


def test_a_quiz_answer_sent_as_an_event_is_graded_by_the_server(client, ws_a, app, headers):
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", payload=QUIZ)
    event = {"type": "quiz_answered", "unit_id": str(quiz.id), "question": 0}
    post_events(client, headers, [{**event, "choice": "b", "correct": True}])
    assert Statement.objects.get(workspace=ws_a).success is False
