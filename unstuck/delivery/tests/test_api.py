"""The placements REST API: CRUD, validation, workspace isolation, roles."""

import pytest

from unstuck.delivery.models import Placement

from . import factories as f


@pytest.fixture
def app(ws_a, alice):
    return f.host_app(ws_a)


@pytest.fixture
def stage_unit(ws_a):
    return f.unit(ws_a, "stage-guide")


def body(**kw):
    data = {
        "host_app": "crm",
        "unit": "stage-guide",
        "url_pattern": "/opportunities/:id/edit",
        "element": [{"id": "stage"}, {"name": "stage"}, {"aria_label": "Stage"}],
        "field_key": "stage",
        "trigger": "field_focused",
        "presentation": "tooltip",
        "priority": 3,
    }
    data.update(kw)
    return data


def test_an_author_creates_reads_changes_and_deletes_a_placement(api_alice, ws_a, app, stage_unit):
    version = ws_a.content_version
    res = api_alice.post("/placements", body())
    assert res.status_code == 201, res.content
    created = res.json()
    assert created["host_app"] == "crm" and created["unit_id"] == str(stage_unit.id)
    assert created["element"][2] == {"aria_label": "Stage"}
    ws_a.refresh_from_db()
    assert ws_a.content_version > version
    pid = created["id"]
    assert api_alice.get(f"/placements/{pid}").json()["field_key"] == "stage"
    res = api_alice.patch(f"/placements/{pid}", {"priority": 9, "audience": {"teams": ["Sales"]}})
    assert (
        res.status_code == 200
        and res.json()["priority"] == 9
        and res.json()["audience"] == {"teams": ["Sales"]}
    )
    assert res.json()["element"] == created["element"]
    assert [
        p["id"] for p in api_alice.get("/placements", {"host_app": "crm"}).json()["results"]
    ] == [pid]
    assert api_alice.delete(f"/placements/{pid}").status_code == 204
    assert not Placement.objects.filter(pk=pid).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"url_pattern": "opportunities"}, "url_pattern"),
        ({"element": [{"id": "stage"}, {"xpath": "//x"}]}, "element.1.xpath"),
        ({"trigger": "hover"}, "trigger"),
        ({"presentation": "modal"}, "presentation"),
        ({"trigger": "error_event", "trigger_config": {}}, "trigger_config.code"),
        (
            {"trigger": "error_shown", "trigger_config": {"selector": {"bogus": "x"}}},
            "trigger_config.selector.bogus",
        ),
        ({"audience": {"roles": "rep", "colour": "red"}}, "audience.colour"),
        ({"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}, "ends_at"),
        ({"max_shows": 2}, "per_days"),
        ({"unit": "no-such-unit"}, "unit"),
        ({"host_app": "no-such-app"}, "host_app"),
        ({"presentation": "tooltip", "element": [], "trigger": "page_shown"}, "element"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_alice, app, stage_unit, changes, field):
    res = api_alice.post("/placements", body(**changes))
    assert res.status_code == 400, res.content
    assert res.json()["error"]["field"] == field
    assert not Placement.objects.exists()


def test_a_bad_patch_changes_nothing(api_alice, ws_a, app, stage_unit):
    placement = f.placement(ws_a, app, stage_unit, url_pattern="/a")
    res = api_alice.patch(f"/placements/{placement.id}", {"url_pattern": "nope", "priority": 5})
    assert res.status_code == 400
    placement.refresh_from_db()
    assert (placement.url_pattern, placement.priority) == ("/a", 0)


def test_the_match_preview_shows_what_a_person_gets_on_a_page(api_alice, ws_a, app, stage_unit):
    f.placement(ws_a, app, stage_unit)
    res = api_alice.get(
        "/placements/match",
        {"host_app": "crm", "url": "https://crm.example.com/opportunities/5/edit"},
    )
    assert res.status_code == 200 and res.json()["page"] == "/opportunities/5/edit"
    assert [p["unit"]["slug"] for p in res.json()["placements"]] == ["stage-guide"]


def test_bob_the_learner_cannot_manage_or_list_placements(api_bob, ws_a, app, stage_unit):
    placement = f.placement(ws_a, app, stage_unit)
    assert api_bob.post("/placements", body()).status_code == 403
    assert api_bob.patch(f"/placements/{placement.id}", {"priority": 1}).status_code == 403
    assert api_bob.delete(f"/placements/{placement.id}").status_code == 403
    assert api_bob.get("/placements").status_code == 403
    assert Placement.objects.get().priority == 0


def test_carol_cannot_see_or_change_workspace_a_placements(api_carol, ws_a, app, stage_unit):
    placement = f.placement(ws_a, app, stage_unit)
    assert api_carol.get("/placements").json()["results"] == []
    assert api_carol.get(f"/placements/{placement.id}").status_code == 404
    assert api_carol.patch(f"/placements/{placement.id}", {"priority": 1}).status_code == 404
    assert api_carol.delete(f"/placements/{placement.id}").status_code == 404
    # Nor attach her placements to A's host app or units.
    res = api_carol.post("/placements", {"host_app": str(app.id), "unit": str(stage_unit.id)})
    assert res.status_code == 400
    assert Placement.objects.count() == 1


def test_an_api_key_with_write_scope_manages_placements(key_client, ws_a, app, stage_unit):
    writer, reader = key_client(ws_a, ["write"]), key_client(ws_a, ["read"])
    assert writer.post("/placements", body()).status_code == 201
    assert reader.post("/placements", body()).status_code == 403
    assert len(reader.get("/placements").json()["results"]) == 1
