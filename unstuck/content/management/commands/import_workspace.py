import sys

from django.core.management.base import BaseCommand, CommandError

from unstuck.content.transfer import ImportRefused, import_workspace


class Command(BaseCommand):
    help = (
        "Import a workspace exported with `unstuck export` into a database where it does not exist. "
        "Nothing is written if anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON Lines file (- for standard input)")

    def handle(self, *args, **opts):
        try:
            if opts["file"] == "-":
                workspace, counts = import_workspace(sys.stdin)
            else:
                with open(opts["file"], encoding="utf-8") as lines:
                    workspace, counts = import_workspace(lines)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {opts['file']}") from exc
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        total = sum(v for k, v in counts.items() if k != "reused logins")
        reused = counts.get("reused logins", 0)
        note = f" ({reused} logins already existed and were kept as they are)" if reused else ""
        self.stdout.write(f"Imported workspace {workspace.slug!r}: {total} rows{note}.")
