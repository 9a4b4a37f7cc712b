"""The operator's commands and the scheduled job."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from unstuck.insights.models import PlaceDay, RollupState

from .factories import Log
from .test_rollups import _day

pytestmark = pytest.mark.django_db


def test_unstuck_rollup_builds_and_rebuilds_a_workspace(ws_a, crm, people):
    log = Log(ws_a)
    log.help(people[0], _day(1))
    log.record()
    out = StringIO()
    call_command("rollup", "ws-a", stdout=out)
    assert out.getvalue().startswith("ws-a: ")
    assert PlaceDay.objects.filter(workspace=ws_a, help_requests=1).count() == 1
    call_command("rollup", "ws-a", "--rebuild", stdout=out)
    assert PlaceDay.objects.filter(workspace=ws_a, help_requests=1).count() == 1
    with pytest.raises(CommandError):
        call_command("rollup", "nope")


def test_the_scheduled_job_brings_a_workspace_up_to_date(ws_a, crm, people):
    from unstuck.insights.tasks import build_rollups

    log = Log(ws_a)
    log.help(people[0], _day(1))
    log.record()
    build_rollups.call(str(ws_a.pk))
    assert RollupState.objects.get(workspace=ws_a).built_at is not None
    assert build_rollups.call("00000000-0000-0000-0000-000000000000") == {
        "days": 0,
        "duration_ms": 0,
    }


def test_the_scheduler_enqueues_the_rollup_job_for_every_workspace(ws_a, ws_b):
    from unstuck.scheduler import JOBS, enqueue_job

    job = next(j for j in JOBS if j.task_path == "unstuck.insights.tasks.build_rollups")
    assert enqueue_job(job) == 2


def test_unstuck_simulate_refuses_an_unknown_workspace_or_bad_weeks(ws_a):
    with pytest.raises(CommandError):
        call_command("simulate", "nope")
    with pytest.raises(CommandError, match="weeks"):
        call_command("simulate", "ws-a", "--weeks", "100")
