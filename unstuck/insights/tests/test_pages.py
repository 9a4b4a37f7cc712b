"""The dashboards: who can open them, CSV export, and the same numbers as the API."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from unstuck.insights.rollups import build_rollups

from .factories import Log

pytestmark = pytest.mark.django_db

PAGES = ["", "stuck-points/", "units/", "learning-time/", "pilots/", "tasks/"]


@pytest.fixture
def history(ws_a, crm, people, unit, log_call):
    log = Log(ws_a)
    d = timezone.now().date() - timedelta(days=1)
    at = datetime(d.year, d.month, d.day, 9, tzinfo=UTC)
    for i, person in enumerate(people):
        log.task(
            person,
            "log-call",
            at,
            seconds=50 + i,
            session=str(i),
            error_field="outcome" if i < 3 else "",
        )
        log.help(person, at, field="outcome")
    log.view(people[0], unit, at, session="0")
    log.record()
    build_rollups(workspace=ws_a)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_dashboard_renders_for_the_owner(alice, history, page):
    response = _client(alice).get(f"/insights/ws-a/{page}")
    assert response.status_code == 200
    assert b"<svg" in response.content or page in ("pilots/", "tasks/")


@pytest.mark.parametrize("page", PAGES)
def test_carol_gets_not_found_for_every_dashboard_of_a(carol, history, page):
    assert _client(carol).get(f"/insights/ws-a/{page}").status_code == 404


def test_bob_may_not_open_the_dashboards(bob, history):
    assert _client(bob).get("/insights/ws-a/").status_code == 403


def test_the_overview_shows_the_apis_numbers(alice, api_alice, history):
    html = _client(alice).get("/insights/ws-a/").content.decode()
    api = api_alice.get("/insights/overview").json()["totals"]
    for metric in ("help_requests", "errors", "task_attempts", "unit_views"):
        shown = re.search(rf'data-metric="{metric}">([^<]*)<', html).group(1)
        assert shown == str(api[metric]), metric


def test_every_table_downloads_as_csv(alice, history):
    response = _client(alice).get(
        "/insights/ws-a/stuck-points/", {"format": "csv", "table": "stuck_points"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["host_app", "page", "field", "task"]
    assert len(rows) > 1
    assert (
        _client(alice).get("/insights/ws-a/", {"format": "csv", "table": "nope"}).status_code == 404
    )


def test_charts_are_labelled_for_screen_readers(alice, history):
    html = _client(alice).get("/insights/ws-a/").content.decode()
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "<title" in html and "<desc" in html


def test_a_pilot_is_created_from_the_page_and_its_report_prints(alice, people, history):
    client = _client(alice)
    today = timezone.now().date()
    response = client.post(
        "/insights/ws-a/pilots/",
        {
            "name": "Sales pilot",
            "starts_on": (today - timedelta(days=3)).isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "group_teams": ["Sales"],
            "control_mode": "random",
            "seed": "42",
        },
    )
    assert response.status_code == 302
    report_url = response["Location"]
    page = client.get(report_url)
    assert page.status_code == 200 and b"Difference-in-differences" in page.content
    printed = client.get(report_url + "print/")
    assert printed.status_code == 200 and b"Pilot report: Sales pilot" in printed.content


def test_the_pilot_form_shows_what_is_wrong(alice, history):
    response = _client(alice).post(
        "/insights/ws-a/pilots/",
        {"name": "X", "starts_on": "2026-02-01", "ends_on": "2026-01-01", "group_teams": ["Sales"]},
    )
    assert response.status_code == 200 and b"ends_on" in response.content


def test_a_manager_opens_only_their_teams(ws_a, history):
    from conftest import PASSWORD
    from unstuck.accounts.services import add_member, create_user

    user = create_user(email="mia@example.com", password=PASSWORD)
    add_member(workspace=ws_a, user=user, role="manager", managed_teams=["Sales"])
    client = _client(user)
    html = client.get("/insights/ws-a/").content.decode()
    assert re.search(r'data-metric="task_attempts">([^<]*)<', html).group(1) == "4"
    assert client.get("/insights/ws-a/", {"team": "Support"}).status_code == 403
    assert (
        client.post(
            "/insights/ws-a/tasks/", {"host_app": "crm", "key": "x", "name": "X"}
        ).status_code
        == 403
    )


def test_a_unit_opens_its_before_after_comparison(alice, carol, history, unit):
    response = _client(alice).get(f"/insights/ws-a/units/{unit.pk}/")
    assert response.status_code == 200 and unit.title.encode() in response.content
    assert _client(alice).get("/insights/ws-a/units/not-a-unit/").status_code == 404
    assert _client(carol).get(f"/insights/ws-a/units/{unit.pk}/").status_code == 404


def test_tasks_are_added_from_the_page(alice, crm, history):
    client = _client(alice)
    response = client.post(
        "/insights/ws-a/tasks/",
        {"host_app": "crm", "key": "update-forecast", "name": "Update the forecast"},
    )
    assert response.status_code == 302
    assert b"Update the forecast" in client.get("/insights/ws-a/tasks/").content
    again = client.post(
        "/insights/ws-a/tasks/", {"host_app": "crm", "key": "update-forecast", "name": "Again"}
    )
    assert again.status_code == 200 and b"already has a task" in again.content
