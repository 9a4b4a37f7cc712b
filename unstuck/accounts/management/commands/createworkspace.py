from django.core.management.base import BaseCommand, CommandError

from unstuck.accounts import services
from unstuck.errors import ApiError


class Command(BaseCommand):
    help = "Create a workspace."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--locale", default="en")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--daily-budget-s", type=int, default=240)

    def handle(self, *args, **opts):
        try:
            ws = services.create_workspace(
                name=opts["name"],
                slug=opts["slug"],
                default_locale=opts["locale"],
                time_zone=opts["time_zone"],
                daily_budget_s=opts["daily_budget_s"],
            )
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created workspace {ws.slug} ({ws.id})")
