"""The studio in Chromium: from an Insights gap link to a published, placed guide."""

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crm(ws_a, alice):
    from unstuck.accounts.services import create_host_app

    return create_host_app(workspace=ws_a, name="Acme CRM", slug="crm")


def test_an_author_fills_a_gap_with_a_guide_and_publishes_it(page, live_server, crm):
    from unstuck.content.models import Unit
    from unstuck.delivery.models import Placement

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    # The link the Insights "gaps to fill" list gives for this place.
    page.goto(
        f"{live_server.url}/studio/ws-a/units/new?host_app=crm&page=%2Fopportunities%2F%3Aid%2Fedit"
        "&field=stage&task=update-stage"
    )
    assert page.get_by_label("Page (path pattern)").input_value() == "/opportunities/:id/edit"
    assert page.get_by_label("Field name").input_value() == "stage"
    assert page.get_by_label("Kind").input_value() == "guide"
    page.get_by_label("Title").fill("Move a deal to the right stage")
    page.get_by_label("Summary").fill("Pick the stage that matches what the customer agreed.")
    page.get_by_role("button", name="Create draft").click()

    page.wait_for_url("**/studio/ws-a/units/*/")
    assert "goes live there when you publish" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/studio/ws-a/units/*/")
    assert "Published." in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="All units").click()
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr", has_text="Move a deal to the right stage")
    assert row.locator(".badge-published").inner_text() == "Published"

    unit = Unit.objects.get(title="Move a deal to the right stage")
    assert unit.status == "published"
    placement = Placement.objects.get(unit=unit)
    assert placement.field_key == "stage" and placement.trigger == "field_focused"
    assert page.console_errors == []


def test_changing_the_kind_of_a_new_unit_shows_that_kinds_example(page, live_server, crm):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/studio/ws-a/units/new")
    page.get_by_label("Kind").select_option("quiz")
    assert (
        "When do you move a deal to Propose?" in page.get_by_label("Payload (JSON)").input_value()
    )
    assert page.console_errors == []
