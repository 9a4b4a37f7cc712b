from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts.models import Workspace
from unstuck.errors import ApiError


class Command(BaseCommand):
    help = "Generate a simulated work and learning history for a workspace (docs/insights.md)."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace slug, e.g. acme")
        parser.add_argument("--weeks", type=int, default=8)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **opts):
        from unstuck.insights.services import simulate_history

        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {opts['workspace']!r}.")
        try:
            result = simulate_history(workspace=workspace, weeks=opts["weeks"], seed=opts["seed"])
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{workspace.slug}: {result['statements']} statements for {result['people']} people; "
            f"pilot {result['pilot']}; rollups built in {result.get('rollup_ms', 0)} ms"
        )
