"""Need detectors, nudges, frequency caps and the daily budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.guidance import services
from unstuck.guidance.models import Nudge
from unstuck.lrs import profile as p

from .factories import make_person, make_placement, make_quiz, make_skill, make_unit


def error(person, field="close_date", code="E_CLOSE_DATE", at=None, page="/opportunities/1/edit"):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_ENCOUNTERED_ERROR,
        object_id=p.page_activity_id("crm", page),
        object_type=p.ACTIVITY_PAGE,
        extensions={
            p.EXT_HOST_APP: "crm",
            p.EXT_PAGE: page,
            p.EXT_FIELD: field,
            p.EXT_ERROR_CODE: code,
        },
        timestamp=at,
    )


def search(person, q):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_SEARCHED,
        object_id=f"{p.PROFILE_BASE}/search",
        extensions={p.EXT_QUERY: q, p.EXT_HOST_APP: "crm", p.EXT_PAGE: "/"},
    )


def task_done(person, ms, task="create-opportunity", success=True):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_COMPLETED if success else p.VERB_FAILED,
        object_id=p.task_activity_id("crm", task),
        object_type=p.ACTIVITY_TASK,
        result={"success": success, "extensions": {p.RESULT_EXT_DURATION_MS: ms}},
        extensions={p.EXT_HOST_APP: "crm", p.EXT_TASK: task, p.EXT_PAGE: "/opportunities/new"},
    )


def quiz_failed(person, quiz):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_FAILED,
        object_id=p.unit_activity_id(quiz.id),
        object_type=p.ACTIVITY_UNIT,
        result={"success": False},
        extensions={p.EXT_UNIT: str(quiz.id)},
    )


def page_view(person, page, field=""):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_REQUESTED_HELP,
        object_id=p.page_activity_id("crm", page),
        extensions={p.EXT_HOST_APP: "crm", p.EXT_PAGE: page, p.EXT_FIELD: field},
    )


@pytest.fixture
def content(ws_a):
    skill = make_skill(ws_a, "pipeline")
    u = {
        "close": make_unit(
            ws_a,
            "close-date",
            "Fixing the close date",
            summary="The close date must be in the future.",
            duration_s=90,
        ),
        "create": make_unit(
            ws_a,
            "create-opp",
            "Creating an opportunity quickly",
            summary="Create opportunity in three steps.",
            duration_s=120,
        ),
        "pipeline": make_unit(
            ws_a, "pipeline-guide", "Pipeline stages", summary="stages", skills=[skill]
        ),
        "forecast": make_unit(
            ws_a, "forecast", "Forecasting", summary="forecast categories", duration_s=100
        ),
        "new-ui": make_unit(
            ws_a, "new-ui", "The new quote editor", summary="What changed in quotes"
        ),
    }
    u["quiz"] = make_quiz(
        ws_a, "pipeline-quiz", "Pipeline quiz", [("Which stage?", ["A", "B"], 0)], skills=[skill]
    )
    make_placement(ws_a, u["close"], url_pattern="/opportunities/*", field_key="close_date")
    make_placement(ws_a, u["new-ui"], url_pattern="/quotes/*", is_release_note=True)
    return u


def run(ws, person, statements):
    return services.on_statements(workspace=ws, person=person, statements=statements)


# (name, statements builder, expected detector, expected unit key) -- one row per detector.
CASES = [
    (
        "three errors on one field",
        lambda pr, c: [error(pr), error(pr), error(pr)],
        "repeated_error",
        "close",
    ),
    (
        "three searches",
        lambda pr, c: [
            search(pr, "forecast"),
            search(pr, "forecast categories"),
            search(pr, "forecasting"),
        ],
        "repeated_search",
        "forecast",
    ),
    (
        "a slow task",
        lambda pr, c: (
            [task_done(pr, 60_000 + i * 1000) for i in range(6)] + [task_done(pr, 400_000)]
        ),
        "slow_task",
        "create",
    ),
    ("a failed quiz", lambda pr, c: [quiz_failed(pr, c["quiz"])], "failed_quiz", "pipeline"),
    (
        "first use of a changed feature",
        lambda pr, c: [page_view(pr, "/quotes/9")],
        "release_note",
        "new-ui",
    ),
]


@pytest.mark.parametrize("name, build, detector, unit_key", CASES, ids=[c[0] for c in CASES])
def test_each_detector_nudges_the_right_unit(content, ws_a, name, build, detector, unit_key):
    person = make_person(ws_a, "p1")
    shown = run(ws_a, person, build(person, content))
    assert [n["unit_id"] for n in shown] == [str(content[unit_key].id)]
    nudge = Nudge.objects.get(pk=shown[0]["id"])
    assert nudge.detector == detector and nudge.reason and nudge.status == "created"


# (name, statements, fires?)
QUIET = [
    ("two errors are not yet a pattern", lambda pr: [error(pr), error(pr)]),
    (
        "errors on different fields",
        lambda pr: [error(pr, field="a"), error(pr, field="b"), error(pr, field="c")],
    ),
    (
        "errors spread over an hour",
        lambda pr: [error(pr, at=timezone.now() - timedelta(minutes=m)) for m in (50, 25, 0)],
    ),
    ("a task at its usual speed", lambda pr: [task_done(pr, 60_000) for _ in range(8)]),
    ("a page without a release note", lambda pr: [page_view(pr, "/contacts")]),
]


@pytest.mark.parametrize("name, build", QUIET, ids=[c[0] for c in QUIET])
def test_ordinary_work_does_not_nudge(content, ws_a, name, build):
    person = make_person(ws_a, "p1")
    assert run(ws_a, person, build(person)) == []


def test_a_fourth_error_does_not_nudge_again(content, ws_a):
    person = make_person(ws_a, "p1")
    assert len(run(ws_a, person, [error(person)] * 3)) == 1
    assert run(ws_a, person, [error(person)]) == []


def test_release_notes_nudge_only_once(content, ws_a):
    person = make_person(ws_a, "p1")
    assert len(run(ws_a, person, [page_view(person, "/quotes/1")])) == 1
    Nudge.objects.update(created_at=timezone.now() - timedelta(days=30))
    assert run(ws_a, person, [page_view(person, "/quotes/2")]) == []


def test_frequency_caps_hold_back_a_second_nudge_soon_after(content, ws_a):
    person = make_person(ws_a, "p1")
    assert run(ws_a, person, [error(person)] * 3)
    assert run(ws_a, person, [error(person, field="x", code="E2")] * 3) == []  # within 10 minutes


def test_nudges_respect_the_daily_budget(content, ws_a):
    from unstuck.adaptive.services import budget_left, spend_budget

    person = make_person(ws_a, "p1")
    spend_budget(workspace=ws_a, person=person, seconds=200, source="review")
    assert budget_left(workspace=ws_a, person=person) == 40
    assert run(ws_a, person, [error(person)] * 3) == []  # the tip takes 90 s
    assert not Nudge.objects.exists()
    # Help the person asks for is never limited by the budget.
    assert services.search_units(workspace=ws_a, query="close date", person=person)
    assert services.suggest(
        workspace=ws_a,
        host_app="crm",
        url="/opportunities/1/edit",
        field="close_date",
        person=person,
    )


@pytest.mark.parametrize(
    "budget_s, spends, cost, fits",
    [
        (240, [], 90, True),
        (240, [150], 90, True),
        (240, [151], 90, False),
        (240, [240], 1, False),
        (0, [], 1, False),
    ],
)
def test_budget_accounting(ws_a, budget_s, spends, cost, fits):
    from unstuck.adaptive.services import budget_left, spend_budget

    ws_a.daily_budget_s = budget_s
    ws_a.save()
    person = make_person(ws_a, "b1")
    for s in spends:
        spend_budget(workspace=ws_a, person=person, seconds=s, source="review", allow_over=True)
    before = budget_left(workspace=ws_a, person=person)
    assert spend_budget(workspace=ws_a, person=person, seconds=cost, source="nudge") is fits
    assert budget_left(workspace=ws_a, person=person) == (before - cost if fits else before)


def test_delivery_opening_and_the_task_outcome_are_tracked_as_statements(content, ws_a):
    from unstuck.lrs.models import Statement

    person = make_person(ws_a, "p1")
    [shown] = run(ws_a, person, [error(person)] * 3)
    assert (
        services.pending_nudges(workspace=ws_a, person=person, host_app="crm")[0]["id"]
        == shown["id"]
    )
    nudge_ext = {p.EXT_NUDGE: shown["id"], p.EXT_HOST_APP: "crm"}
    run(
        ws_a,
        person,
        [
            p.statement(
                actor=p.actor_for_person(person),
                verb=p.VERB_RECEIVED,
                object_id=f"{p.PROFILE_BASE}/nudges/{shown['id']}",
                extensions=nudge_ext,
            )
        ],
    )
    assert services.pending_nudges(workspace=ws_a, person=person) == []
    services.mark_nudge(workspace=ws_a, person=person, nudge_id=shown["id"], status="opened")
    run(ws_a, person, [task_done(person, 50_000)])
    nudge = Nudge.objects.get(pk=shown["id"])
    assert (nudge.status, nudge.outcome) == ("opened", "succeeded")
    verbs = set(
        Statement.objects.filter(workspace=ws_a, object_id__endswith=shown["id"]).values_list(
            "verb_id", flat=True
        )
    )
    assert {p.VERB_OPENED, p.VERB_COMPLETED} <= verbs
