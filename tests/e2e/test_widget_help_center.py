"""The help center's Today and Ask in Chromium, reached the way a person reaches it: from
the widget's "Still stuck?" link in the sample Acme CRM."""

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


def open_help_center(page, live_server):
    """Sign in to the CRM as Alex, open the widget and follow its help center link."""
    page.goto(f"{live_server.url}/crm/")
    page.select_option("#person", label="Alex Novak — Account executive")
    page.click("#continue")
    page.wait_for_url("**/crm/opportunities/")
    page.wait_for_function("""() => { const w = document.querySelector('unstuck-widget');
        const b = w && w.shadowRoot && w.shadowRoot.querySelector('button.b');
        return b && b.getAttribute('aria-disabled') === 'false'; }""")
    widget = page.locator("unstuck-widget")
    widget.locator("button.b").click()
    href = widget.get_by_role("link", name=re.compile("Still stuck", re.I)).get_attribute("href")
    page.goto(href)
    page.wait_for_url(re.compile(r"/help/acme/$"))


def test_todays_due_review_is_answered_in_the_help_center_and_moves_its_due_date(
    page, live_server, acme, alex
):
    quiz = Unit.objects.get(workspace=acme, slug="opportunity-stages-quiz")
    ReviewCard.objects.filter(workspace=acme, person=alex).delete()
    assert adaptive.create_cards(workspace=acme, person=alex, unit=quiz) > 0
    first = ReviewCard.objects.filter(workspace=acme, person=alex, unit=quiz).order_by("item_key")[
        0
    ]
    ReviewCard.objects.filter(pk=first.pk).update(due=timezone.now() - timedelta(hours=2))
    question = adaptive.today(workspace=acme, person=alex)["items"][0]["question"]

    open_help_center(page, live_server)
    today = page.get_by_role("region", name=re.compile("^Today"))
    review = today.get_by_role("group", name=question)
    answers = review.get_by_role("button")
    assert answers.count() >= 2
    answers.first.click()
    page.wait_for_url(re.compile(r"/help/acme/#today$"))
    result = page.get_by_role("status")
    assert re.match(r"^(Correct!|Not quite\.)", result.inner_text())
    assert "Next review:" in result.inner_text()
    assert today.get_by_role("group", name=question).count() == 0  # no longer due

    first.refresh_from_db()
    assert first.due > timezone.now() and first.reps == 1
    assert ReviewLogEntry.objects.get(card=first).due_after == first.due
    assert page.console_errors == []


def test_the_assistant_answers_in_the_help_center_and_its_citation_opens_the_unit(
    page, live_server, acme
):
    open_help_center(page, live_server)
    ask = page.get_by_role("region", name="Ask")
    ask.get_by_role("textbox").fill("The CRM says the close date is in the past. How do I fix it?")
    ask.get_by_role("button", name="Ask", exact=True).click()
    cited = page.get_by_role("region", name="Ask").get_by_role("link", name=CLOSE_DATE_FIX)
    cited.wait_for()
    assert "[1]" in page.locator(".answer p").first.inner_text()
    cited.click()
    page.wait_for_url(re.compile(r"/help/acme/units/[0-9a-f-]+/$"))
    page.get_by_role("heading", name=CLOSE_DATE_FIX).wait_for()
    asked = Statement.objects.filter(workspace=acme, verb_id=profile.VERB_ASKED).first()
    assert asked is not None and asked.person.external_id == "alex@acme.example"
    assert page.console_errors == []


def test_a_quiz_in_the_help_center_is_graded_by_the_server_with_feedback_per_choice(
    page, live_server, acme
):
    quiz = Unit.objects.get(workspace=acme, slug="opportunity-stages-quiz")
    question = quiz.payload["questions"][0]
    right = next(c for c in question["choices"] if c.get("correct"))
    open_help_center(page, live_server)
    page.goto(f"{live_server.url}/help/acme/units/{quiz.id}/")
    group = page.get_by_role("group", name=question["prompt"], exact=True)
    group.wait_for()
    served = page.locator("#unit-data").text_content()
    assert question["prompt"] in served and '"correct"' not in served
    group.get_by_text(right["text"], exact=True).click()
    feedback = group.locator("xpath=following-sibling::p[1]")
    feedback.get_by_text(re.compile(r"^Correct!")).wait_for()
    for _ in range(50):
        stmt = Statement.objects.filter(workspace=acme, verb_id=profile.VERB_ANSWERED).first()
        if stmt is not None:
            break
        page.wait_for_timeout(100)
    assert stmt.success is True
    assert stmt.data["context"]["extensions"][profile.EXT_CHANNEL] == "help-center"
    assert page.console_errors == []
