"""Acme CRM, the sample host app: its pages, its rules, and the widget it embeds."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from unittest.mock import ANY

import jwt
import pytest
from django.utils import timezone

from unstuck.demo import services
from unstuck.demo.models import Call, Opportunity

pytestmark = pytest.mark.django_db

ALEX = "alex@acme.example"
SAM = "sam@acme.example"


@pytest.fixture
def acme(acme_shared):
    acme_shared.refresh_from_db()
    return acme_shared


def sign_in(client, email=ALEX):
    response = client.post("/crm/who/", {"person": email, "next": "/crm/opportunities/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def crm(client, acme):
    return sign_in(client)


def opportunity_data(**changes):
    data = {
        "name": "Initech payroll module",
        "account": "Initech",
        "stage": "qualification",
        "amount": "",
        "close_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "next_step": "Demo for the payroll team on Tuesday",
    }
    return {**data, **changes}


def track_calls(html: str) -> list:
    """The Unstuck.track calls a page makes (its json_script block)."""
    match = re.search(r'<script id="crm-track" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def error_of(html: str, field: str) -> re.Match | None:
    return re.search(
        rf'<p class="field-error" id="{field}-error"[^>]*data-error-code="([a-z_]+)"', html
    )


# --- the user picker ------------------------------------------------------------------


def test_a_visitor_who_has_not_picked_a_person_is_sent_to_the_picker(client, acme):
    response = client.get("/crm/forecast/")
    assert response.status_code == 302
    assert response["Location"] == "/crm/who/?next=/crm/forecast/"


def test_the_picker_lists_acme_people_by_team(client, acme):
    html = client.get("/crm/who/").content.decode()
    assert 'optgroup label="Sales"' in html and "Alex Novak" in html and "Lena Fischer" in html


def test_picking_a_person_remembers_them_and_returns_to_the_page(client, acme):
    response = client.post("/crm/who/", {"person": SAM, "next": "/crm/forecast/"})
    assert response["Location"] == "/crm/forecast/"
    assert "Sam Patel" in client.get("/crm/forecast/").content.decode()


def test_picking_someone_who_is_not_in_acme_is_refused(client, acme, carol):
    response = client.post("/crm/who/", {"person": "carol@example.com"})
    assert response.status_code == 400
    assert client.get("/crm/contacts/").status_code == 302


def test_the_picker_never_redirects_off_the_crm(client, acme):
    response = client.post("/crm/who/", {"person": ALEX, "next": "https://evil.example/"})
    assert response["Location"] == "/crm/opportunities/"


def test_a_forged_user_cookie_is_ignored(client, acme):
    client.cookies["acme_crm_user"] = ALEX
    assert client.get("/crm/contacts/").status_code == 302


# --- the embedded widget --------------------------------------------------------------


def test_each_page_embeds_the_widget_with_the_crm_embed_key_and_a_signed_token(crm, acme):
    html = crm.get("/crm/opportunities/").content.decode()
    match = re.search(
        r'<script src="/widget.js" data-app="([^"]+)" data-token="([^"]+)" async>', html
    )
    assert match is not None
    embed_key, token = match.groups()
    app = services.crm_host_app(acme)
    assert embed_key == app.embed_key
    claims = jwt.decode(token, app.signing_secret, algorithms=["HS256"], audience=app.embed_key)
    assert claims["sub"] == ALEX and claims["name"] == "Alex Novak" and claims["team"] == "Sales"
    assert claims["role"] == "Account executive" and claims["locale"] == "en"
    assert 0 < claims["exp"] - claims["iat"] <= 3600


def test_unstucks_own_verifier_accepts_the_crm_token(crm, acme):
    from unstuck.delivery.identity import verify_token

    html = crm.get("/crm/contacts/").content.decode()
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    assert verify_token(services.crm_host_app(acme), token)["email"] == ALEX


def test_a_token_signed_for_the_crm_is_useless_with_another_secret(crm, acme):
    html = crm.get("/crm/contacts/").content.decode()
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            "not-the-secret-of-the-crm-host-app-at-all",
            algorithms=["HS256"],
            audience=services.CRM_EMBED_KEY,
        )


def test_pages_queue_track_calls_until_the_widget_loads(crm):
    html = crm.get("/crm/opportunities/new/").content.decode()
    assert "window.Unstuck = window.Unstuck || { q: []" in html
    assert track_calls(html) == [["task_started", {"task": "create-opportunity"}]]


# --- contacts and opportunities -------------------------------------------------------


def test_the_contact_list_links_each_contact_to_log_a_call(crm, acme):
    html = crm.get("/crm/contacts/").content.decode()
    assert "Maria Schmidt" in html and "/crm/calls/new/?contact=" in html


def test_contacts_can_be_searched(crm):
    html = crm.get("/crm/contacts/", {"q": "globex"}).content.decode()
    assert "Priya Shah" in html and "Maria Schmidt" not in html


def test_the_opportunity_list_shows_my_deals_and_flags_the_slipped_one(crm):
    html = crm.get("/crm/opportunities/").content.decode()
    assert "Northwind renewal 2025" in html and "Globex 60-seat rollout" in html
    assert "Umbrella APAC expansion" not in html  # Chen's deal
    assert "overdue" in html
    assert (
        "Umbrella APAC expansion"
        in crm.get("/crm/opportunities/", {"scope": "all"}).content.decode()
    )


def test_the_form_has_stable_ids_names_and_labels_on_every_field(crm):
    html = crm.get("/crm/opportunities/new/").content.decode()
    for name, label in [
        ("name", "Opportunity name"),
        ("account", "Account"),
        ("stage", "Stage"),
        ("amount", "Amount (EUR)"),
        ("close_date", "Close date"),
        ("next_step", "Next step"),
    ]:
        assert re.search(rf'<(input|select)[^>]*name="{name}"', html), name
        assert f'id="{name}"' in html and f'aria-label="{label}"' in html, name


def test_creating_an_opportunity_saves_it_as_mine_and_reports_the_task(crm, acme):
    response = crm.post("/crm/opportunities/new/", opportunity_data())
    assert response.status_code == 302
    opp = Opportunity.objects.get(workspace=acme, name="Initech payroll module")
    assert opp.owner.external_id == ALEX and opp.stage == "qualification"
    html = crm.get(response["Location"]).content.decode()
    assert ["task_completed", {"task": "create-opportunity"}] in track_calls(html)
    assert "Initech payroll module" in html


def test_a_close_date_in_the_past_is_refused_next_to_the_field(crm, acme):
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = crm.post("/crm/opportunities/new/", opportunity_data(close_date=past))
    assert response.status_code == 400
    html = response.content.decode()
    assert error_of(html, "close_date").group(1) == "close_date_past"
    assert "Close date is in the past" in html
    assert 'aria-describedby="close_date-error"' in html
    assert track_calls(html) == [
        [
            "error",
            {
                "task": "create-opportunity",
                "field": "close_date",
                "code": "close_date_past",
                "message": ANY,
            },
        ]
    ]
    assert not Opportunity.objects.filter(workspace=acme, name="Initech payroll module").exists()


def test_saving_the_slipped_deal_shows_the_close_date_error_and_changes_nothing(crm, acme):
    opp = Opportunity.objects.get(workspace=acme, name="Northwind renewal 2025")
    response = crm.post(
        f"/crm/opportunities/{opp.pk}/",
        opportunity_data(
            name=opp.name,
            account=opp.account,
            stage=opp.stage,
            amount=str(opp.amount),
            close_date=opp.close_date.isoformat(),
            next_step="Chase legal",
        ),
    )
    assert error_of(response.content.decode(), "close_date").group(1) == "close_date_past"
    opp.refresh_from_db()
    assert opp.next_step == "Legal review of the renewal terms"


def test_a_past_close_date_is_fine_for_a_closed_deal(crm, acme):
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = crm.post(
        "/crm/opportunities/new/",
        opportunity_data(stage="closed_won", amount="12000", close_date=past, next_step=""),
    )
    assert response.status_code == 302


def test_the_amount_is_required_from_proposal_on(crm):
    response = crm.post("/crm/opportunities/new/", opportunity_data(stage="proposal", amount=""))
    assert response.status_code == 400
    assert error_of(response.content.decode(), "amount").group(1) == "amount_required"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": ""}, "name", "name_required"),
        ({"name": "Globex 60-seat rollout"}, "name", "name_taken"),
        ({"account": " "}, "account", "account_required"),
        ({"amount": "-5"}, "amount", "amount_not_positive"),
        ({"amount": "lots"}, "amount", "invalid"),
        ({"close_date": ""}, "close_date", "close_date_required"),
        ({"close_date": "31/31/2025"}, "close_date", "invalid"),
        ({"next_step": ""}, "next_step", "next_step_required"),
        ({"stage": "won-ish"}, "stage", "invalid_choice"),
    ],
)
def test_each_rule_names_its_field_and_code(crm, changes, field, code):
    response = crm.post("/crm/opportunities/new/", opportunity_data(**changes))
    assert response.status_code == 400
    assert error_of(response.content.decode(), field).group(1) == code


def test_editing_an_opportunity_shows_its_current_values(crm, acme):
    opp = Opportunity.objects.get(workspace=acme, name="Globex 60-seat rollout")
    html = crm.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert 'value="Globex 60-seat rollout"' in html
    assert f'value="{opp.close_date.isoformat()}"' in html
    assert '<option value="proposal" selected>' in html


def test_an_unknown_opportunity_is_not_found(crm):
    assert crm.get("/crm/opportunities/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- calls ----------------------------------------------------------------------------


def call_data(acme, **changes):
    from unstuck.demo.models import Contact

    contact = Contact.objects.get(workspace=acme, email="priya.shah@globex.example")
    opp = Opportunity.objects.get(workspace=acme, name="Globex 60-seat rollout")
    data = {
        "contact": str(contact.pk),
        "opportunity": str(opp.pk),
        "call_date": timezone.localdate().isoformat(),
        "duration_min": "12",
        "outcome": "connected",
        "notes": "Priya wants the 45+15 seat option in writing.",
        "next_step": "Send revised quote by Friday",
        "follow_up_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    return {**data, **changes}


def test_log_a_call_starts_from_a_contact_with_their_open_deal(crm, acme):
    from unstuck.demo.models import Contact

    contact = Contact.objects.get(workspace=acme, email="priya.shah@globex.example")
    html = crm.get("/crm/calls/new/", {"contact": str(contact.pk)}).content.decode()
    assert f'<option value="{contact.pk}" selected>' in html
    assert track_calls(html) == [["task_started", {"task": "log-call"}]]


def test_logging_a_call_saves_it_and_updates_the_deals_next_step(crm, acme):
    response = crm.post("/crm/calls/new/", call_data(acme))
    assert response.status_code == 302
    call = Call.objects.get(workspace=acme, notes__startswith="Priya wants")
    assert call.caller.external_id == ALEX and call.duration_min == 12
    assert (
        Opportunity.objects.get(pk=call.opportunity.pk).next_step == "Send revised quote by Friday"
    )
    html = crm.get(response["Location"]).content.decode()
    assert ["task_completed", {"task": "log-call"}] in track_calls(html)
    assert "Call with Priya Shah logged." in html


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"notes": ""}, "notes", "notes_required"),
        ({"contact": ""}, "contact", "contact_required"),
        ({"outcome": ""}, "outcome", "outcome_required"),
        ({"follow_up_on": "2001-01-01"}, "follow_up_on", "follow_up_past"),
        ({"duration_min": "9000"}, "duration_min", "duration_invalid"),
    ],
)
def test_a_wrong_call_is_refused_next_to_the_field(crm, acme, changes, field, code):
    before = Call.objects.for_workspace(acme).count()
    response = crm.post("/crm/calls/new/", call_data(acme, **changes))
    assert response.status_code == 400
    assert error_of(response.content.decode(), field).group(1) == code
    assert Call.objects.for_workspace(acme).count() == before


def test_a_voicemail_needs_no_notes(crm, acme):
    assert (
        crm.post("/crm/calls/new/", call_data(acme, outcome="voicemail", notes="")).status_code
        == 302
    )


def test_the_call_list_shows_logged_calls(crm):
    assert "Akira will sign" in crm.get("/crm/calls/").content.decode()


# --- forecast -------------------------------------------------------------------------


def test_the_forecast_totals_my_quarter_by_category(crm, acme):
    from unstuck.demo.views import quarter_of

    start, end, label = quarter_of(timezone.localdate())
    response = crm.get("/crm/forecast/")
    assert response.status_code == 200
    mine = [
        o
        for o in Opportunity.objects.filter(workspace=acme, owner__external_id=ALEX)
        if start <= o.close_date < end
    ]
    assert response.context["totals"]["commit"] == sum(
        o.amount or 0 for o in mine if o.forecast_category == "commit"
    )
    assert label in response.content.decode()


def test_the_sales_manager_sees_the_team_forecast(client, acme):
    sign_in(client, SAM)
    response = client.get("/crm/forecast/")
    assert response.context["scope"] == "team"
    assert response.context["quota"] == 12 * 150000


def test_a_proposal_deal_can_move_to_commit(crm, acme):
    opp = Opportunity.objects.get(workspace=acme, name="Globex 60-seat rollout")
    opp.close_date = timezone.localdate()
    opp.save()
    response = crm.post("/crm/forecast/", {"opportunity": str(opp.pk), "category": "commit"})
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.forecast_category == "commit"


def test_a_prospecting_deal_cannot_be_forced_into_commit(client, acme):
    sign_in(client, "daniel@acme.example")
    opp = Opportunity.objects.get(workspace=acme, name="Stark Retail pilot")
    opp.close_date = timezone.localdate()
    opp.save()
    response = client.post("/crm/forecast/", {"opportunity": str(opp.pk), "category": "commit"})
    assert response.status_code == 400
    opp.refresh_from_db()
    assert opp.forecast_category == "pipeline"


def test_the_crm_entry_point_is_registered():
    from unstuck.accounts.views import ENTRY_POINTS

    assert ("Sample CRM", "/crm/") in ENTRY_POINTS
