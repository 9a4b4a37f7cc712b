"""`unstuck demo`: migrate, load the Acme demo workspace, print every entry point, serve.

What it prints is the newcomer's map, one `Name: URL` per line:

    Web app: http://127.0.0.1:8000/
    API docs: http://127.0.0.1:8000/api/v1/docs
    Help center: ...            (each page an app registered with register_entry_point)
    Sample CRM: http://127.0.0.1:8000/crm/
    xAPI endpoint: http://127.0.0.1:8000/xapi/
    xAPI key: uk_...            (a fresh key each run; the previous demo key is revoked)
    xAPI secret: ...
    Login (owner): olivia@acme.example / stuck-no-more
    ...
"""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from unstuck.demo import services

# Registered entry points are printed in this order; any others follow, by name.
ENTRY_ORDER = ["Help center", "Sample CRM", "Studio", "Insights", "Today", "Assistant"]


class Command(BaseCommand):
    help = "Migrate, load the Acme demo workspace, print the URLs and logins, and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("UNSTUCK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("UNSTUCK_PORT", "8000")))
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo workspace and build it afresh."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Set everything up and print, but do not serve."
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="Seed of the simulated history (first run only)."
        )

    def handle(self, *args, **opts):
        host, port = opts["host"], opts["port"]
        call_command("migrate", interactive=False, verbosity=0)
        workspace = services.load_demo_workspace(
            reset=opts["reset"], origins=services.origins_for(host, port)
        )
        try:
            simulated = services.simulate_history_once(workspace=workspace, seed=opts["seed"])
        except Exception as exc:  # the demo still serves; the dashboards start empty
            self.stderr.write(
                f"Could not simulate history ({exc.__class__.__name__}: {exc}); "
                "the insights dashboards start empty."
            )
        else:
            if simulated:
                self.stderr.write(f"Simulated {simulated} of history for the insights dashboards.")
        _key, secret = services.rotate_demo_api_key(workspace=workspace)
        base = f"http://{_display_host(host)}:{port}"
        for name, url in entry_points(workspace.slug):
            self.stdout.write(f"{name}: {base}{url}")
        self.stdout.write(f"xAPI endpoint: {base}/xapi/")
        self.stdout.write(f"xAPI key: {_key.key_id}")
        self.stdout.write(f"xAPI secret: {secret}")
        for label, email, password in services.demo_logins():
            self.stdout.write(f"Login ({label}): {email} / {password}")
        self.stdout.flush()
        if not opts["no_serve"]:
            call_command("serve", host=host, port=port, no_migrate=True)


def _display_host(host: str) -> str:
    """A browser cannot open 0.0.0.0 or ::; print the loopback address instead."""
    return {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)


def entry_points(slug: str) -> list[tuple[str, str]]:
    """(name, path) of every page to print: the web app and API docs, then the registered ones."""
    from unstuck.accounts.views import ENTRY_POINTS

    registered = {name: url.format(slug=slug) for name, url in ENTRY_POINTS}
    order = {name: i for i, name in enumerate(ENTRY_ORDER)}
    names = sorted(registered, key=lambda n: (order.get(n, len(order)), n))
    return [("Web app", "/"), ("API docs", "/api/v1/docs"), *((n, registered[n]) for n in names)]
