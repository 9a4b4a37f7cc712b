"""The widget in a real browser, embedded in a small host page on another origin.

The host page is served by the live server at http://127.0.0.1:PORT/opportunities/42/edit
(this module is the URLconf during these tests) while the script tag points at
http://localhost:PORT: another origin (both on loopback, as Chromium's private network
rules require), so CORS, origin checks and the script tag work as for a customer.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import include, path

from unstuck.delivery.tests import factories as f
from unstuck.lrs import profile
from unstuck.lrs.models import Statement

pytestmark = pytest.mark.django_db(transaction=True)

CURRENT = {"html": ""}
urlpatterns = [
    path("opportunities/<int:pk>/edit", lambda request, pk: HttpResponse(CURRENT["html"])),
    path("", include("unstuck.urls")),
]


@pytest.fixture(autouse=True)
def host_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture(autouse=True)
def quiet_widget_at_teardown(page):
    """Send the widget's queued events and let them land before the database is flushed:
    a request still running during the flush deadlocks PostgreSQL's TRUNCATE."""
    yield
    try:
        page.evaluate("() => window.Unstuck && Unstuck.flush()")
        page.wait_for_load_state("networkidle")
    except Exception:  # noqa: BLE001 - the page may already be gone
        pass
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")


HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme CRM</title><link rel="icon" href="data:,">
<style>{css}</style></head><body>
<h1>Edit opportunity</h1>
<form id="opp" novalidate onsubmit="event.preventDefault(); saveOpportunity();">
  <label for="stage">Stage</label>
  <select id="stage" name="stage"><option>Prospecting</option><option>Proposal</option></select>
  <label for="amount">Amount</label> <input id="amount" name="amount" aria-label="Amount">
  <label for="close_date">Close date</label> <input id="close_date" name="close_date">
  <div id="errors"></div>
  <button id="save" type="submit">Save</button>
</form>
<p id="status"></p>
<button id="next-opp" type="button" onclick="nextOpportunity()">Next opportunity</button>
<script>
function nextOpportunity() {{
  // A single-page app: new URL, the form re-rendered from scratch.
  history.pushState({{}}, "", "/opportunities/43/edit");
  var form = document.getElementById("opp");
  form.parentNode.replaceChild(form.cloneNode(true), form);
  document.querySelector("h1").textContent = "Edit opportunity 43";
}}
function saveOpportunity() {{
  var errors = document.getElementById("errors");
  errors.innerHTML = "";
  if (!document.getElementById("close_date").value) {{
    var e = document.createElement("div");
    e.id = "close_date-error"; e.setAttribute("role", "alert"); e.textContent = "Close date is in the past";
    errors.appendChild(e);
    if (window.Unstuck) Unstuck.track("error", {{code: "close_date_past", field: "close_date"}});
  }} else {{ document.getElementById("status").textContent = "Saved"; }}
}}
</script>
<script src="{server}/widget.js" data-app="{key}" data-token="{token}" async></script>
</body></html>"""


def host_of(live_server) -> str:
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def crm(ws_a, live_server):
    assert "localhost" in live_server.url
    app = f.host_app(ws_a, allowed_origins=[host_of(live_server)])
    stage = f.unit(ws_a, "choosing-a-stage", title="Choosing a stage")
    amount = f.unit(ws_a, "entering-amounts", title="Entering amounts")
    close = f.unit(ws_a, "close-dates", title="Close dates that make sense")
    checklist = f.unit(ws_a, "deal-checklist", kind="checklist", title="Deal checklist")
    quiz = f.unit(ws_a, "stage-quiz", kind="quiz", title="Stage quiz")
    pattern = "/opportunities/:id/edit"
    f.placement(
        ws_a,
        app,
        stage,
        url_pattern=pattern,
        field_key="stage",
        presentation="panel",
        element=[{"id": "no-such-id"}, {"name": "stage"}],
        trigger="field_focused",
        priority=10,
    )
    f.placement(
        ws_a,
        app,
        amount,
        url_pattern=pattern,
        field_key="amount",
        presentation="tooltip",
        element=[{"aria_label": "Amount"}],
        trigger="field_focused",
    )
    f.placement(
        ws_a,
        app,
        close,
        url_pattern=pattern,
        field_key="close_date",
        presentation="error_tip",
        element=[{"id": "close_date"}],
        trigger="error_shown",
        trigger_config={"selector": {"id": "close_date-error"}},
    )
    f.placement(ws_a, app, checklist, url_pattern=pattern)
    f.placement(
        ws_a, app, quiz, url_pattern=pattern, field_key="stage", element=[{"text": "Stage"}]
    )
    f.placement(
        ws_a,
        app,
        f.unit(ws_a, "ghost-guide", title="Ghost"),
        url_pattern="/opportunities/43/edit",
        presentation="tooltip",
        element=[{"id": "no-such-field"}, {"css": ".nothing-here"}],
    )
    return app


def open_host_page(page, live_server, app, *, css: str = "", token: str | None = None):
    html = HOST_PAGE.format(
        css=css,
        server=live_server.url,
        key=app.embed_key,
        token=token if token is not None else f.token(app, sub="dana"),
    )
    CURRENT["html"] = html
    page.goto(f"{host_of(live_server)}/opportunities/42/edit")


def widget(page):
    return page.locator("unstuck-widget")


def help_button(page):
    return widget(page).locator("button.b")


def wait_ready(page):
    page.wait_for_function("""() => { const w = document.querySelector('unstuck-widget');
        const b = w && w.shadowRoot.querySelector('button.b');
        return b && b.getAttribute('aria-disabled') === 'false'; }""")


def test_the_placed_unit_for_a_field_opens_in_two_clicks(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    page.focus("#stage")  # the person is working on the stage field
    clicks = 0
    help_button(page).click()
    clicks += 1
    panel = widget(page).get_by_role("dialog")
    field_section = panel.locator("section").first
    assert field_section.locator("h3").inner_text().lower() == "for this field"
    field_section.get_by_role("button", name="Choosing a stage").click()
    clicks += 1
    panel.get_by_role("heading", name="Choosing a stage").wait_for()
    assert panel.get_by_text("Pick a stage").is_visible()
    assert clicks == 2
    assert page.console_errors == []


def test_a_tooltip_shows_when_its_field_gets_focus(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    tooltip = widget(page).get_by_role("tooltip")
    assert tooltip.count() == 0
    page.focus("#amount")
    assert tooltip.filter(has_text="Entering amounts").is_visible()
    page.focus("#close_date")
    assert tooltip.count() == 0
    assert page.console_errors == []


def test_the_error_tip_opens_by_itself_when_the_error_appears(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    page.click("#save")
    tip = widget(page).get_by_role("alert")
    tip.filter(has_text="Close dates that make sense").wait_for()
    tip.get_by_role("button", name="Open").click()
    widget(page).get_by_role("heading", name="Close dates that make sense").wait_for()
    assert page.console_errors == []


def test_checklist_ticks_survive_a_reload(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    help_button(page).click()
    widget(page).get_by_role("button", name="Deal checklist").click()
    widget(page).get_by_label("Two").check()
    widget(page).get_by_text("1 of 3 done").wait_for()
    page.wait_for_timeout(300)  # let the PUT land before reloading
    page.reload()
    wait_ready(page)
    help_button(page).click()
    widget(page).get_by_role("button", name="Deal checklist").click()
    assert widget(page).get_by_label("Two").is_checked()
    assert not widget(page).get_by_label("One").is_checked()
    assert page.console_errors == []


def test_a_quiz_answer_and_a_helpful_rating_arrive_as_statements(live_server, crm, ws_a, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    page.focus("#stage")
    help_button(page).click()
    widget(page).get_by_role("button", name="Stage quiz").first.click()
    widget(page).get_by_role("button", name="4", exact=True).click()
    widget(page).get_by_text("Correct!").wait_for()
    widget(page).get_by_role("button", name="Yes").click()
    widget(page).get_by_text("Thanks for the feedback!").wait_for()
    page.wait_for_function("() => true")
    for _ in range(50):
        verbs = set(Statement.objects.filter(workspace=ws_a).values_list("verb_id", flat=True))
        if {profile.VERB_ANSWERED, profile.VERB_RATED} <= verbs:
            break
        page.wait_for_timeout(100)
    answered = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_ANSWERED)
    rated = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_RATED)
    for stmt in (answered, rated):
        assert (stmt.host_app, stmt.page, stmt.field) == ("crm", "/opportunities/42/edit", "stage")
        assert stmt.person.external_id == "dana"
    assert answered.success is True
    assert page.console_errors == []


STYLE_PROBE = """() => { const b = document.querySelector('unstuck-widget').shadowRoot.querySelector('button.b');
  const s = getComputedStyle(b); const r = b.getBoundingClientRect();
  return [s.color, s.fontSize, s.fontFamily, Math.round(r.width), Math.round(r.height)]; }"""


def test_hostile_host_css_does_not_change_the_widget(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    plain = page.evaluate(STYLE_PROBE)
    hostile = (
        "* { color: red !important; font-size: 40px !important; font-family: serif !important; "
        "padding: 30px !important; display: block !important } button { background: lime !important }"
    )
    open_host_page(page, live_server, crm, css=hostile)
    wait_ready(page)
    assert page.evaluate(STYLE_PROBE) == plain
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(255, 0, 0)"
    assert page.console_errors == []


def test_with_unstuck_down_the_host_page_works_and_the_button_says_so(live_server, crm, page):
    page.route(f"{live_server.url}/widget/v1/**", lambda route: route.abort("connectionrefused"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_host_page(page, live_server, crm)
    help_button(page).filter(has_text="Help is unavailable right now").wait_for()
    page.fill("#close_date", "2030-01-01")
    page.click("#save")
    assert page.inner_text("#status") == "Saved"
    help_button(page).click(force=True)  # says so again, and does nothing harmful
    page.evaluate("Unstuck.track('task_completed', {task: 'x'})")
    assert errors == []


def test_a_bad_token_leaves_the_host_page_alone(live_server, crm, page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_host_page(page, live_server, crm, token="tampered.token.value")
    help_button(page).filter(has_text="Help is unavailable right now").wait_for()
    assert errors == []


def test_still_stuck_leads_to_the_help_center_with_the_same_players(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    help_button(page).click()
    with page.expect_popup() as popup:
        widget(page).get_by_role("link", name="Still stuck? Open the help center").click()
    center = popup.value
    center.wait_for_load_state()
    assert center.get_by_role("heading", level=1).inner_text() == "Workspace A help center"
    assert "token=" not in center.url  # the token only started the session
    center.get_by_role("link", name="Deal checklist").click()
    center.get_by_label("Three").check()
    center.get_by_text("1 of 3 done").wait_for()
    center.wait_for_timeout(300)
    center.reload()
    assert center.get_by_label("Three").is_checked()
    center.wait_for_load_state("networkidle")  # its "viewed" event lands before the flush
    center.close()
    assert page.console_errors == []


def test_the_keyboard_opens_traps_focus_in_and_closes_the_panel(live_server, crm, page):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    page.focus("#amount")
    page.keyboard.press("Alt+H")  # the default shortcut
    panel = widget(page).get_by_role("dialog")
    panel.wait_for()
    inside = "() => document.querySelector('unstuck-widget').shadowRoot.activeElement !== null"
    for _ in range(40):  # Tab round the whole panel: focus never leaves it
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(inside)
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.id") == "amount"  # focus goes back
    assert help_button(page).get_attribute("aria-expanded") == "false"
    assert page.console_errors == []


def test_after_spa_navigation_placements_follow_and_a_missing_target_is_recorded(
    live_server, crm, ws_a, page
):
    open_host_page(page, live_server, crm)
    wait_ready(page)
    page.click("#next-opp")
    page.focus("#amount")  # a new element after the re-render
    widget(page).get_by_role("tooltip").filter(has_text="Entering amounts").wait_for()
    ghost = crm.placements.get(unit__slug="ghost-guide")
    for _ in range(150):  # the widget retries for ~8 s, then reports the missing target
        if Statement.objects.filter(workspace=ws_a, verb_id=profile.VERB_MISSED_TARGET).exists():
            break
        page.wait_for_timeout(100)
    missed = Statement.objects.get(workspace=ws_a, verb_id=profile.VERB_MISSED_TARGET)
    assert missed.page == "/opportunities/43/edit"
    assert missed.data["context"]["extensions"][profile.EXT_PLACEMENT] == str(ghost.id)
    assert page.console_errors == []


# A silent, empty WAV: media players need a source, and tests stay off the network.
SILENCE = "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA="

KIND_PAYLOADS = {
    "video": (
        {
            "source": SILENCE,
            "length_s": 90,
            "transcript_vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nOpen the stage menu\n",
            "chapters": [{"title": "Intro", "start_s": 0}, {"title": "Stages", "start_s": 30}],
        },
        "Stages",
    ),
    "audio": ({"source": SILENCE, "length_s": 60, "transcript": "Say hello first."}, "Transcript"),
    "process_map": (
        {
            "nodes": [
                {"id": "s", "type": "start", "label": "Lead in"},
                {"id": "d", "type": "decision", "label": "Qualified?"},
                {"id": "e", "type": "end", "label": "Won"},
            ],
            "edges": [{"from": "s", "to": "d"}, {"from": "d", "to": "e", "label": "yes"}],
        },
        "Qualified?",
    ),
    "quick_reference": (
        {"sections": [{"title": "Shortcuts", "body": "x", "body_html": "<p>Press S to save</p>"}]},
        "Press S to save",
    ),
    "scenario": (
        {
            "nodes": [
                {
                    "id": "n1",
                    "speaker": "Customer",
                    "text": "This is the third time!",
                    "choices": [
                        {
                            "text": "I understand, let me fix it",
                            "outcome": "good",
                            "feedback": "Empathy first.",
                        }
                    ],
                }
            ],
            "outcomes": {"good": "The customer calms down."},
        },
        "This is the third time!",
    ),
}


def test_every_kind_has_a_player_that_opens_without_errors(live_server, crm, ws_a, page):
    for kind, (payload, _) in KIND_PAYLOADS.items():
        unit = f.unit(
            ws_a, f"kind-{kind.replace('_', '-')}", kind=kind, title=f"Kind {kind}", payload=payload
        )
        f.placement(ws_a, crm, unit, url_pattern="/opportunities/*")
    open_host_page(page, live_server, crm)
    wait_ready(page)
    help_button(page).click()
    for kind, (_, visible_text) in KIND_PAYLOADS.items():
        widget(page).get_by_role("button", name=f"Kind {kind}").click()
        widget(page).get_by_role("heading", name=f"Kind {kind}").wait_for()
        assert widget(page).get_by_text(visible_text).first.is_visible() or kind in (
            "audio",
            "video",
        )
        if kind == "scenario":
            widget(page).get_by_role("button", name="I understand, let me fix it").click()
            widget(page).get_by_text("The customer calms down.").wait_for()
        if kind == "process_map":
            assert widget(page).locator("svg polygon").count() == 1  # the decision is a diamond
        widget(page).get_by_role("button", name="← Back").click()
    assert page.console_errors == []
