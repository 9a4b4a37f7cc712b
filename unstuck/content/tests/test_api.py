import pytest

from unstuck.content.models import Unit

from .factories import payload, unit_body

pytestmark = pytest.mark.django_db


def create(client, kind="guide", slug="log-a-call", **extra):
    resp = client.post("/units", unit_body(kind, slug, **extra))
    assert resp.status_code == 201, resp.content
    return resp.json()


def long_guide():
    words = " ".join(["word"] * 150)
    return {"steps": [{"title": f"Step {i}", "body": words} for i in range(10)]}


# --- creating and reading -----------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["guide", "video", "audio", "checklist", "process_map", "quick_reference", "quiz", "scenario"],
)
def test_alice_creates_a_unit_of_every_kind(api_alice, kind):
    unit = create(api_alice, kind)
    assert unit["kind"] == kind and unit["status"] == "draft" and unit["version"] == 0
    assert unit["body_html"] == "<p>Logging calls keeps the <strong>forecast</strong> honest.</p>"
    assert unit["duration_s"] > 0


def test_markdown_inside_the_payload_is_rendered_on_save(api_alice):
    unit = create(api_alice, "guide")
    assert (
        unit["payload"]["steps"][0]["body_html"]
        == "<p>Find it under <strong>Pipeline</strong>.</p>"
    )


def test_an_html_field_sent_by_the_client_is_replaced(api_alice):
    p = payload("guide")
    p["steps"][0]["body_html"] = "<b>mine</b>"
    unit = create(api_alice, payload=p)
    assert "mine" not in unit["payload"]["steps"][0]["body_html"]


def test_an_unknown_kind_is_refused_naming_kind(api_alice):
    resp = api_alice.post("/units", unit_body("podcast"))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "kind"
    assert not Unit.objects.exists()


def test_an_invalid_payload_is_refused_with_the_exact_path(api_alice):
    p = payload("guide")
    p["steps"][2]["title"] = ""
    resp = api_alice.post("/units", unit_body(payload=p))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "payload.steps.2.title"


def test_a_wrong_type_is_refused_naming_the_field(api_alice):
    resp = api_alice.post("/units", unit_body(tags="sales"))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "tags"


def test_an_invalid_transcript_is_refused(api_alice):
    p = payload("video")
    p["transcript_vtt"] = "this is not a transcript"
    resp = api_alice.post("/units", unit_body("video", payload=p))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "payload.transcript_vtt"


def test_a_duplicate_slug_is_a_conflict_naming_slug(api_alice):
    create(api_alice)
    resp = api_alice.post("/units", unit_body())
    assert resp.status_code == 409
    assert resp.json()["error"]["field"] == "slug"
    assert Unit.objects.count() == 1


def test_an_oversized_body_is_refused(api_alice):
    resp = api_alice.post("/units", unit_body(body_md="x" * 100_001))
    assert resp.status_code == 413
    assert resp.json()["error"]["field"] == "body_md"


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src="a.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "tab\tis fine but bell \x07 is not",
    ],
)
def test_broken_or_dangerous_markdown_is_refused(api_alice, body):
    resp = api_alice.post("/units", unit_body(body_md=body))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "body_md"
    assert not Unit.objects.exists()


def test_script_inside_a_payload_is_refused_with_its_path(api_alice):
    p = payload("guide")
    p["steps"][1]["body"] = "<script>steal()</script>"
    resp = api_alice.post("/units", unit_body(payload=p))
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "payload.steps.1.body"


def test_skills_are_named_by_slug_and_unknown_ones_are_refused(api_alice):
    api_alice.post("/skills", {"slug": "crm-calls", "name": "Logging calls"})
    unit = create(api_alice, skills=["crm-calls"])
    assert [s["slug"] for s in unit["skills"]] == ["crm-calls"]
    resp = api_alice.post("/units", unit_body(slug="other", skills=["crm-calls", "nope"]))
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "skills.1"


def test_the_kinds_endpoint_gives_each_payload_schema(api_bob):
    kinds = api_bob.get("/kinds").json()
    assert set(kinds) == {
        "guide",
        "video",
        "audio",
        "checklist",
        "process_map",
        "quick_reference",
        "quiz",
        "scenario",
    }
    assert "steps" in kinds["guide"]["properties"]


def test_the_openapi_document_describes_payloads(client):
    doc = client.get("/api/v1/openapi.json").json()
    unit_in = doc["components"]["schemas"]["UnitIn"]["properties"]["payload"]
    assert len(unit_in["anyOf"]) == 8


# --- who sees what ------------------------------------------------------------------


def test_bob_sees_published_units_only(api_alice, api_bob):
    draft = create(api_alice, slug="draft-one")
    published = create(api_alice, slug="published-one")
    assert api_alice.post(f"/units/{published['id']}/publish").status_code == 200
    slugs = [u["slug"] for u in api_bob.get("/units").json()["results"]]
    assert slugs == ["published-one"]
    assert api_bob.get(f"/units/{draft['id']}").status_code == 404
    assert api_bob.get(f"/units/{published['id']}").status_code == 200


def test_bob_cannot_author_or_publish(api_alice, api_bob):
    unit = create(api_alice)
    assert api_bob.post("/units", unit_body(slug="bobs")).status_code == 403
    assert api_bob.patch(f"/units/{unit['id']}", {"title": "Hacked"}).status_code == 403
    for action in ("submit", "publish", "archive", "verify", "return-to-draft"):
        assert api_bob.post(f"/units/{unit['id']}/{action}").status_code == 403, action
    assert api_bob.delete(f"/units/{unit['id']}").status_code == 403
    assert api_bob.get(f"/units/{unit['id']}/lint").status_code == 403
    assert api_bob.get("/lint").status_code == 403
    assert api_bob.get(f"/units/{unit['id']}/versions").status_code == 403
    assert Unit.objects.get().title == "Log a call (guide)"


def test_carol_can_neither_read_nor_change_workspace_a_units(api_alice, api_carol):
    unit = create(api_alice)
    api_alice.post(f"/units/{unit['id']}/publish")
    uid = unit["id"]
    assert api_carol.get(f"/units/{uid}").status_code == 404
    assert api_carol.patch(f"/units/{uid}", {"title": "Mine"}).status_code == 404
    assert api_carol.delete(f"/units/{uid}").status_code == 404
    for action in ("submit", "publish", "archive", "verify"):
        assert api_carol.post(f"/units/{uid}/{action}").status_code == 404, action
    assert api_carol.get(f"/units/{uid}/versions").status_code == 404
    assert api_carol.get(f"/units/{uid}/versions/1").status_code == 404
    assert api_carol.get(f"/units/{uid}/lint").status_code == 404
    assert api_carol.get("/units").json()["results"] == []
    assert api_carol.get("/lint").json()["units_checked"] == 0
    assert Unit.objects.get().title == "Log a call (guide)"


def test_carol_may_reuse_a_slug_that_workspace_a_has(api_alice, api_carol):
    create(api_alice)
    assert api_carol.post("/units", unit_body()).status_code == 201


def test_an_api_key_with_read_scope_reads_but_cannot_write(api_alice, ws_a, key_client):
    unit = create(api_alice)
    reader = key_client(ws_a, ["read"])
    assert reader.get(f"/units/{unit['id']}").status_code == 200
    assert reader.patch(f"/units/{unit['id']}", {"title": "X"}).status_code == 403


# --- filters and pages --------------------------------------------------------------


def test_units_filter_by_kind_status_skill_tag_locale_and_text(api_alice):
    api_alice.post("/skills", {"slug": "forecasting", "name": "Forecasting"})
    create(api_alice, "guide", "a-guide", tags=["CRM", "calls"])
    create(api_alice, "quiz", "a-quiz", skills=["forecasting"], title="Forecast check")
    create(api_alice, "checklist", "a-checklist", locale="hu")

    def slugs(**params):
        resp = api_alice.get("/units", params)
        assert resp.status_code == 200, resp.content
        return sorted(u["slug"] for u in resp.json()["results"])

    assert slugs(kind="quiz") == ["a-quiz"]
    assert slugs(skill="forecasting") == ["a-quiz"]
    assert slugs(tag="crm") == ["a-guide"]
    assert slugs(tag="cr") == []
    assert slugs(locale="hu") == ["a-checklist"]
    assert slugs(q="forecast") == ["a-quiz"]
    assert slugs(status="draft") == ["a-checklist", "a-guide", "a-quiz"]
    assert slugs(status="published") == []
    assert api_alice.get("/units", {"kind": "podcast"}).status_code == 400


def test_the_list_names_each_units_skills_with_queries_that_do_not_grow_with_the_page(
    api_alice,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_alice.post("/skills", {"slug": "zeta", "name": "A first by name"})
    api_alice.post("/skills", {"slug": "alpha", "name": "B second by name"})
    create(api_alice, slug="one", skills=["alpha", "zeta"])
    create(api_alice, slug="two")
    with CaptureQueriesContext(connection) as few:
        listed = api_alice.get("/units").json()["results"]
    assert {u["slug"]: u["skills"] for u in listed} == {"one": ["zeta", "alpha"], "two": []}
    for i in range(6):
        create(api_alice, slug=f"more-{i}", skills=["alpha"])
    with CaptureQueriesContext(connection) as many:
        listed = api_alice.get("/units").json()["results"]
    assert len(listed) == 8 and all(u["skills"] for u in listed if u["slug"].startswith("more"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_stale_units_are_listed(api_alice):
    from datetime import timedelta

    from django.utils import timezone

    old = create(api_alice, slug="old")
    create(api_alice, slug="fresh")
    Unit.objects.filter(pk=old["id"]).update(review_due_at=timezone.now() - timedelta(days=1))
    stale = [u["slug"] for u in api_alice.get("/units", {"stale": "true"}).json()["results"]]
    fresh = [u["slug"] for u in api_alice.get("/units", {"stale": "false"}).json()["results"]]
    assert stale == ["old"] and fresh == ["fresh"]
    assert api_alice.get(f"/units/{old['id']}").json()["is_stale"] is True
    verified = api_alice.post(f"/units/{old['id']}/verify").json()
    assert verified["is_stale"] is False and verified["last_verified_at"]


def test_units_page_with_a_cursor(api_alice):
    for i in range(5):
        create(api_alice, slug=f"unit-{i}")
    page = api_alice.get("/units", {"page_size": 2}).json()
    seen = [u["slug"] for u in page["results"]]
    while page["next"]:
        page = api_alice.client.get(page["next"], **api_alice.headers).json()
        seen += [u["slug"] for u in page["results"]]
    assert sorted(seen) == [f"unit-{i}" for i in range(5)]


# --- lifecycle ----------------------------------------------------------------------


def test_a_unit_goes_from_draft_to_review_to_published_to_archived(api_alice, api_bob, ws_a):
    unit = create(api_alice)
    uid = unit["id"]
    assert api_alice.post(f"/units/{uid}/submit").json()["status"] == "in_review"
    before = type(ws_a).objects.get(pk=ws_a.pk).content_version
    published = api_alice.post(f"/units/{uid}/publish").json()
    assert published["status"] == "published" and published["version"] == 1
    assert type(ws_a).objects.get(pk=ws_a.pk).content_version > before
    assert api_bob.get(f"/units/{uid}").status_code == 200
    assert api_alice.post(f"/units/{uid}/archive").json()["status"] == "archived"
    assert api_bob.get(f"/units/{uid}").status_code == 404
    assert api_alice.get(f"/units/{uid}/versions/1").status_code == 200


def test_editing_a_published_unit_keeps_what_learners_see_until_the_next_publish(
    api_alice, api_bob
):
    unit = create(api_alice)
    uid = unit["id"]
    api_alice.post(f"/units/{uid}/publish")
    edited = api_alice.patch(f"/units/{uid}", {"title": "Log a call, the new way"}).json()
    assert edited["status"] == "published" and edited["has_draft"] is True
    assert edited["title"] == "Log a call (guide)"
    assert edited["draft"]["title"] == "Log a call, the new way"
    seen_by_bob = api_bob.get(f"/units/{uid}").json()
    assert seen_by_bob["title"] == "Log a call (guide)" and seen_by_bob["draft"] is None
    republished = api_alice.post(f"/units/{uid}/publish").json()
    assert republished["title"] == "Log a call, the new way" and republished["version"] == 2
    assert republished["has_draft"] is False
    versions = api_alice.get(f"/units/{uid}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    first = api_alice.get(f"/units/{uid}/versions/1").json()
    assert first["snapshot"]["title"] == "Log a call (guide)"
    assert first["published_by"] == "alice@example.com"


def test_a_pending_edit_can_be_submitted_and_discarded(api_alice):
    unit = create(api_alice)
    uid = unit["id"]
    api_alice.post(f"/units/{uid}/publish")
    api_alice.patch(f"/units/{uid}", {"summary": "New summary"})
    assert api_alice.post(f"/units/{uid}/submit").json()["draft"]["in_review"] is True
    discarded = api_alice.delete(f"/units/{uid}/draft").json()
    assert discarded["has_draft"] is False and discarded["summary"] == unit["summary"]
    assert api_alice.delete(f"/units/{uid}/draft").status_code == 409


def test_publishing_an_unchanged_published_unit_is_a_conflict(api_alice):
    unit = create(api_alice)
    api_alice.post(f"/units/{unit['id']}/publish")
    resp = api_alice.post(f"/units/{unit['id']}/publish")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "invalid_transition"


def test_a_unit_over_five_minutes_cannot_be_published_and_gets_a_split_suggestion(api_alice):
    unit = create(api_alice, payload=long_guide())
    assert unit["duration_s"] > 300
    resp = api_alice.post(f"/units/{unit['id']}/publish")
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "lint_errors" and error["field"] == "duration_s"
    suggestion = error["details"][0]["suggestion"]
    assert len(suggestion["units"]) >= 2
    assert all(u["duration_s"] <= 300 for u in suggestion["units"])
    assert Unit.objects.get().status == "draft"


def test_a_published_unit_cannot_be_deleted_but_a_draft_can(api_alice):
    draft = create(api_alice, slug="draft")
    published = create(api_alice, slug="pub")
    api_alice.post(f"/units/{published['id']}/publish")
    assert api_alice.delete(f"/units/{published['id']}").status_code == 409
    assert api_alice.delete(f"/units/{draft['id']}").status_code == 204
    assert list(Unit.objects.values_list("slug", flat=True)) == ["pub"]


def test_the_kind_of_a_published_unit_cannot_change(api_alice):
    unit = create(api_alice)
    api_alice.post(f"/units/{unit['id']}/publish")
    resp = api_alice.patch(f"/units/{unit['id']}", {"kind": "quiz", "payload": payload("quiz")})
    assert resp.status_code == 409 and resp.json()["error"]["field"] == "kind"


def test_a_draft_may_change_kind_with_a_new_payload(api_alice):
    unit = create(api_alice)
    changed = api_alice.patch(f"/units/{unit['id']}", {"kind": "quiz", "payload": payload("quiz")})
    assert changed.status_code == 200 and changed.json()["kind"] == "quiz"


def test_a_bad_patch_changes_nothing(api_alice):
    unit = create(api_alice)
    p = payload("guide")
    p["steps"] = []
    resp = api_alice.patch(f"/units/{unit['id']}", {"title": "New", "payload": p})
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "payload.steps"
    assert Unit.objects.get().title == "Log a call (guide)"


def test_a_translation_names_its_original_and_a_new_locale(api_alice):
    original = create(api_alice)
    resp = api_alice.post(
        "/units", unit_body(slug="log-a-call-hu", locale="hu", translation_of=original["id"])
    )
    assert resp.status_code == 201 and resp.json()["translation_of_id"] == original["id"]
    again = api_alice.post(
        "/units", unit_body(slug="log-a-call-hu2", locale="hu", translation_of=original["id"])
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "locale"
    same = api_alice.post(
        "/units", unit_body(slug="log-a-call-en", locale="en", translation_of=original["id"])
    )
    assert same.status_code == 400 and same.json()["error"]["field"] == "locale"


# --- lint ---------------------------------------------------------------------------


def test_unit_lint_lists_warnings(api_alice):
    p = payload("quiz")
    p["questions"][0]["choices"][1]["feedback"] = ""
    unit = create(api_alice, "quiz", summary="", payload=p)
    report = api_alice.get(f"/units/{unit['id']}/lint").json()
    codes = {i["code"] for i in report["issues"]}
    assert {"missing_summary", "quiz_without_feedback"} <= codes
    assert report["is_publishable"] is True


def test_workspace_lint_lists_units_with_issues(api_alice):
    create(api_alice, slug="long", payload=long_guide())
    create(api_alice, slug="fine")
    report = api_alice.get("/lint").json()
    assert report["units_checked"] == 2 and report["errors"] == 1
    assert [u["slug"] for u in report["units"] if not u["is_publishable"]] == ["long"]
    only_errors = api_alice.get("/lint", {"level": "error"}).json()
    assert [u["slug"] for u in only_errors["units"]] == ["long"]


# --- skills -------------------------------------------------------------------------


def test_skills_have_parents_and_crud(api_alice, api_bob, api_carol):
    crm = api_alice.post("/skills", {"slug": "crm", "name": "CRM"}).json()
    calls = api_alice.post(
        "/skills", {"slug": "crm-calls", "name": "Logging calls", "parent": "crm"}
    )
    assert calls.status_code == 201 and calls.json()["parent_id"] == crm["id"]
    assert api_alice.post("/skills", {"slug": "crm", "name": "Again"}).status_code == 409
    cycle = api_alice.patch(f"/skills/{crm['id']}", {"parent": "crm-calls"})
    assert cycle.status_code == 400 and cycle.json()["error"]["field"] == "parent"
    assert api_bob.get("/skills").json()["results"][0]["slug"] == "crm"
    assert api_bob.post("/skills", {"slug": "x", "name": "X"}).status_code == 403
    assert api_bob.patch(f"/skills/{crm['id']}", {"name": "X"}).status_code == 403
    assert api_bob.delete(f"/skills/{crm['id']}").status_code == 403
    assert api_carol.get(f"/skills/{crm['id']}").status_code == 404
    assert api_carol.patch(f"/skills/{crm['id']}", {"name": "X"}).status_code == 404
    assert api_carol.delete(f"/skills/{crm['id']}").status_code == 404
    assert api_carol.get("/skills").json()["results"] == []
    assert api_alice.patch(f"/skills/{crm['id']}", {"name": "The CRM"}).json()["name"] == "The CRM"
    assert api_alice.delete(f"/skills/{crm['id']}").status_code == 204


# --- collections --------------------------------------------------------------------


def test_collections_keep_units_in_order_and_learners_see_published_ones(
    api_alice, api_bob, api_carol
):
    a = create(api_alice, slug="part-1")
    b = create(api_alice, slug="part-2")
    api_alice.post(f"/units/{b['id']}/publish")
    resp = api_alice.post(
        "/collections", {"slug": "crm-course", "title": "The new CRM", "units": [b["id"], "part-1"]}
    )
    assert resp.status_code == 201, resp.content
    col = resp.json()
    assert [u["slug"] for u in col["units"]] == ["part-2", "part-1"]
    assert [u["slug"] for u in api_bob.get(f"/collections/{col['id']}").json()["units"]] == [
        "part-2"
    ]
    assert [u["slug"] for u in api_bob.get("/collections").json()["results"][0]["units"]] == [
        "part-2"
    ]
    reordered = api_alice.patch(f"/collections/{col['id']}", {"units": [a["id"], b["id"]]}).json()
    assert [u["slug"] for u in reordered["units"]] == ["part-1", "part-2"]
    dup = api_alice.patch(f"/collections/{col['id']}", {"units": [a["id"], a["id"]]})
    assert dup.status_code == 400 and dup.json()["error"]["field"] == "units.1"
    assert (
        api_alice.post("/collections", {"slug": "crm-course", "title": "Again"}).status_code == 409
    )
    assert api_bob.post("/collections", {"slug": "x", "title": "X"}).status_code == 403
    assert api_bob.patch(f"/collections/{col['id']}", {"title": "X"}).status_code == 403
    assert api_bob.delete(f"/collections/{col['id']}").status_code == 403
    assert api_carol.get(f"/collections/{col['id']}").status_code == 404
    assert api_carol.patch(f"/collections/{col['id']}", {"title": "X"}).status_code == 404
    assert api_carol.delete(f"/collections/{col['id']}").status_code == 404
    assert api_carol.get("/collections").json()["results"] == []
    other = api_carol.post("/collections", {"slug": "steal", "title": "Steal", "units": [a["id"]]})
    assert other.status_code == 400 and other.json()["error"]["field"] == "units.0"
    assert api_alice.delete(f"/collections/{col['id']}").status_code == 204
