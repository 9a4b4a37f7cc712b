"""The sample Acme CRM in a real browser, with the Unstuck widget it embeds.

The live server serves both the CRM (/crm/) and Unstuck (/widget.js, /widget/v1/...), as
`make demo` does. The demo workspace is loaded with the live server's origins allowed.
"""

from __future__ import annotations

import pytest

from unstuck.demo import services
from unstuck.lrs import profile
from unstuck.lrs.models import Statement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    url = live_server.url
    return services.load_demo_workspace(origins=[url, url.replace("localhost", "127.0.0.1")])


@pytest.fixture
def net(page):
    """Unstuck requests in flight. SQLite's shared in-memory test database locks whole tables,
    so the test reads the LRS only once the widget's requests have settled."""
    pending: set = set()
    page.on("request", lambda r: "/widget/" in r.url and pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    yield pending
    page.goto(
        "about:blank"
    )  # sends what is queued (pagehide beacon) before the database is flushed
    settle(page, pending)


def settle(page, pending: set) -> None:
    page.evaluate("() => window.Unstuck && window.Unstuck.flush && window.Unstuck.flush()")
    quiet = 0
    for _ in range(100):
        quiet = 0 if pending else quiet + 1
        if quiet >= 4:
            return
        page.wait_for_timeout(100)


def sign_in(page, live_server, name="Alex Novak — Account executive"):
    page.goto(f"{live_server.url}/crm/")
    page.select_option("#person", label=name)
    page.click("#continue")
    page.wait_for_url("**/crm/opportunities/")


def widget(page):
    return page.locator("unstuck-widget")


def help_button(page):
    return widget(page).locator("button.b")


def wait_ready(page):
    page.wait_for_function("""() => { const w = document.querySelector('unstuck-widget');
        const b = w && w.shadowRoot && w.shadowRoot.querySelector('button.b');
        return b && b.getAttribute('aria-disabled') === 'false'; }""")


def statements(workspace, verb, **columns):
    return Statement.objects.filter(workspace=workspace, verb_id=verb, **columns)


def test_the_placed_unit_for_the_stage_field_opens_within_two_clicks(page, live_server, acme, net):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/crm/opportunities/new/")
    wait_ready(page)
    page.focus("#stage")
    clicks = 0
    help_button(page).click()
    clicks += 1
    panel = widget(page).get_by_role("dialog")
    panel.get_by_role("button", name="Opportunity stages at a glance").first.click()
    clicks += 1
    panel.get_by_role("heading", name="Opportunity stages at a glance").wait_for()
    assert panel.get_by_text("Rules the CRM checks when you save").is_visible()
    assert clicks == 2
    assert page.console_errors == []


def test_a_tooltip_explains_the_amount_field_on_focus(page, live_server, acme, net):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/crm/opportunities/new/")
    wait_ready(page)
    tooltip = widget(page).get_by_role("tooltip")
    assert tooltip.count() == 0
    page.focus("#amount")
    tooltip.filter(has_text="Amount and close date rules").wait_for()
    page.focus("#stage")
    tooltip.filter(has_text="Opportunity stages at a glance").wait_for()
    assert page.console_errors == []


def test_the_error_tip_opens_when_the_close_date_is_refused(page, live_server, acme, net):
    sign_in(page, live_server)
    page.click("text=Northwind renewal 2025")  # the deal that slipped
    wait_ready(page)
    page.click("#save-opportunity")
    page.wait_for_selector("#close_date-error")
    assert "Close date is in the past" in page.inner_text("#close_date-error")
    tip = widget(page).get_by_role("alert").filter(has_text="Close date is in the past")
    tip.wait_for()
    tip.get_by_role("button", name="Open").click()
    widget(page).get_by_role("heading", name='Fix "Close date is in the past"').wait_for()
    settle(page, net)
    error = statements(acme, profile.VERB_ENCOUNTERED_ERROR, field="close_date").first()
    assert error is not None
    assert error.task == "update-opportunity" and error.host_app == "crm"
    # The CRM answers a refused save with 400, which Chromium logs; nothing else may appear.
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_creating_an_opportunity_reports_the_task_to_the_lrs(page, live_server, acme, net):
    sign_in(page, live_server)
    page.click("#new-opportunity")
    wait_ready(page)
    page.fill("#name", "Initech payroll module")
    page.fill("#account", "Initech")
    page.select_option("#stage", "qualification")
    page.fill("#close_date", "2099-06-30")
    page.fill("#next_step", "Demo for the payroll team on Tuesday")
    page.click("#save-opportunity")
    page.wait_for_selector("#flash")
    page.goto("about:blank")
    settle(page, net)
    completed = statements(acme, profile.VERB_COMPLETED, task="create-opportunity").first()
    assert completed is not None
    assert completed.person.external_id == "alex@acme.example"
    assert statements(acme, profile.VERB_STARTED, task="create-opportunity").exists()
    assert page.console_errors == []


def test_with_unstuck_unreachable_the_crm_works_as_before(page, live_server, acme, net):
    sign_in(page, live_server)
    uncaught: list[str] = []
    page.on("pageerror", lambda exc: uncaught.append(str(exc)))
    page.route("**/widget.js*", lambda route: route.abort("connectionrefused"))
    page.route("**/widget/**", lambda route: route.abort("connectionrefused"))
    page.goto(f"{live_server.url}/crm/calls/new/")
    page.select_option("#contact", label="Priya Shah (Globex)")
    page.select_option("#outcome", "connected")
    page.click("#save-call")
    assert page.inner_text("#notes-error").startswith("Write what the customer said")
    page.fill("#notes", "Wants the 45+15 seat option in writing.")
    page.click("#save-call")
    page.wait_for_selector("#flash")
    assert "Call with Priya Shah logged." in page.inner_text("#flash")
    page.goto(f"{live_server.url}/crm/forecast/")
    assert page.locator("#forecast-table").is_visible()
    assert uncaught == []
    assert page.evaluate("window.Unstuck.q.length") > 0  # signals were queued, nothing thrown


def test_a_saved_crm_page_with_the_server_stopped_loads_without_errors(
    page, live_server, acme, net
):
    """The CRM page's HTML served by a separate server, its widget pointing at a closed port."""
    import http.server
    import socket
    import threading

    sign_in(page, live_server)
    html = page.request.get(
        f"{live_server.url}/crm/opportunities/new/"
    ).text()  # as the server sent it
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    html = html.replace('src="/widget.js"', f'src="http://127.0.0.1:{closed_port}/widget.js"')
    html = html.replace('href="/static/', f'href="{live_server.url}/static/')

    class Saved(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Saved)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        uncaught: list[str] = []
        fresh = page.context.new_page()
        fresh.on("pageerror", lambda exc: uncaught.append(str(exc)))
        fresh.goto(f"http://127.0.0.1:{server.server_address[1]}/crm/opportunities/new/")
        fresh.wait_for_load_state("load")
        fresh.select_option("#stage", "proposal")
        fresh.fill("#amount", "12000")
        assert fresh.input_value("#amount") == "12000"
        fresh.evaluate("Unstuck.track('task_completed', {task: 'create-opportunity'})")
        assert fresh.evaluate("document.querySelector('unstuck-widget')") is None
        assert uncaught == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_hungarian_rep_gets_the_widget_and_the_call_guide_in_hungarian(
    page, live_server, acme, net
):
    sign_in(page, live_server, name="Eva Horváth — Account executive (magyar)")
    page.goto(f"{live_server.url}/crm/calls/new/")
    wait_ready(page)
    assert "Segítség, elakadtam!" in help_button(page).inner_text()
    help_button(page).click()
    panel = widget(page).get_by_role("dialog")
    panel.get_by_role("button", name="Hívás rögzítése egy perc alatt").first.wait_for()
    assert panel.get_by_role("button", name="Log a call in under a minute").count() == 0
    assert page.console_errors == []


def test_a_rep_who_hits_the_same_error_three_times_gets_a_proactive_tip(
    page, live_server, acme, net
):
    sign_in(page, live_server)
    page.click("text=Northwind renewal 2025")
    for _attempt in range(3):
        wait_ready(page)
        page.click("#save-opportunity")
        page.wait_for_selector("#close_date-error")
        settle(page, net)
    nudge = widget(page).get_by_role("status").filter(has_text="Close date")
    nudge.first.wait_for()
    assert nudge.first.get_by_role("button", name="Open").is_visible()
    assert [e for e in page.console_errors if "status of 400" not in e] == []


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/crm/calls/new/", "Log a call in under a minute"),
        ("/crm/forecast/", "New: the forecast page and forecast categories"),
        ("/crm/contacts/", "Log a call in under a minute"),
    ],
)
def test_each_crm_page_suggests_its_own_units_in_the_help_panel(
    page, live_server, acme, net, path, title
):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}{path}")
    wait_ready(page)
    help_button(page).click()
    widget(page).get_by_role("dialog").get_by_role("button", name=title).first.wait_for()
    assert page.console_errors == []
