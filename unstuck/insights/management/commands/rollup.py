from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts.models import Workspace


class Command(BaseCommand):
    help = "Bring the insights rollups up to date (or rebuild them from the statements)."

    def add_arguments(self, parser):
        parser.add_argument(
            "workspace", nargs="?", help="workspace slug (default: every workspace)"
        )
        parser.add_argument("--rebuild", action="store_true", help="delete and recompute every day")
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue background jobs instead of running now"
        )

    def handle(self, *args, **opts):
        from unstuck.insights.services import build_rollups
        from unstuck.insights.tasks import build_rollups as build_task

        workspaces = Workspace.objects.all()
        if opts["workspace"]:
            workspaces = workspaces.filter(slug=opts["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {opts['workspace']!r}.")
        for ws in workspaces:
            if opts["enqueue"]:
                build_task.enqueue(str(ws.pk), opts["rebuild"])
                self.stdout.write(f"{ws.slug}: enqueued")
                continue
            result = build_rollups(workspace=ws, rebuild=opts["rebuild"])
            self.stdout.write(f"{ws.slug}: {result['days']} days in {result['duration_ms']} ms")
