"""Guidance and adaptivity through the widget in the sample Acme CRM, in Chromium.

A proactive tip after the same validation error three times, a due review in the Today
list, and the assistant answering with citations -- each driven the way a person does it.
The live server serves both the CRM (/crm/) and Unstuck, as `make demo` does.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.accounts.models import Person
from unstuck.adaptive import services as adaptive
from unstuck.adaptive.models import ReviewCard, ReviewLogEntry
from unstuck.content.models import Unit
from unstuck.demo import services as demo
from unstuck.guidance.models import Nudge
from unstuck.lrs import profile
from unstuck.lrs.models import Statement

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_DATE_FIX = 'Fix "Close date is in the past"'


@pytest.fixture
def acme(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    url = live_server.url
    return demo.load_demo_workspace(origins=[url, url.replace("localhost", "127.0.0.1")])


@pytest.fixture
def alex(acme):
    return Person.objects.get(workspace=acme, external_id="alex@acme.example")


@pytest.fixture
def net(page):
    """Unstuck requests in flight; the test reads the database once they have settled
    (SQLite's shared in-memory test database locks whole tables)."""
    pending: set = set()
    page.on("request", lambda r: "/widget/" in r.url and pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    yield pending
    page.goto("about:blank")
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


def wait_ready(page):
    page.wait_for_function("""() => { const w = document.querySelector('unstuck-widget');
        const b = w && w.shadowRoot && w.shadowRoot.querySelector('button.b');
        return b && b.getAttribute('aria-disabled') === 'false'; }""")


def open_panel(page):
    wait_ready(page)
    widget(page).locator("button.b").click()
    return widget(page).get_by_role("dialog")


def test_the_same_error_three_times_brings_up_a_tip_with_the_fix(
    page, live_server, acme, alex, net
):
    sign_in(page, live_server)
    page.click("text=Northwind renewal 2025")  # its close date has passed
    for attempt in range(3):
        wait_ready(page)
        page.click("#save-opportunity")
        page.wait_for_selector("#close_date-error")
        settle(page, net)
        if attempt < 2:
            assert widget(page).get_by_role("status").count() == 0, "no tip before the third error"
    tip = widget(page).get_by_role("status").filter(has_text=CLOSE_DATE_FIX)
    tip.wait_for()
    assert "same error" in tip.inner_text()  # it says why it appeared
    tip.get_by_role("button", name="Open").click()
    widget(page).get_by_role("heading", name=CLOSE_DATE_FIX).wait_for()
    settle(page, net)
    nudge = Nudge.objects.get(workspace=acme, person=alex)
    assert nudge.detector == "repeated_error"
    assert nudge.unit.slug == "fix-close-date-in-the-past"
    assert nudge.status == "opened"
    assert Statement.objects.filter(
        workspace=acme, verb_id=profile.VERB_OPENED, person=alex
    ).exists()
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_the_today_list_shows_a_due_review_and_answering_moves_its_due_date(
    page, live_server, acme, alex, net
):
    quiz = Unit.objects.get(workspace=acme, slug="opportunity-stages-quiz")
    ReviewCard.objects.filter(workspace=acme, person=alex).delete()
    assert adaptive.create_cards(workspace=acme, person=alex, unit=quiz) > 0
    cards = ReviewCard.objects.filter(workspace=acme, person=alex, unit=quiz).order_by("item_key")
    first = cards.first()
    due_before = timezone.now() - timedelta(hours=2)
    ReviewCard.objects.filter(pk=first.pk).update(due=due_before)  # only this one is due
    question = adaptive.today(workspace=acme, person=alex)["items"][0]["question"]

    sign_in(page, live_server)
    panel = open_panel(page)
    panel.get_by_role("heading", name="Today").wait_for()
    panel.get_by_text(question).wait_for()
    answers = (
        panel.get_by_text(question).locator("xpath=following-sibling::div[1]").get_by_role("button")
    )
    assert answers.count() >= 2
    answers.first.click()
    panel.get_by_text(re.compile(r"^(Correct!|Not quite\.)")).wait_for()
    settle(page, net)

    first.refresh_from_db()
    assert first.due > timezone.now()  # rescheduled into the future
    assert first.reps == 1
    log = ReviewLogEntry.objects.get(card=first)
    assert log.due_after == first.due
    assert [e for e in page.console_errors] == []


def test_the_assistant_answers_a_demo_question_with_citations(page, live_server, acme, net):
    sign_in(page, live_server)
    page.click("text=Northwind renewal 2025")
    panel = open_panel(page)
    ask = panel.get_by_role("textbox", name="Ask a question")
    ask.fill("The CRM says the close date is in the past. How do I fix it?")
    panel.get_by_role("button", name="Ask", exact=True).click()
    cited = panel.get_by_role("button", name=CLOSE_DATE_FIX)
    cited.first.wait_for()
    answer = panel.locator("div[aria-live=polite] > p").first
    assert "[1]" in answer.inner_text()  # the answer cites its sources
    cited.first.click()
    panel.get_by_role("heading", name=CLOSE_DATE_FIX).wait_for()
    settle(page, net)
    asked = Statement.objects.filter(workspace=acme, verb_id=profile.VERB_ASKED).first()
    assert asked is not None and asked.person.external_id == "alex@acme.example"
    assert page.console_errors == []
