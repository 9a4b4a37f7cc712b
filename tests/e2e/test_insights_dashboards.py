"""Insights dashboards in Chromium: they render, charts are accessible, and the numbers
on the page are the API's."""

import json

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def history(ws_a, alice):
    from unstuck.accounts.services import create_host_app, create_person
    from unstuck.content.models import Unit
    from unstuck.insights.services import simulate_history

    create_host_app(workspace=ws_a, name="Acme CRM", slug="crm")
    for i, team in enumerate(["Sales"] * 8 + ["Support"] * 3):
        create_person(workspace=ws_a, external_id=f"p{i:02}", name=f"Person {i}", team=team)
    Unit.objects.create(
        workspace=ws_a,
        slug="log-call",
        kind="guide",
        title="Log a call",
        status="published",
        duration_s=120,
    )
    simulate_history(workspace=ws_a, weeks=4, seed=3)


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _api(page, live_server, path):
    response = page.request.get(
        f"{live_server.url}/api/v1/insights/{path}", headers={"X-Unstuck-Workspace": "ws-a"}
    )
    assert response.ok, response.text()
    return json.loads(response.text())


def test_the_overview_shows_the_same_numbers_as_the_api(page, live_server, history):
    _sign_in(page, live_server)
    page.get_by_role("link", name="Insights").first.click()
    page.wait_for_url(f"{live_server.url}/insights/ws-a/")
    assert page.get_by_role("heading", level=1).inner_text() == "Insights: Workspace A"
    totals = _api(page, live_server, "overview")["totals"]
    for metric in (
        "help_requests",
        "failed_searches",
        "errors",
        "task_attempts",
        "unit_views",
        "confidence_mean",
    ):
        shown = page.locator(f'[data-metric="{metric}"]').inner_text()
        assert shown == str(totals[metric]), metric
    chart = page.locator("svg.chart").first
    assert chart.get_attribute("role") == "img"
    assert page.console_errors == []


def test_the_pilot_report_shows_the_apis_estimate_and_filters_work(page, live_server, history):
    from unstuck.insights.models import Pilot

    pilot = Pilot.objects.get()
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/insights/ws-a/pilots/")
    page.get_by_role("link", name=pilot.name).click()
    page.wait_for_url(f"**/pilots/{pilot.pk}/")
    report = _api(page, live_server, f"pilots/{pilot.pk}/report")
    assert page.locator('[data-metric="did"]').inner_text() == str(
        report["task_time"]["did_s"]["estimate"]
    )
    assert (
        page.locator('[data-verdict="task_time"]').inner_text() == report["verdicts"]["task_time"]
    )
    page.goto(f"{live_server.url}/insights/ws-a/stuck-points/")
    page.get_by_label("Team").select_option("Support")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**team=Support**")
    api_rows = _api(page, live_server, "stuck-points?team=Support")["stuck_points"]
    shown = page.locator("#table-ranking tbody tr[data-score]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.score))"
    )
    assert shown == [r["score"] for r in api_rows]
    assert page.console_errors == []
