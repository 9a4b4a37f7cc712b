"""The demo workspace: what `load_demo_workspace` builds, and that building it twice adds nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from unstuck.accounts.models import HostApp, Membership, Person, Workspace
from unstuck.content.models import Collection, Kind, Skill, Status, Unit
from unstuck.demo import services
from unstuck.demo.models import Call, Contact, Opportunity
from unstuck.demo.people import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(acme_shared):
    """Acme, loaded once for the module; each test's changes are rolled back after it."""
    acme_shared.refresh_from_db()
    return acme_shared


def _counts(workspace):
    from unstuck.delivery.models import Placement

    return {
        "people": Person.objects.for_workspace(workspace).count(),
        "memberships": Membership.objects.for_workspace(workspace).count(),
        "units": Unit.objects.for_workspace(workspace).count(),
        "skills": Skill.objects.for_workspace(workspace).count(),
        "collections": Collection.objects.for_workspace(workspace).count(),
        "placements": Placement.objects.for_workspace(workspace).count(),
        "host_apps": HostApp.objects.for_workspace(workspace).count(),
        "contacts": Contact.objects.for_workspace(workspace).count(),
        "opportunities": Opportunity.objects.for_workspace(workspace).count(),
        "calls": Call.objects.for_workspace(workspace).count(),
        "users": get_user_model().objects.count(),
    }


def test_it_creates_acme_with_a_four_minute_budget(acme):
    assert (acme.name, acme.slug, acme.daily_budget_s) == ("Acme", "acme", 240)


def test_it_publishes_at_least_thirty_units_covering_every_kind(acme):
    published = Unit.objects.for_workspace(acme).published()
    assert published.count() >= 30
    assert set(published.values_list("kind", flat=True)) == set(Kind.values)


def test_every_unit_takes_at_most_five_minutes_and_has_skills(acme):
    for unit in Unit.objects.for_workspace(acme):
        assert 30 <= unit.duration_s <= 300, unit.slug
        assert unit.skills.exists(), unit.slug


def test_every_unit_is_lint_clean(acme):
    from unstuck.content.services import lint_unit

    problems = {
        u.slug: [i.as_dict() for i in lint_unit(u)] for u in Unit.objects.for_workspace(acme)
    }
    assert {slug: issues for slug, issues in problems.items() if issues} == {}


def test_some_units_are_hungarian_translations_of_english_ones(acme):
    hungarian = Unit.objects.for_workspace(acme).filter(locale="hu")
    assert hungarian.count() >= 4
    assert all(u.translation_of is not None and u.translation_of.locale == "en" for u in hungarian)


def test_it_keeps_a_couple_of_drafts_for_the_studio(acme):
    assert Unit.objects.for_workspace(acme).filter(status=Status.DRAFT).count() >= 2


def test_key_skills_have_quizzes_for_spaced_reinforcement(acme):
    quizzes = Unit.objects.for_workspace(acme).published().filter(kind=Kind.QUIZ)
    covered = set(quizzes.values_list("skills__slug", flat=True))
    assert {
        "opportunity-stages",
        "forecasting",
        "logging-calls",
        "de-escalation",
        "agile",
    } <= covered


def test_the_skill_tree_nests_crm_skills_under_crm_basics(acme):
    skill = Skill.objects.get(workspace=acme, slug="forecasting")
    assert skill.parent is not None and skill.parent.slug == "crm-basics"


def test_people_fill_several_teams(acme):
    teams = Counter(Person.objects.for_workspace(acme).values_list("team", flat=True))
    assert teams["Sales"] >= 13 and teams["Support"] >= 8 and teams["Project management"] >= 5
    assert teams["New hires"] >= 4 and teams["L&D"] >= 1


def test_demo_logins_sign_in_with_the_documented_password(acme, client):
    for label, email, password in services.demo_logins():
        assert password == DEMO_PASSWORD
        membership = Membership.objects.get(workspace=acme, user__email=email)
        assert membership.role == label
        assert client.login(username=email, password=password), email


def test_the_sales_manager_manages_the_sales_team(acme):
    membership = Membership.objects.get(workspace=acme, role="manager")
    assert membership.managed_teams == ["Sales"]
    assert membership.person.team == "Sales"


def test_the_crm_host_app_has_the_documented_embed_key_and_local_origins(acme):
    app = services.crm_host_app(acme)
    assert app.name == "Acme CRM" and app.embed_key == services.CRM_EMBED_KEY
    assert {"http://127.0.0.1:8000", "http://localhost:8000"} <= set(app.allowed_origins)


def test_loading_with_the_served_origins_adds_them_and_keeps_the_others(acme):
    services.load_demo_workspace(origins=services.origins_for("127.0.0.1", 8765))
    origins = set(services.crm_host_app(acme).allowed_origins)
    assert {"http://127.0.0.1:8765", "http://localhost:8765", "http://127.0.0.1:8000"} <= origins


def test_placements_cover_the_fields_the_error_and_the_pages(acme):
    from unstuck.delivery.models import Placement

    placements = Placement.objects.for_workspace(acme)
    tooltips = set(placements.filter(presentation="tooltip").values_list("field_key", flat=True))
    assert {"stage", "amount", "close_date"} <= tooltips
    assert placements.filter(presentation="error_tip", field_key="close_date").exists()
    assert placements.filter(url_pattern="/crm/calls/*").exists()
    assert placements.filter(url_pattern="/crm/forecast/*").exists()
    assert placements.filter(is_release_note=True, unit__slug="forecast-categories").exists()


def test_loading_twice_adds_nothing(acme):
    before = _counts(acme)
    again = services.load_demo_workspace()
    assert again.pk == acme.pk
    assert _counts(again) == before
    assert Workspace.objects.filter(slug="acme").count() == 1


def test_it_keeps_an_authors_edit_when_loaded_again(acme):
    Unit.objects.filter(workspace=acme, slug="log-a-call").update(
        title="Log a call (edited by Ethan)"
    )
    services.load_demo_workspace()
    assert (
        Unit.objects.get(workspace=acme, slug="log-a-call").title == "Log a call (edited by Ethan)"
    )


def test_reset_rebuilds_the_workspace_from_scratch(acme):
    Unit.objects.filter(workspace=acme, slug="log-a-call").delete()
    rebuilt = services.load_demo_workspace(reset=True)
    assert rebuilt.pk != acme.pk
    assert Unit.objects.filter(workspace=rebuilt, slug="log-a-call").exists()
    assert _counts(rebuilt)["memberships"] == len(services.demo_logins())


def test_it_does_not_touch_other_workspaces(acme, ws_b, carol):
    before = Person.objects.for_workspace(ws_b).count()
    services.load_demo_workspace(reset=True)
    assert Workspace.objects.filter(pk=ws_b.pk).exists()
    assert Person.objects.for_workspace(ws_b).count() == before


def test_the_crm_starts_with_one_slipped_deal(acme):
    from django.utils import timezone

    slipped = Opportunity.objects.for_workspace(acme).filter(
        close_date__lt=timezone.localdate(),
        stage__in=["prospecting", "qualification", "proposal", "negotiation"],
    )
    assert list(slipped.values_list("name", flat=True)) == ["Northwind renewal 2025"]


def test_rotating_the_demo_key_revokes_the_previous_one(acme):
    first, _ = services.rotate_demo_api_key(workspace=acme)
    second, secret = services.rotate_demo_api_key(workspace=acme)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None and secret


def test_demo_learners_have_reviews_waiting_in_today(acme):
    from unstuck.accounts.models import Person
    from unstuck.adaptive.services import today

    alex = Person.objects.get(workspace=acme, email="alex@acme.example")
    items = today(workspace=acme, person=alex)["items"]
    assert items, "Alex should have reviews due when the demo starts"
    assert all(item["question"] for item in items)
