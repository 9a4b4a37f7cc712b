"""The interfaces delivery calls: which placements a pilot hides, and confidence pulses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.insights import queries, services
from unstuck.insights.models import PulseAsk

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(ws_a, crm, unit):
    from unstuck.delivery.models import Placement

    return Placement.objects.create(workspace=ws_a, host_app=crm, unit=unit, url_pattern="/calls/*")


def _pilot(ws, placement, *, starts_in=-1, ends_in=10, **extra):
    today = timezone.now().date()
    return services.create_pilot(
        workspace=ws,
        data={
            "name": "Sales pilot",
            "starts_on": today + timedelta(days=starts_in),
            "ends_on": today + timedelta(days=ends_in),
            "placement_ids": [str(placement.pk)],
            **extra,
        },
    )


def test_a_running_pilot_shows_its_placements_to_the_pilot_group_only(ws_a, people, placement):
    _pilot(ws_a, placement, group_teams=["Sales"])
    ws_a.refresh_from_db()
    sales, support = people[0], people[4]
    assert queries.hidden_placement_ids(workspace=ws_a, person=sales) == set()
    assert queries.hidden_placement_ids(workspace=ws_a, person=support) == {str(placement.pk)}
    assert queries.hidden_placement_ids(workspace=ws_a, person=None) == {str(placement.pk)}


def test_people_named_in_the_group_see_the_placements_whatever_their_team(ws_a, people, placement):
    _pilot(ws_a, placement, group_people=[str(people[6].pk)])
    ws_a.refresh_from_db()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[6]) == set()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[0]) == {str(placement.pk)}


def test_a_pilot_that_has_not_started_or_has_ended_hides_nothing(ws_a, people, placement):
    _pilot(ws_a, placement, starts_in=2, ends_in=9, group_teams=["Sales"])
    _pilot(ws_a, placement, starts_in=-20, ends_in=-1, group_teams=["Sales"])
    ws_a.refresh_from_db()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[4]) == set()


def test_changing_a_pilot_takes_effect_at_once(ws_a, people, placement):
    pilot = _pilot(ws_a, placement, group_teams=["Sales"])
    ws_a.refresh_from_db()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[4]) == {str(placement.pk)}
    services.update_pilot(pilot=pilot, changes={"group_teams": ["Sales", "Support"]})
    ws_a.refresh_from_db()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[4]) == set()
    services.delete_pilot(pilot=pilot)
    ws_a.refresh_from_db()
    assert queries.hidden_placement_ids(workspace=ws_a, person=people[6]) == set()


def test_the_hot_path_reads_the_cache_without_queries(
    ws_a, people, placement, django_assert_num_queries
):
    _pilot(ws_a, placement, group_teams=["Sales"])
    ws_a.refresh_from_db()
    queries.hidden_placement_ids(workspace=ws_a, person=people[4])
    with django_assert_num_queries(0):
        queries.hidden_placement_ids(workspace=ws_a, person=people[4])


def test_a_placement_of_another_workspace_cannot_join_a_pilot(ws_b, placement, carol):
    from unstuck.errors import ApiError

    with pytest.raises(ApiError) as exc:
        services.create_pilot(
            workspace=ws_b,
            data={
                "name": "X",
                "starts_on": "2026-01-01",
                "ends_on": "2026-01-02",
                "group_teams": ["Support"],
                "placement_ids": [str(placement.pk)],
            },
        )
    assert exc.value.field == "placement_ids"


def test_a_pulse_is_asked_at_most_once_per_person_per_task_per_week(ws_a, people, log_call):
    first = queries.pulse_for(workspace=ws_a, person=people[0], task="log-call")
    assert first["question"] == "How confident do you feel doing “Log a call” now?"
    assert first["task"] == "log-call" and len(first["scale"]) == 5
    assert queries.pulse_for(workspace=ws_a, person=people[0], task="log-call") is None
    assert queries.pulse_for(workspace=ws_a, person=people[1], task="log-call") is not None
    PulseAsk.objects.filter(person=people[0]).update(
        asked_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    assert queries.pulse_for(workspace=ws_a, person=people[0], task="log-call") is not None


def test_a_pulse_after_a_unit_names_the_unit_and_speaks_the_persons_language(ws_a, people, unit):
    people[0].locale = "hu"
    pulse = queries.pulse_for(workspace=ws_a, person=people[0], unit_id=str(unit.pk))
    assert unit.title in pulse["question"] and pulse["question"].startswith("Mennyire")
    assert pulse["unit_id"] == str(unit.pk)


def test_no_pulse_for_unknown_tasks_units_or_anonymous_people(ws_a, people, log_call):
    assert queries.pulse_for(workspace=ws_a, person=people[0], task="nope") is None
    assert queries.pulse_for(workspace=ws_a, person=people[0], unit_id="not-a-uuid") is None
    people[0].is_anonymous = True
    assert queries.pulse_for(workspace=ws_a, person=people[0], task="log-call") is None
