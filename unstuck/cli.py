"""The `unstuck` command: the operator's entry point.

`unstuck COMMAND ...` runs the Django management command of that name, with a few
friendlier names (`worker` is the django-tasks database worker, `manage` passes any
Django command through). `unstuck help` lists everything.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_workspace",
    "export": "export_workspace",
}

COMMANDS = {
    "serve": "Serve the web app, API, widget and xAPI with granian (WSGI)",
    "demo": "Migrate, load the demo workspace and serve it, printing the URLs",
    "migrate": "Create or update the database tables",
    "worker": "Run background jobs (django-tasks database backend)",
    "createworkspace": "Create a workspace",
    "createuser": "Create a login, optionally a member of a workspace with a role",
    "createkey": "Create an API key for a workspace and print its key and secret",
    "lint": "Lint a workspace's units; exits non-zero when any unit has an error",
    "export": "Export a whole workspace as JSON Lines",
    "import": "Import a workspace exported as JSON Lines",
    "manage": "Run any Django management command (unstuck manage help)",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
    from django.core.management import execute_from_command_line

    if not argv or argv[0] in {"help", "-h", "--help"}:
        print("usage: unstuck COMMAND [options]\n\ncommands:")
        for name, text in COMMANDS.items():
            print(f"  {name:<16}{text}")
        print("\n`unstuck COMMAND --help` shows a command's options.")
        return
    command, rest = argv[0], argv[1:]
    if command == "manage":
        execute_from_command_line(["unstuck", *rest])
        return
    execute_from_command_line(["unstuck", ALIASES.get(command, command), *rest])


if __name__ == "__main__":
    main()
