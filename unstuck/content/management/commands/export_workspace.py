from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts.models import Workspace
from unstuck.content.transfer import export_workspace


class Command(BaseCommand):
    help = "Export a whole workspace (every app's rows and the logins they refer to) as JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug")
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")

    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8") as out:
                counts = export_workspace(workspace, out)
            total = sum(counts.values())
            self.stderr.write(
                f"Exported {total} rows of workspace {workspace.slug!r} to {opts['output']}."
            )
        else:
            export_workspace(workspace, self.stdout)  # type: ignore[arg-type]
