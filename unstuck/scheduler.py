"""Schedules: cron triggers that only enqueue background tasks.

APScheduler decides *when*; django-tasks runs *what*, in `unstuck worker`. Only one
scheduler may run at a time across all worker processes, or every job would be
enqueued once per worker: the scheduler runs only while it holds a lease — a Redis key
when REDIS_URL is set (several machines), else an exclusive file lock in the data
folder (one machine, the embedded setup).

Jobs are named by the import path of a django-tasks task taking a workspace id; the
scheduler enqueues one run per workspace.
"""

from __future__ import annotations

import fcntl
import importlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger("unstuck.scheduler")


@dataclass(frozen=True)
class Job:
    task_path: str  # "unstuck.insights.tasks.build_rollups"
    cron: str  # standard 5-field crontab, in UTC
    per_workspace: bool = True


JOBS: list[Job] = [
    # Incremental rollups keep dashboards under a second over millions of statements.
    Job("unstuck.insights.tasks.build_rollups", "*/10 * * * *"),
    # Need detectors over statements that did not come through the widget (xAPI clients).
    Job("unstuck.guidance.tasks.detect_needs", "*/5 * * * *"),
    # FSRS parameters refitted weekly once a workspace has enough reviews.
    Job("unstuck.adaptive.tasks.refit_fsrs", "30 3 * * 0"),
]


def _load_task(path: str):
    module_path, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_path), name)
    except (ImportError, AttributeError):
        return None


def enqueue_job(job: Job) -> int:
    """Enqueue one run of `job` (per workspace); returns how many were enqueued."""
    from unstuck.accounts.models import Workspace

    task = _load_task(job.task_path)
    if task is None:
        logger.warning("scheduled task %s does not exist; skipped", job.task_path)
        return 0
    if not job.per_workspace:
        task.enqueue()
        return 1
    count = 0
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        task.enqueue(str(workspace_id))
        count += 1
    return count


class Lease:
    """Held by at most one scheduler at a time."""

    def __init__(self) -> None:
        self._fh: Any = None
        self._redis: Any = None
        self._key = "unstuck:scheduler-lease"
        self._me = f"{socket.gethostname()}:{os.getpid()}"

    def acquire(self) -> bool:
        if settings.REDIS_URL:
            import redis

            self._redis = redis.Redis.from_url(settings.REDIS_URL)
            return bool(self._redis.set(self._key, self._me, nx=True, ex=90))
        path = settings.DATA_DIR / "scheduler.lock"
        self._fh = open(path, "w")  # noqa: SIM115 - held for the life of the process
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            return False
        return True

    def renew(self) -> bool:
        if self._redis is not None:
            if self._redis.get(self._key) == self._me.encode():
                self._redis.expire(self._key, 90)
                return True
            return bool(self._redis.set(self._key, self._me, nx=True, ex=90))
        return self._fh is not None

    def release(self) -> None:
        if self._redis is not None and self._redis.get(self._key) == self._me.encode():
            self._redis.delete(self._key)
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def start_in_background(stop: threading.Event) -> threading.Thread:
    """Run the scheduler in a daemon thread while this process holds the lease."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    def run() -> None:
        lease = Lease()
        scheduler = None
        try:
            while not stop.is_set():
                held = lease.renew() if scheduler else lease.acquire()
                if held and scheduler is None:
                    scheduler = BackgroundScheduler(timezone="UTC")
                    for job in JOBS:
                        scheduler.add_job(
                            enqueue_job,
                            CronTrigger.from_crontab(job.cron, timezone="UTC"),
                            args=[job],
                            id=job.task_path,
                            coalesce=True,
                            max_instances=1,
                        )
                    scheduler.start()
                    logger.info("scheduler started with %d jobs", len(JOBS))
                elif not held and scheduler is not None:
                    scheduler.shutdown(wait=False)
                    scheduler = None
                    logger.warning("scheduler lease lost; stopped")
                stop.wait(30)
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            lease.release()

    thread = threading.Thread(target=run, name="unstuck-scheduler", daemon=True)
    thread.start()
    return thread
