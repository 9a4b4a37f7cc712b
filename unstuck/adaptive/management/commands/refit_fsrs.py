"""unstuck refit_fsrs WORKSPACE: refit FSRS parameters from the workspace's review log."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts.models import Workspace
from unstuck.adaptive import services


class Command(BaseCommand):
    help = "Refit the workspace's FSRS parameters from its review log (needs 512+ reviews)."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace slug")
        parser.add_argument("--min-reviews", type=int, default=services.MIN_REVIEWS_TO_REFIT)

    def handle(self, *args, workspace, min_reviews, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        result = services.refit_fsrs(workspace=ws, min_reviews=min_reviews)
        self.stdout.write(result["message"])
        if not result["refitted"]:
            # Not an error: too few reviews is the normal state of a young workspace.
            self.stdout.write("Kept the current parameters.")
