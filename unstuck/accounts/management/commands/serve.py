import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Unstuck with granian (WSGI): web app, API, widget, xAPI and static files."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("UNSTUCK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("UNSTUCK_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("UNSTUCK_WORKERS", "1"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("UNSTUCK_THREADS", "8")),
            help="Blocking threads per worker (WSGI requests run on them).",
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply migrations first."
        )

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Serving on http://{opts['host']}:{opts['port']}/", ending="\n")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            opts["host"],
            "--port",
            str(opts["port"]),
            "--workers",
            str(opts["workers"]),
            "--blocking-threads",
            str(opts["threads"]),
            "--no-ws",
            "--log-level",
            "warning",
            "unstuck.wsgi:application",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
        os.execvp(argv[0], argv)
