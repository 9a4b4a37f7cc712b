import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from unstuck import scheduler


@task()
def note_workspace(workspace_id: str) -> str:
    return workspace_id


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_workspace(ws_a, ws_b):
    job = scheduler.Job("unstuck.accounts.tests.test_scheduler.note_workspace", "* * * * *")
    assert scheduler.enqueue_job(job) == 2
    args = sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all())
    assert args == sorted([str(ws_a.id), str(ws_b.id)])


@pytest.mark.django_db
def test_a_missing_task_is_skipped(ws_a):
    assert scheduler.enqueue_job(scheduler.Job("unstuck.nowhere.tasks.nothing", "* * * * *")) == 0


def test_only_one_scheduler_holds_the_lease(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.REDIS_URL = ""
    first, second = scheduler.Lease(), scheduler.Lease()
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_every_schedule_is_a_valid_crontab():
    from apscheduler.triggers.cron import CronTrigger

    for job in scheduler.JOBS:
        CronTrigger.from_crontab(job.cron, timezone="UTC")
