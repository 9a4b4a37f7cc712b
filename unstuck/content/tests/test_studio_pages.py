"""The studio pages: who can open them, what they show, and what each action changes."""

import json

import pytest
from django.test import Client

from unstuck.accounts.services import add_member, create_host_app, create_user
from unstuck.content import services
from unstuck.content.models import Collection, Status, Unit
from unstuck.delivery.models import Placement

from .factories import make_unit, payload

pytestmark = pytest.mark.django_db


def words(n):
    return " ".join(["word"] * n)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def unit(ws_a, alice):
    return make_unit(ws_a, "guide", "log-a-call")


@pytest.fixture
def long_unit(ws_a):
    steps = [{"title": f"Step {i + 1}", "body": words(150)} for i in range(8)]
    return make_unit(ws_a, "guide", "long-guide", payload={"steps": steps})


def form_data(**extra):
    data = {
        "title": "Export the pipeline",
        "slug": "export-pipeline",
        "kind": "guide",
        "summary": "Get the pipeline as CSV.",
        "body_md": "Exports are **daily**.",
        "tags": "crm, export",
        "locale": "en",
        "review_interval_days": "90",
        "payload": json.dumps(payload("guide")),
    }
    data.update(extra)
    return data


def page_urls(ws, unit):
    base = f"/studio/{ws.slug}"
    return [
        f"{base}/",
        f"{base}/units/new",
        f"{base}/units/{unit.pk}/",
        f"{base}/units/{unit.pk}/edit/",
    ]


# --- access -------------------------------------------------------------------------------


def test_alice_can_open_every_studio_page(ws_a, as_alice, unit):
    for url in page_urls(ws_a, unit):
        assert as_alice.get(url).status_code == 200, url


def test_a_learner_is_refused_every_page_and_action(ws_a, bob, unit):
    client = client_for(bob)
    for url in page_urls(ws_a, unit):
        assert client.get(url).status_code == 403, url
    for action in ("submit", "publish", "archive", "verify", "split", "delete"):
        assert client.post(f"/studio/{ws_a.slug}/units/{unit.pk}/{action}/").status_code == 403
    assert client.post(f"/studio/{ws_a.slug}/units/new", form_data()).status_code == 403
    unit.refresh_from_db()
    assert unit.status == Status.DRAFT and Unit.objects.count() == 1


def test_a_manager_cannot_author(ws_a, unit):
    manager = create_user(email="mia@example.com", password="x-Secret-123", name="Mia")
    add_member(workspace=ws_a, user=manager, role="manager")
    assert client_for(manager).get(f"/studio/{ws_a.slug}/").status_code == 403


def test_another_workspace_sees_nothing_of_a(ws_a, carol, unit):
    client = client_for(carol)
    for url in page_urls(ws_a, unit):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/studio/{ws_a.slug}/units/{unit.pk}/publish/").status_code == 404
    # Nor through its own workspace's URL.
    assert client.get(f"/studio/ws-b/units/{unit.pk}/").status_code == 404
    assert client.post(f"/studio/ws-b/units/{unit.pk}/publish/").status_code == 404
    unit.refresh_from_db()
    assert unit.status == Status.DRAFT


def test_signed_out_visitors_are_sent_to_sign_in(ws_a):
    response = Client().get(f"/studio/{ws_a.slug}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_home_page_links_to_the_studio(ws_a, as_alice):
    assert f"/studio/{ws_a.slug}/" in as_alice.get("/").content.decode()


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_status_duration_and_lint(ws_a, as_alice, unit, long_unit):
    html = as_alice.get(f"/studio/{ws_a.slug}/").content.decode()
    assert "Log a call (guide)" in html and "Draft" in html
    assert "1 error" in html  # the long guide
    assert "6m" in html or "7m" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "quiz"}, "quiz-one", "log-a-call"),
        ({"status": "published"}, "quiz-one", "log-a-call"),
        ({"skill": "crm"}, "log-a-call", "quiz-one"),
        ({"q": "quiz"}, "quiz-one", "log-a-call"),
        ({"stale": "1"}, "log-a-call", "quiz-one"),
    ],
)
def test_the_list_filters(ws_a, as_alice, query, shown, hidden):
    from datetime import timedelta

    from django.utils import timezone

    services.create_skill(workspace=ws_a, slug="crm", name="CRM")
    make_unit(ws_a, "guide", "log-a-call", skills=["crm"])
    quiz = make_unit(ws_a, "quiz", "quiz-one")
    services.publish_unit(unit=quiz)
    Unit.objects.filter(slug="log-a-call").update(review_due_at=timezone.now() - timedelta(days=1))
    html = as_alice.get(f"/studio/{ws_a.slug}/", query).content.decode()
    assert f'data-slug="{shown}"' in html
    assert f'data-slug="{hidden}"' not in html


# --- new and edit -------------------------------------------------------------------------


def test_the_new_page_starts_from_an_example_payload_of_the_kind(ws_a, as_alice):
    html = as_alice.get(f"/studio/{ws_a.slug}/units/new", {"kind": "quiz"}).content.decode()
    assert "When do you move a deal to Propose?" in html


def test_alice_creates_a_unit(ws_a, as_alice):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", form_data())
    assert response.status_code == 302
    unit = Unit.objects.get(slug="export-pipeline")
    assert response["Location"] == f"/studio/{ws_a.slug}/units/{unit.pk}/"
    assert (
        unit.status == Status.DRAFT
        and unit.tags == ["crm", "export"]
        and unit.review_interval_days == 90
    )
    assert "<strong>daily</strong>" in unit.body_html


def test_a_payload_error_is_shown_with_its_path_and_nothing_is_saved(ws_a, as_alice):
    bad = {"steps": [{"title": "ok"}, {"title": ""}]}
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", form_data(payload=json.dumps(bad)))
    assert response.status_code == 400
    assert "payload.steps.1.title" in response.content.decode()
    assert not Unit.objects.exists()


def test_broken_json_is_shown_next_to_the_payload(ws_a, as_alice):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", form_data(payload="{not json"))
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()
    assert not Unit.objects.exists()


def test_a_duplicate_slug_is_shown_on_the_slug(ws_a, as_alice, unit):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", form_data(slug="log-a-call"))
    assert response.status_code == 400
    assert 'id="id_slug-error"' in response.content.decode()
    assert Unit.objects.count() == 1


def test_an_unknown_skill_cannot_be_picked(ws_a, as_alice):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", form_data(skills=["nope"]))
    assert response.status_code == 400 and not Unit.objects.exists()


def test_alice_edits_a_draft(ws_a, as_alice, unit):
    response = as_alice.post(
        f"/studio/{ws_a.slug}/units/{unit.pk}/edit/",
        form_data(title="Log a call, faster", slug="log-a-call"),
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.title == "Log a call, faster"


def test_the_edit_form_shows_the_payload_without_rendered_html(ws_a, as_alice, unit):
    html = as_alice.get(f"/studio/{ws_a.slug}/units/{unit.pk}/edit/").content.decode()
    assert "Open the opportunity" in html and "body_html" not in html


def test_editing_a_published_unit_keeps_what_learners_see(ws_a, as_alice, unit):
    services.publish_unit(unit=unit)
    as_alice.post(
        f"/studio/{ws_a.slug}/units/{unit.pk}/edit/",
        form_data(title="New title", slug="log-a-call"),
    )
    unit.refresh_from_db()
    assert unit.title == "Log a call (guide)" and unit.draft["title"] == "New title"
    html = as_alice.get(f"/studio/{ws_a.slug}/units/{unit.pk}/").content.decode()
    assert "New title" in html and "Discard draft" in html


def test_a_bad_edit_changes_nothing(ws_a, as_alice, unit):
    response = as_alice.post(
        f"/studio/{ws_a.slug}/units/{unit.pk}/edit/", form_data(slug="log-a-call", locale="!!")
    )
    assert response.status_code == 400 and "locale" in response.content.decode()
    unit.refresh_from_db()
    assert unit.locale == "en" and unit.title == "Log a call (guide)"


# --- the gap link from Insights -----------------------------------------------------------


@pytest.fixture
def crm(ws_a):
    return create_host_app(
        workspace=ws_a, name="CRM", slug="crm", allowed_origins=["http://127.0.0.1"]
    )


GAP = {"host_app": "crm", "page": "/opportunities/:id/edit", "field": "stage", "task": "log-call"}


def test_the_gap_link_prefills_a_guide_for_that_place(ws_a, as_alice, crm):
    html = as_alice.get(f"/studio/{ws_a.slug}/units/new", GAP).content.decode()
    assert "How to log call" in html
    assert 'value="/opportunities/:id/edit"' in html and 'value="stage"' in html
    assert "goes live with the unit" in html


def test_saving_from_a_gap_also_places_the_unit(ws_a, as_alice, crm):
    data = form_data(
        **{
            "place-host_app": "crm",
            "place-url_pattern": "/opportunities/:id/edit",
            "place-field_name": "stage",
            "place-trigger": "field_focused",
            "place-presentation": "tooltip",
            "place-task": "log-call",
        }
    )
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", data)
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert placement.unit.slug == "export-pipeline" and placement.host_app == crm
    assert placement.url_pattern == "/opportunities/:id/edit" and placement.field_key == "stage"
    assert placement.element == [{"name": "stage"}, {"id": "stage"}]
    assert placement.trigger == "field_focused" and placement.presentation == "tooltip"


def test_a_bad_place_is_shown_and_neither_unit_nor_placement_is_saved(ws_a, as_alice, crm):
    data = form_data(
        **{
            "place-host_app": "crm",
            "place-url_pattern": "opportunities?x=1",
            "place-field_name": "stage",
            "place-trigger": "field_focused",
            "place-presentation": "tooltip",
        }
    )
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", data)
    assert response.status_code == 400
    assert 'id="id_place-url_pattern-error"' in response.content.decode()
    assert not Unit.objects.exists() and not Placement.objects.exists()


def test_a_gap_in_another_workspaces_app_cannot_be_used(ws_a, ws_b, as_alice):
    create_host_app(
        workspace=ws_b, name="B's CRM", slug="b-crm", allowed_origins=["http://127.0.0.1"]
    )
    data = form_data(
        **{
            "place-host_app": "b-crm",
            "place-url_pattern": "/x",
            "place-field_name": "",
            "place-trigger": "page_shown",
            "place-presentation": "panel",
        }
    )
    response = as_alice.post(f"/studio/{ws_a.slug}/units/new", data)
    assert response.status_code == 400
    assert not Unit.objects.exists() and not Placement.objects.exists()


# --- the unit page and its actions --------------------------------------------------------


def test_the_unit_page_previews_lints_and_offers_actions(ws_a, as_alice, unit):
    html = as_alice.get(f"/studio/{ws_a.slug}/units/{unit.pk}/").content.decode()
    assert "Open the opportunity" in html and "<strong>Pipeline</strong>" in html
    assert "Submit for review" in html and "Publish" in html and "Never published" in html


def test_the_lifecycle_through_the_buttons(ws_a, as_alice, unit, alice):
    base = f"/studio/{ws_a.slug}/units/{unit.pk}"
    assert as_alice.post(f"{base}/submit/").status_code == 302
    unit.refresh_from_db()
    assert unit.status == Status.IN_REVIEW
    assert as_alice.post(f"{base}/publish/").status_code == 302
    unit.refresh_from_db()
    assert unit.status == Status.PUBLISHED and unit.version == 1
    assert unit.versions.get().published_by == alice
    html = as_alice.get(f"{base}/versions/1/").content.decode()
    assert "Version 1" in html and "Open the opportunity" in html
    assert as_alice.post(f"{base}/verify/").status_code == 302
    assert as_alice.post(f"{base}/archive/").status_code == 302
    unit.refresh_from_db()
    assert unit.status == Status.ARCHIVED


def test_discard_draft_drops_the_pending_edit(ws_a, as_alice, unit):
    services.publish_unit(unit=unit)
    services.update_unit(unit=unit, changes={"title": "Pending"})
    assert as_alice.post(f"/studio/{ws_a.slug}/units/{unit.pk}/discard/").status_code == 302
    unit.refresh_from_db()
    assert unit.draft is None and unit.title == "Log a call (guide)"


def test_a_refused_action_is_explained_and_changes_nothing(ws_a, as_alice, unit):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/{unit.pk}/discard/")
    assert response.status_code == 409
    assert "no pending edit" in response.content.decode()


def test_lint_errors_block_publishing_and_offer_the_split(ws_a, as_alice, long_unit):
    base = f"/studio/{ws_a.slug}/units/{long_unit.pk}"
    html = as_alice.get(f"{base}/").content.decode()
    assert "over the 5-minute limit" in html and "Split into 2 units" in html
    response = as_alice.post(f"{base}/publish/")
    assert response.status_code == 409 and "Cannot publish" in response.content.decode()
    long_unit.refresh_from_db()
    assert long_unit.status == Status.DRAFT and long_unit.version == 0


def test_the_split_button_makes_the_parts_and_a_collection(ws_a, as_alice, long_unit):
    response = as_alice.post(f"/studio/{ws_a.slug}/units/{long_unit.pk}/split/")
    assert response.status_code == 302
    collection = Collection.objects.get()
    assert collection.units.count() == 2
    html = as_alice.get(response["Location"]).content.decode()
    assert "Split into 2 draft units" in html and "(1/2)" in html


def test_a_draft_that_was_never_published_can_be_deleted(ws_a, as_alice, unit):
    assert as_alice.post(f"/studio/{ws_a.slug}/units/{unit.pk}/delete/").status_code == 302
    assert not Unit.objects.exists()


def test_an_unknown_version_or_action_is_404(ws_a, as_alice, unit):
    assert as_alice.get(f"/studio/{ws_a.slug}/units/{unit.pk}/versions/3/").status_code == 404
    assert as_alice.post(f"/studio/{ws_a.slug}/units/{unit.pk}/explode/").status_code == 404


def test_actions_need_post(ws_a, as_alice, unit):
    assert as_alice.get(f"/studio/{ws_a.slug}/units/{unit.pk}/publish/").status_code == 405


def test_the_list_costs_the_same_few_queries_for_many_units(
    ws_a, as_alice, django_assert_max_num_queries
):
    for i in range(30):
        make_unit(ws_a, "guide", f"unit-{i}")
    with django_assert_max_num_queries(12):
        response = as_alice.get(f"/studio/{ws_a.slug}/")
    assert response.content.decode().count("data-slug=") == 30


def test_a_gap_without_a_field_is_placed_in_the_help_panel_of_the_page(ws_a, as_alice, crm):
    response = as_alice.get(
        f"/studio/{ws_a.slug}/units/new",
        {"host_app": "crm", "page": "/crm/", "field": "", "task": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Help on /crm/" in html
    assert '<option value="page_shown" selected>' in html
    assert '<option value="panel" selected>' in html
    data = form_data(
        **{
            "place-host_app": "crm",
            "place-url_pattern": "/crm/",
            "place-field_name": "",
            "place-trigger": "page_shown",
            "place-presentation": "panel",
        }
    )
    assert as_alice.post(f"/studio/{ws_a.slug}/units/new", data).status_code == 302
    placement = Placement.objects.get()
    assert (
        placement.element == [] and placement.field_key == "" and placement.presentation == "panel"
    )
