"""The insights API: numbers, tasks and pilots; who may see and change what."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from unstuck.insights.rollups import build_rollups

from .factories import Log

pytestmark = pytest.mark.django_db


def _at(days_ago, hour=10):
    d = timezone.now().date() - timedelta(days=days_ago)
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


@pytest.fixture
def history(ws_a, crm, people, unit, log_call):
    log = Log(ws_a)
    for d in range(1, 8):
        for i, person in enumerate(people):
            log.task(
                person,
                "log-call",
                _at(d, 9),
                seconds=60 + 5 * i,
                session=f"{d}-{i}",
                error_field="outcome" if i % 4 == 0 else "",
            )
        log.help(people[0], _at(d, 11), page="/calls/new", field="outcome")
        log.search(people[5], _at(d, 12), results=0)
    log.view(people[1], unit, _at(1, 8), session="1-1", helpful=True)
    log.record()
    build_rollups(workspace=ws_a)
    return log


@pytest.fixture
def manager_sales(ws_a, login_client):
    from conftest import PASSWORD
    from unstuck.accounts.services import add_member, create_user

    user = create_user(email="mia@example.com", password=PASSWORD, name="Mia")
    add_member(workspace=ws_a, user=user, role="manager", managed_teams=["Sales"])
    return login_client(user, "ws-a")


def test_the_overview_counts_the_workspace_history(api_alice, history):
    body = api_alice.get("/insights/overview", {"days": 14}).json()
    assert body["totals"]["task_attempts"] == 7 * 8
    assert body["totals"]["help_requests"] == 14  # 7 stuck presses + 7 searches
    assert body["totals"]["failed_searches"] == 7
    assert body["totals"]["errors"] == 7 * 2
    assert body["totals"]["unit_views"] == 1
    # Completed attempts took 60, 65, ... 95 s, seven times each (numpy's interpolation).
    assert body["totals"]["median_task_s"] == 77.5
    assert body["totals"]["p75_task_s"] == pytest.approx(86.25, abs=0.05)


def test_stuck_points_rank_places_and_list_uncovered_gaps(api_alice, history):
    body = api_alice.get("/insights/stuck-points", {"days": 14}).json()
    scores = [r["score"] for r in body["stuck_points"]]
    assert scores == sorted(scores, reverse=True)
    forecast = next(r for r in body["stuck_points"] if r["page"] == "/forecast")
    assert (
        forecast["failed_searches"] == 7 and forecast["score"] == 7 + 14
    )  # help 7 + failed searches 2 × 7
    assert forecast["covered"] is False
    slow = next(r for r in body["stuck_points"] if r["task"] == "log-call" and r["slow_tasks"])
    assert 0 < slow["slow_tasks"] < 7 * 8  # slower than the usual (median) time: about half
    assert any(g["page"] == "/forecast" for g in body["gaps"])


def test_a_place_with_a_placed_unit_counts_as_covered(api_alice, history, ws_a, crm, unit):
    from unstuck.delivery.models import Placement

    Placement.objects.create(
        workspace=ws_a, host_app=crm, unit=unit, url_pattern="/calls/*", field_key="outcome"
    )
    rows = api_alice.get("/insights/stuck-points", {"days": 14}).json()["stuck_points"]
    outcome = next(r for r in rows if r["page"] == "/calls/new" and r["field"] == "outcome")
    assert outcome["covered"] is True and outcome["units"] == [unit.title]


def test_a_manager_sees_only_their_teams(manager_sales, history):
    body = manager_sales.get("/insights/overview", {"days": 14}).json()
    assert body["totals"]["task_attempts"] == 7 * 4  # four Sales people
    assert body["filters"]["teams"] == ["Sales"]
    refused = manager_sales.get("/insights/overview", {"team": "Support"})
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "team"


def test_bob_cannot_see_insights_or_manage_pilots(api_bob, history):
    assert api_bob.get("/insights/overview").status_code == 403
    assert (
        api_bob.post("/insights/tasks", {"host_app": "crm", "key": "x", "name": "X"}).status_code
        == 403
    )
    assert (
        api_bob.post(
            "/insights/pilots", {"name": "P", "starts_on": "2026-01-01", "ends_on": "2026-02-01"}
        ).status_code
        == 403
    )


def test_carol_sees_nothing_of_workspace_a(api_carol, api_alice, history, log_call, people):
    body = api_carol.get("/insights/overview", {"days": 14}).json()
    assert body["totals"]["task_attempts"] == 0
    assert api_carol.get(f"/insights/tasks/{log_call.pk}").status_code == 404
    pilot = api_alice.post(
        "/insights/pilots",
        {"name": "P", "starts_on": "2026-01-01", "ends_on": "2026-02-01", "group_teams": ["Sales"]},
    ).json()
    assert api_carol.get(f"/insights/pilots/{pilot['id']}/report").status_code == 404
    assert api_carol.patch(f"/insights/pilots/{pilot['id']}", {"name": "Mine"}).status_code == 404
    assert api_carol.delete(f"/insights/pilots/{pilot['id']}").status_code == 404
    assert (
        api_carol.post(
            "/insights/pilots",
            {
                "name": "X",
                "starts_on": "2026-01-01",
                "ends_on": "2026-02-01",
                "group_people": [str(people[0].pk)],
            },
        ).status_code
        == 400
    )


def test_tasks_are_created_changed_and_deleted(api_alice, crm):
    created = api_alice.post(
        "/insights/tasks",
        {"host_app": "crm", "key": "log-call", "name": "Log a call", "end_event": "call_logged"},
    )
    assert created.status_code == 201 and created.json()["end_event"] == "call_logged"
    again = api_alice.post(
        "/insights/tasks", {"host_app": "crm", "key": "log-call", "name": "Again"}
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "key"
    bad = api_alice.post("/insights/tasks", {"host_app": "nope", "key": "x", "name": "X"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "host_app"
    task_id = created.json()["id"]
    assert (
        api_alice.patch(f"/insights/tasks/{task_id}", {"name": "Log a phone call"}).json()["name"]
        == "Log a phone call"
    )
    assert api_alice.delete(f"/insights/tasks/{task_id}").status_code == 204
    assert api_alice.get("/insights/tasks").json()["tasks"] == []


def test_a_custom_end_event_completes_a_task(ws_a, crm, people, api_alice):
    from unstuck.lrs import profile as P
    from unstuck.lrs.services import record_statements

    api_alice.post(
        "/insights/tasks",
        {
            "host_app": "crm",
            "key": "log-call",
            "name": "Log a call",
            "start_event": "call_form_opened",
            "end_event": "call_logged",
        },
    )
    actor = P.actor_for_person(people[0])

    def tracked(name, at):
        return P.statement(
            actor=actor,
            verb=P.VERB_TRACKED,
            object_id=f"{P.PROFILE_BASE}/apps/crm/events/{name}",
            object_type=P.ACTIVITY_EVENT,
            timestamp=at,
            extensions={P.EXT_HOST_APP: "crm", P.EXT_EVENT_NAME: name},
        )

    record_statements(
        workspace=ws_a,
        statements=[
            tracked("call_form_opened", _at(1)),
            tracked("call_logged", _at(1) + timedelta(seconds=42)),
        ],
    )
    build_rollups(workspace=ws_a)
    from unstuck.insights.models import TaskAttempt

    attempt = TaskAttempt.objects.get(workspace=ws_a)
    assert (attempt.task, attempt.duration_ms, attempt.is_success) == ("log-call", 42_000, True)


def test_invalid_filters_are_refused_with_the_field(api_alice):
    response = api_alice.get("/insights/overview", {"start": "yesterday"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "start"
    assert api_alice.get("/insights/overview", {"days": 0}).json()["error"]["field"] == "days"


def test_a_pilot_needs_a_group_and_a_sensible_period(api_alice, people):
    no_group = api_alice.post(
        "/insights/pilots", {"name": "P", "starts_on": "2026-01-01", "ends_on": "2026-02-01"}
    )
    assert no_group.status_code == 400 and no_group.json()["error"]["field"] == "group_people"
    backwards = api_alice.post(
        "/insights/pilots",
        {"name": "P", "starts_on": "2026-02-01", "ends_on": "2026-01-01", "group_teams": ["Sales"]},
    )
    assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "ends_on"
    bad_date = api_alice.post(
        "/insights/pilots", {"name": "P", "starts_on": "soon", "ends_on": "2026-01-01"}
    )
    assert bad_date.status_code == 400 and bad_date.json()["error"]["field"] == "starts_on"


def test_a_random_control_group_is_drawn_from_the_rest_with_a_fixed_seed(api_alice, people):
    body = {
        "name": "P",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-01",
        "group_teams": ["Sales"],
        "control_mode": "random",
        "control_size": 3,
        "seed": 7,
    }
    first = api_alice.post("/insights/pilots", body).json()
    second = api_alice.post("/insights/pilots", body).json()
    sales = {str(p.pk) for p in people if p.team == "Sales"}
    assert len(first["control_people"]) == 3
    assert not set(first["control_people"]) & sales
    assert first["control_people"] == second["control_people"]
    other_seed = api_alice.post("/insights/pilots", {**body, "seed": 8, "control_size": 4}).json()
    assert len(other_seed["control_people"]) == 4


def test_the_pilot_report_has_intervals_and_a_verdict(api_alice, history, people, log_call):
    start = (timezone.now().date() - timedelta(days=3)).isoformat()
    pilot = api_alice.post(
        "/insights/pilots",
        {
            "name": "P",
            "starts_on": start,
            "ends_on": (timezone.now().date() + timedelta(days=10)).isoformat(),
            "group_teams": ["Sales"],
            "control_mode": "chosen",
            "control_teams": ["Support", "PM"],
            "task_ids": [str(log_call.pk)],
        },
    ).json()
    report = api_alice.get(f"/insights/pilots/{pilot['id']}/report").json()
    assert report["cells"]["group_after"]["attempts"] == 3 * 4
    assert report["cells"]["control_after"]["attempts"] == 3 * 4
    assert report["task_time"]["verdict"].startswith("Too few task attempts to tell")
    assert set(report["tables"]) == {"task_time", "measures", "estimates"}


def test_a_unit_can_be_measured_over_a_period(api_alice, history, unit):
    body = api_alice.get("/insights/measure", {"unit": str(unit.pk), "days": 3}).json()
    assert body["groups"]["group"]["people"] == 1
    assert api_alice.get("/insights/measure", {"unit": "nope"}).status_code == 404
    assert api_alice.get("/insights/measure").status_code == 400


def test_units_report_compares_sessions_after_viewing(api_alice, history, unit):
    row = api_alice.get("/insights/units", {"days": 14}).json()["units"][0]
    assert row["title"] == unit.title and row["views"] == 1 and row["helpful_rate"] == 1.0
    assert row["attempts_after_view"] == 1 and row["attempts_without"] == 7 * 8 - 1
    assert row["verdict"].startswith("Too few")


def test_learning_time_compares_minutes_with_the_daily_budget(api_alice, history):
    body = api_alice.get("/insights/learning-time", {"days": 14}).json()
    assert body["totals"]["budget_min"] == 4.0
    assert body["totals"]["person_days"] == 1
    assert body["totals"]["mean_min_per_day"] == pytest.approx(2.0)  # the 120 s view
    assert body["totals"]["share_over_budget"] == 0.0
