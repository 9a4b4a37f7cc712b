from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts.models import Workspace
from unstuck.errors import ApiError
from unstuck.lrs import services


class Command(BaseCommand):
    help = (
        "Hard-delete a person's statements and documents (GDPR erasure); recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("external_id", help="The person's external id")

    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        try:
            counts = services.erase_person(
                workspace=workspace, external_id=opts["external_id"], actor_label="cli"
            )
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"erased {opts['external_id']}: {counts['statements']} statements, {counts['documents']} documents, "
            f"{counts['attachments']} attachments"
        )
