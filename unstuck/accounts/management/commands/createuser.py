import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from unstuck.accounts import services
from unstuck.accounts.models import Role, Workspace
from unstuck.errors import ApiError


class Command(BaseCommand):
    help = "Create a login (email and password), optionally a member of a workspace with a role."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="Default: $UNSTUCK_PASSWORD, else asked for.")
        parser.add_argument("--workspace", help="Workspace slug to join.")
        parser.add_argument("--role", choices=Role.values, default=Role.LEARNER)
        parser.add_argument("--team", default="")
        parser.add_argument("--staff", action="store_true", help="May use the Django admin.")

    def handle(self, *args, **opts):
        password = opts["password"] or os.environ.get("UNSTUCK_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError("Give --password or set UNSTUCK_PASSWORD.")
            password = getpass.getpass("Password: ")
        workspace = None
        if opts["workspace"]:
            workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        try:
            with transaction.atomic():
                user = services.create_user(
                    email=opts["email"],
                    password=password,
                    name=opts["name"],
                    is_staff=opts["staff"],
                )
                if workspace is not None:
                    services.add_member(
                        workspace=workspace, user=user, role=opts["role"], team=opts["team"]
                    )
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        where = f" as {opts['role']} in {workspace.slug}" if workspace else ""
        self.stdout.write(f"Created login {user.email}{where}")
