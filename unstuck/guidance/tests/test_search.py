"""Search: stemming (English, Hungarian), prefixes, typos, synonyms, snippets, scoping."""

from __future__ import annotations

import pytest

from unstuck.guidance import services
from unstuck.lrs import profile as p

from .factories import make_person, make_unit


@pytest.fixture
def units(ws_a):
    return {
        "stage": make_unit(
            ws_a,
            "opportunity-stage",
            "Moving an opportunity to the next stage",
            summary="Change the stage of an opportunity when the customer agrees.",
            body="Open the opportunity, pick the new stage and save. Closing requires a signed quote.",
        ),
        "call": make_unit(
            ws_a,
            "log-a-call",
            "Logging a call",
            summary="Record every customer call so the team sees the history.",
            body="Press Log call, choose the contact and write two lines of notes.",
        ),
        "hu": make_unit(
            ws_a,
            "ugyfelek",
            "Ügyfelek keresése",
            locale="hu",
            summary="Hogyan keressünk ügyfeleket a rendszerben.",
            body="Az ügyfelek listájában a szűrőkkel kereshetsz.",
        ),
        "draft": make_unit(
            ws_a, "draft-stage", "Secret stage draft", summary="stage", status="draft"
        ),
    }


def titles(results):
    return [r["unit"].title for r in results]


@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("opportunity stage", "Moving an opportunity to the next stage"),
        ("opportunities", "Moving an opportunity to the next stage"),  # English stemming
        ("stages", "Moving an opportunity to the next stage"),
        ("opp", "Moving an opportunity to the next stage"),  # prefix
        ("opportunty", "Moving an opportunity to the next stage"),  # typo
        ("oportunity stge", "Moving an opportunity to the next stage"),  # two typos
        ("logged calls", "Logging a call"),
        ("ügyfél", "Ügyfelek keresése"),  # Hungarian stemming
        ("ügyfeleket", "Ügyfelek keresése"),
        ("How do I log a call?", "Logging a call"),  # stop words dropped
    ],
)
def test_it_finds_the_right_unit_first(units, ws_a, query, expected_first):
    results = services.search_units(workspace=ws_a, query=query, record=False)
    assert results, query
    assert titles(results)[0] == expected_first


def test_it_never_returns_drafts(units, ws_a):
    assert "Secret stage draft" not in titles(
        services.search_units(workspace=ws_a, query="stage", record=False)
    )


def test_it_does_not_find_another_workspaces_units(units, ws_a, ws_b):
    make_unit(ws_b, "b-stage", "Stage handling in B", summary="stage stage stage")
    found = titles(services.search_units(workspace=ws_a, query="stage", record=False))
    assert "Stage handling in B" not in found
    assert titles(services.search_units(workspace=ws_b, query="opportunity", record=False)) == []


def test_workspace_synonyms_expand_queries(units, ws_a):
    assert services.search_units(workspace=ws_a, query="deal", record=False) == []
    services.save_synonym(workspace=ws_a, term="deal", alternatives=["opportunity"])
    assert titles(services.search_units(workspace=ws_a, query="deal", record=False))[0].startswith(
        "Moving"
    )


def test_snippets_mark_matches_and_escape_html(ws_a):
    make_unit(
        ws_a,
        "xss",
        "Quotes",
        body="A <script>alert(1)</script> signed quote is needed before closing.",
    )
    [hit] = services.search_units(workspace=ws_a, query="quote", record=False)
    assert "<mark>quote</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]


def test_the_index_follows_unpublishing_and_edits(units, ws_a):
    unit = units["call"]
    unit.status = "archived"
    unit.save()
    services.index_unit(unit)
    assert "Logging a call" not in titles(
        services.search_units(workspace=ws_a, query="call", record=False)
    )
    unit.status = "published"
    unit.title = "Recording a phone conversation"
    unit.save()
    services.index_unit(unit)
    assert titles(services.search_units(workspace=ws_a, query="phone", record=False)) == [
        "Recording a phone conversation"
    ]


def test_searches_are_recorded_and_empty_ones_are_content_gaps(units, ws_a):
    from unstuck.lrs.models import Statement

    person = make_person(ws_a, "u1")
    services.search_units(workspace=ws_a, query="zebra migration", person=person)
    row = Statement.objects.get(workspace=ws_a, verb_id=p.VERB_SEARCHED)
    ext = row.data["context"]["extensions"]
    assert ext[p.EXT_QUERY] == "zebra migration" and ext[p.EXT_RESULTS] == 0


def test_a_query_of_common_words_still_finds_the_unit_with_them_in_its_title(ws_a, monkeypatch):
    from unstuck.guidance import search

    # With a cap of 3 scored matches, "forecast" (in every unit) is a broad word: the
    # candidates are the first matches (in table order on PostgreSQL, the newest on
    # SQLite) plus the units with the word in their title. The index is filled in title
    # order, so the titled unit is neither among the first three nor the last three.
    monkeypatch.setattr(search, "MAX_SCORED", 3)
    monkeypatch.setattr(search, "MAX_SCORED_PG", 3)
    for i in range(4):
        make_unit(ws_a, f"before-{i}", f"Account note {i}", summary="the forecast moves")
    make_unit(ws_a, "titled", "Forecast review", summary="how the numbers add up")
    for i in range(4):
        make_unit(ws_a, f"after-{i}", f"Quota note {i}", summary="the forecast moves")
    found = titles(services.search_units(workspace=ws_a, query="forecast", record=False))
    assert found[0] == "Forecast review"
    assert len(found) < 9  # the first matches and the title match, not every match


def test_search_leaves_the_planner_settings_of_the_callers_transaction_alone(units, ws_a):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    with transaction.atomic():
        assert services.search_units(workspace=ws_a, query="stage", record=False)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == "on"
