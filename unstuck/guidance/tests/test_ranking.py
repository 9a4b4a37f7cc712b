"""Ranking: placement exactness, text, locale, mastery, helpfulness, freshness, weights."""

from __future__ import annotations

import pytest

from unstuck.accounts.services import bump_content_version
from unstuck.guidance import ranking

from .factories import make_person, make_placement, make_skill, make_unit


@pytest.fixture
def crm(ws_a):
    u = {
        "field": make_unit(
            ws_a, "stage-field", "Choosing the right stage", summary="What each stage means."
        ),
        "page": make_unit(
            ws_a, "opp-page", "The opportunity page", summary="A tour of the opportunity page."
        ),
        "app": make_unit(
            ws_a, "crm-basics", "CRM basics", summary="Finding your way around the CRM."
        ),
        "error": make_unit(
            ws_a, "close-date", "Fixing the close date", summary="Close date must be in the future."
        ),
        "text": make_unit(
            ws_a, "discounts", "Giving a discount", summary="Discounts above 10% need approval."
        ),
    }
    make_placement(ws_a, u["field"], url_pattern="/opportunities/:id/edit", field_key="stage")
    make_placement(ws_a, u["page"], url_pattern="/opportunities/*")
    make_placement(ws_a, u["app"], url_pattern="*")
    make_placement(
        ws_a,
        u["error"],
        url_pattern="/opportunities/*",
        trigger="error_shown",
        trigger_config={"text": "close date must be in the future"},
    )
    return u


def first(ws, **request):
    results = ranking.rank(workspace=ws, **request)
    return results[0].unit.slug if results else None


@pytest.mark.parametrize(
    "request_, expected",
    [
        ({"host_app": "crm", "url": "/opportunities/7/edit", "field": "stage"}, "stage-field"),
        ({"host_app": "crm", "url": "/opportunities/7/edit"}, "opp-page"),
        ({"host_app": "crm", "url": "/contacts"}, "crm-basics"),
        (
            {
                "host_app": "crm",
                "url": "/opportunities/7/edit",
                "field": "close_date",
                "error": "Close date must be in the future",
            },
            "close-date",
        ),
        ({"host_app": "crm", "url": "/contacts", "query": "discount approval"}, "discounts"),
        ({"query": "what does each stage mean"}, "stage-field"),
        (
            {"host_app": "other", "url": "/opportunities/7/edit", "field": "stage"},
            "stage-field",
        ),  # text only
    ],
)
def test_it_ranks_the_expected_unit_first(crm, ws_a, request_, expected):
    assert first(ws_a, **request_) == expected


def test_every_result_carries_reasons_and_signals(crm, ws_a):
    results = ranking.rank(
        workspace=ws_a, host_app="crm", url="/opportunities/1/edit", field="stage"
    )
    top = results[0]
    assert "placed on this field" in top.reasons
    assert set(top.signals) == set(ranking.DEFAULT_WEIGHTS)
    assert all(r.reasons for r in results)


def test_a_person_gets_the_translation_in_their_language(ws_a):
    en = make_unit(ws_a, "export-en", "Exporting the report", summary="export report csv")
    hu = make_unit(
        ws_a, "export-hu", "A riport exportálása", summary="riport exportálása csv-be", locale="hu"
    )
    hu.translation_of = en
    hu.save(update_fields=["translation_of"])
    assert (
        first(ws_a, query="export report", person=make_person(ws_a, "hu1", locale="hu"))
        == "export-hu"
    )
    assert (
        first(ws_a, query="export report", person=make_person(ws_a, "en1", locale="en"))
        == "export-en"
    )


def test_a_match_on_the_translation_shows_the_original_to_others(ws_a):
    en = make_unit(ws_a, "export-en", "Exporting the report", summary="export report csv")
    hu = make_unit(ws_a, "export-hu", "A riport mentése", summary="riport mentése", locale="hu")
    hu.translation_of = en
    hu.save(update_fields=["translation_of"])
    bump_content_version(workspace=ws_a)
    # Only the Hungarian words match: the original is read for the English reader.
    english = make_person(ws_a, "en1", locale="en")
    assert first(ws_a, query="riport mentése", person=english) == "export-en"


def test_ranking_reads_the_units_once_when_none_is_translated(ws_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        make_unit(ws_a, f"pipeline-{i}", f"Pipeline review {i}", summary="pipeline review")
    ranking.rank(workspace=ws_a, query="pipeline")  # reads the workspace's index state
    with CaptureQueriesContext(connection) as ctx:
        assert len(ranking.rank(workspace=ws_a, query="pipeline review", limit=10)) == 6
    unit_reads = [q for q in ctx.captured_queries if "content_unit" in q["sql"]]
    assert len(unit_reads) == 1


def test_placement_audience_limits_who_gets_the_placement(ws_a):
    sales = make_unit(ws_a, "sales-tip", "Sales tip", summary="tip")
    make_placement(ws_a, sales, url_pattern="/deals", audience={"teams": ["Sales"]})
    assert (
        first(ws_a, host_app="crm", url="/deals", person=make_person(ws_a, "s", team="Sales"))
        == "sales-tip"
    )
    assert (
        first(ws_a, host_app="crm", url="/deals", person=make_person(ws_a, "x", team="Support"))
        is None
    )


def test_mastered_units_drop_below_units_the_person_still_needs(ws_a):
    from unstuck.adaptive.services import update_mastery

    known, new = make_skill(ws_a, "known"), make_skill(ws_a, "new")
    make_unit(ws_a, "a-known", "Pipeline review A", summary="pipeline review", skills=[known])
    make_unit(ws_a, "b-new", "Pipeline review B", summary="pipeline review", skills=[new])
    person = make_person(ws_a, "m1")
    for _ in range(12):
        update_mastery(workspace=ws_a, person=person, skill_ids=[known.id], is_correct=True)
    for _ in range(3):
        update_mastery(workspace=ws_a, person=person, skill_ids=[new.id], is_correct=False)
    results = ranking.rank(workspace=ws_a, query="pipeline review", person=person)
    assert [r.unit.slug for r in results] == ["b-new", "a-known"]
    assert "you already know most of this" in results[1].reasons


def test_team_helpfulness_is_a_reason(ws_a):
    from django.core.cache import cache

    from unstuck.lrs import profile as p
    from unstuck.lrs.services import record_statements

    good = make_unit(ws_a, "quote-good", "Quotes explained", summary="quote approval")
    make_unit(ws_a, "quote-other", "Quotes explained again", summary="quote approval")
    stmts = []
    for i in range(4):
        rater = make_person(ws_a, f"r{i}", team="Sales")
        stmts.append(
            p.statement(
                actor=p.actor_for_person(rater),
                verb=p.VERB_RATED,
                object_id=p.unit_activity_id(good.id),
                object_type=p.ACTIVITY_UNIT,
                result={"extensions": {p.RESULT_EXT_HELPFUL: True}},
                extensions={p.EXT_UNIT: str(good.id)},
            )
        )
    record_statements(workspace=ws_a, statements=stmts)
    cache.clear()
    results = ranking.rank(
        workspace=ws_a, query="quote approval", person=make_person(ws_a, "me", team="Sales")
    )
    assert results[0].unit.slug == "quote-good"
    assert "people in Sales found it helpful" in results[0].reasons


def test_stale_units_rank_below_fresh_ones(ws_a):
    make_unit(
        ws_a, "old", "Territory rules (old)", summary="territory rules", verified_days_ago=400
    )
    make_unit(ws_a, "new", "Territory rules (new)", summary="territory rules", verified_days_ago=10)
    results = ranking.rank(workspace=ws_a, query="territory rules")
    assert [r.unit.slug for r in results] == ["new", "old"]
    assert "not verified recently" in results[1].reasons


def test_workspace_weights_change_the_order(crm, ws_a):
    from unstuck.guidance.services import update_settings

    request = {"host_app": "crm", "url": "/contacts", "query": "opportunity page tour"}
    assert first(ws_a, **request) == "opp-page"
    update_settings(workspace=ws_a, ranking_weights={"text": 0.0})
    assert first(ws_a, **request) == "crm-basics"
