import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from unstuck.accounts.models import Workspace
from unstuck.content.models import Status, Unit
from unstuck.content.services import lint_unit


class Command(BaseCommand):
    help = (
        "Lint a workspace's units (not archived): errors block publishing, warnings are advice. "
        "Exits with status 1 when any unit has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug")
        parser.add_argument(
            "--stale", action="store_true", help="Only list units whose review is due"
        )
        parser.add_argument("--errors-only", action="store_true", help="Do not print warnings")

    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        now = timezone.now()
        units = (
            Unit.objects.for_workspace(workspace).exclude(status=Status.ARCHIVED).order_by("slug")
        )
        checked = errors = warnings = 0
        for unit in units.iterator(chunk_size=500):
            checked += 1
            issues = lint_unit(unit, now=now)
            if opts["stale"]:
                issues = [i for i in issues if i.code == "verification_expired"]
            if opts["errors_only"]:
                issues = [i for i in issues if i.level == "error"]
            if not issues:
                continue
            self.stdout.write(f"{unit.slug} ({unit.kind}, {unit.status})")
            for issue in issues:
                where = f" [{issue.field}]" if issue.field else ""
                self.stdout.write(f"  {issue.level}: {issue.code}{where}: {issue.message}")
                errors += issue.level == "error"
                warnings += issue.level == "warning"
        self.stdout.write(f"{checked} units checked: {errors} errors, {warnings} warnings.")
        if errors:
            sys.exit(1)
