"""Rollups: what they count, incremental runs equal a rebuild."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from unstuck.insights.models import PersonDay, PlaceDay, TaskAttempt, UnitTaskDay
from unstuck.insights.rollups import build_rollups

from .factories import Log

pytestmark = pytest.mark.django_db


def _snapshot(ws):
    def rows(model, fields):
        return sorted(
            tuple(str(v) for v in r)
            for r in model.objects.filter(workspace=ws).values_list(*fields)
        )

    return (
        rows(
            PlaceDay,
            [
                "day",
                "team",
                "host_app",
                "page",
                "field",
                "task",
                "unit_id",
                "statements",
                "help_requests",
                "searches",
                "failed_searches",
                "errors",
                "task_attempts",
                "task_failures",
                "task_time_ms",
                "unit_views",
                "unit_completions",
                "helpful_yes",
                "helpful_no",
                "confidence_sum",
                "confidence_n",
            ],
        ),
        rows(
            PersonDay,
            [
                "day",
                "person_id",
                "team",
                "learning_ms",
                "help_requests",
                "errors",
                "task_attempts",
                "unit_views",
                "confidence",
            ],
        ),
        rows(
            TaskAttempt,
            [
                "day",
                "ended_at",
                "person_id",
                "team",
                "host_app",
                "page",
                "task",
                "session_id",
                "duration_ms",
                "is_success",
                "errors",
                "units_viewed",
            ],
        ),
        rows(
            UnitTaskDay,
            ["day", "team", "unit_id", "task", "attempts", "successes", "time_ms", "timed"],
        ),
    )


def _day(days_ago, hour=10):
    d = timezone.now().date() - timedelta(days=days_ago)
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def test_rollups_count_help_errors_tasks_views_and_confidence(ws_a, crm, people, unit, log_call):
    log = Log(ws_a)
    alice_p, other = people[0], people[4]
    log.view(alice_p, unit, _day(2, 9), seconds=100, session="s1", helpful=True)
    log.task(alice_p, "log-call", _day(2, 10), seconds=80, session="s1", error_field="outcome")
    log.task(other, "log-call", _day(2, 11), seconds=120, session="s2", ok=False)
    log.help(other, _day(2, 11), field="outcome")
    log.search(other, _day(2, 12), results=0)
    log.search(other, _day(2, 12), results=3)
    log.confidence(alice_p, _day(2, 13), 4)
    log.record()
    build_rollups(workspace=ws_a)

    place = PlaceDay.objects.filter(workspace=ws_a)
    assert sum(p.help_requests for p in place) == 3
    assert sum(p.failed_searches for p in place) == 1
    assert sum(p.errors for p in place) == 1
    assert sum(p.task_attempts for p in place) == 2
    assert sum(p.task_failures for p in place) == 1
    assert sum(p.unit_views for p in place) == 1 and sum(p.helpful_yes for p in place) == 1
    assert sum(p.confidence_sum for p in place) == 4
    attempts = {a.person_id: a for a in TaskAttempt.objects.filter(workspace=ws_a)}
    assert attempts[alice_p.pk].duration_ms == 80_000
    assert attempts[alice_p.pk].errors == 1
    assert attempts[alice_p.pk].units_viewed == [str(unit.pk)]
    assert attempts[other.pk].is_success is False and attempts[other.pk].units_viewed == []
    learning = PersonDay.objects.get(workspace=ws_a, person=alice_p)
    assert learning.learning_ms == 100_000
    assert learning.confidence == [0, 0, 0, 1, 0]
    assert UnitTaskDay.objects.get(workspace=ws_a, unit_id=str(unit.pk)).successes == 1


def test_a_task_without_a_duration_is_timed_from_its_start(ws_a, crm, people):
    from unstuck.lrs import profile as P
    from unstuck.lrs.services import record_statements

    actor = P.actor_for_person(people[0])
    obj = P.task_activity_id("crm", "log-call")
    ext = {P.EXT_HOST_APP: "crm", P.EXT_TASK: "log-call"}
    record_statements(
        workspace=ws_a,
        statements=[
            P.statement(
                actor=actor,
                verb=P.VERB_STARTED,
                object_id=obj,
                object_type=P.ACTIVITY_TASK,
                timestamp=_day(1, 10),
                extensions=ext,
            ),
            P.statement(
                actor=actor,
                verb=P.VERB_COMPLETED,
                object_id=obj,
                object_type=P.ACTIVITY_TASK,
                timestamp=_day(1, 10) + timedelta(seconds=75),
                extensions=ext,
            ),
        ],
    )
    build_rollups(workspace=ws_a)
    assert TaskAttempt.objects.get(workspace=ws_a).duration_ms == 75_000


def test_incremental_rollups_give_the_same_rows_as_a_rebuild(ws_a, crm, people, unit, log_call):
    log = Log(ws_a)
    for d in range(6, 0, -1):
        for i, person in enumerate(people):
            log.view(person, unit, _day(d, 8), session=f"{d}-{i}") if i % 2 else None
            log.task(
                person,
                "log-call",
                _day(d, 9 + i % 3),
                seconds=60 + 10 * i + d,
                session=f"{d}-{i}",
                error_field="outcome" if (i + d) % 3 == 0 else "",
            )
            log.help(person, _day(d, 12)) if (i + d) % 4 == 0 else None
            log.confidence(person, _day(d, 13), 1 + (i + d) % 5)
        log.record()
        build_rollups(workspace=ws_a)  # one run per simulated day: incremental
    # Late-arriving statements for an old day are picked up too.
    log.task(people[1], "log-call", _day(5, 23), seconds=99, session="late")
    log.record()
    build_rollups(workspace=ws_a)
    incremental = _snapshot(ws_a)
    build_rollups(workspace=ws_a, rebuild=True)
    rebuilt = _snapshot(ws_a)
    assert incremental == rebuilt
    assert len(rebuilt[2]) == 6 * len(people) + 1


def test_a_voided_statement_leaves_the_rollups(ws_a, crm, people):
    from unstuck.lrs import profile as P
    from unstuck.lrs.services import record_statements

    log = Log(ws_a)
    log.help(people[0], _day(1))
    help_statement = log.statements[0]
    log.record()
    build_rollups(workspace=ws_a)
    assert sum(PlaceDay.objects.filter(workspace=ws_a).values_list("help_requests", flat=True)) == 1
    record_statements(
        workspace=ws_a,
        statements=[
            {
                "actor": P.actor_for_person(people[0]),
                "verb": {"id": P.VERB_VOIDED, "display": {"en-US": "voided"}},
                "object": {"objectType": "StatementRef", "id": help_statement["id"]},
            }
        ],
    )
    build_rollups(workspace=ws_a)
    assert sum(PlaceDay.objects.filter(workspace=ws_a).values_list("help_requests", flat=True)) == 0
