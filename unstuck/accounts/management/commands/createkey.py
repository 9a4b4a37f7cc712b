from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts import services
from unstuck.accounts.access import ALL_SCOPES
from unstuck.accounts.models import Workspace
from unstuck.errors import ApiError


class Command(BaseCommand):
    help = "Create an API key for a workspace and print its key and secret (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("--name", default="CLI key")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            help=f"Repeat for several. One of: {', '.join(ALL_SCOPES)}. Default: read.",
        )

    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        try:
            api_key, secret = services.create_api_key(
                workspace=workspace, name=opts["name"], scopes=opts["scopes"] or ["read"]
            )
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"key: {api_key.key_id}")
        self.stdout.write(f"secret: {secret}")
        self.stdout.write(f"scopes: {' '.join(api_key.scopes)}")
