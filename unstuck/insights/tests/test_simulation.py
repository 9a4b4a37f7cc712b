"""The demo simulation: deterministic, and the dashboards find its effect."""

import pytest

from unstuck.insights import reports
from unstuck.insights.models import Pilot, TaskAttempt
from unstuck.insights.services import simulate_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_like(ws_a, crm):
    from unstuck.accounts.services import create_person
    from unstuck.content.models import Unit

    teams = ["Sales"] * 12 + ["Support"] * 4
    for i, team in enumerate(teams):
        create_person(workspace=ws_a, external_id=f"p{i:02}", name=f"Person {i}", team=team)
    for slug, title in (
        ("log-call", "Log a call"),
        ("stages", "Opportunity stages"),
        ("forecast", "Forecasting"),
    ):
        Unit.objects.create(
            workspace=ws_a, slug=slug, kind="guide", title=title, status="published", duration_s=150
        )
    return ws_a


def test_the_simulation_creates_a_pilot_whose_effect_the_report_finds(acme_like):
    result = simulate_history(workspace=acme_like, weeks=6, seed=42)
    assert result["statements"] > 3000 and result["pilot_group"] == 6
    pilot = Pilot.objects.get(workspace=acme_like)
    report = reports.pilot_report(pilot)
    did = report["task_time"]["did_s"]
    assert did["high"] < 0  # faster, and the interval excludes no change
    assert report["verdicts"]["task_time"].startswith("Tasks got faster")
    cells = report["cells"]
    assert (
        cells["group_after"]["error_rate"]["estimate"]
        < cells["group_before"]["error_rate"]["estimate"]
    )
    assert (
        cells["group_after"]["confidence_mean"]["estimate"]
        > cells["group_before"]["confidence_mean"]["estimate"]
    )


def test_the_simulation_is_deterministic_and_replaces_itself(acme_like):
    first = simulate_history(workspace=acme_like, weeks=2, seed=7)
    durations = sorted(
        TaskAttempt.objects.filter(workspace=acme_like).values_list("duration_ms", flat=True)
    )
    second = simulate_history(workspace=acme_like, weeks=2, seed=7)
    assert first["statements"] == second["statements"]
    assert (
        sorted(
            TaskAttempt.objects.filter(workspace=acme_like).values_list("duration_ms", flat=True)
        )
        == durations
    )
    assert Pilot.objects.filter(workspace=acme_like).count() == 1
