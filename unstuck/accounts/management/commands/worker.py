import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from unstuck import scheduler


class Command(BaseCommand):
    help = (
        "Run background jobs (django-tasks database worker) and, in one worker at a time, "
        "the scheduler that enqueues periodic jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Only run jobs; never schedule."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls for new jobs."
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many tasks."
        )
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--list-schedule", action="store_true", help="Print the schedule and exit."
        )

    def handle(self, *args, **opts):
        if opts["list_schedule"]:
            for job in scheduler.JOBS:
                self.stdout.write(f"{job.cron:<16} {job.task_path}")
            return
        stop = threading.Event()
        if not opts["no_scheduler"] and not opts["batch"]:
            scheduler.start_in_background(stop)
        try:
            kwargs = {"interval": opts["interval"], "batch": opts["batch"]}
            if opts["max_tasks"] is not None:
                kwargs["max_tasks"] = opts["max_tasks"]
            call_command("db_worker", **kwargs)
        finally:
            stop.set()
