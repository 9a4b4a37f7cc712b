"""Insights read helpers used by other apps. Always take a workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

PULSE_EVERY = timedelta(days=7)

PULSE_QUESTIONS: dict[str, dict[str, Any]] = {
    "en": {
        "task": "How confident do you feel doing “{name}” now?",
        "unit": "How confident do you feel about “{name}” now?",
        "scale": ["Not at all", "A little", "Somewhat", "Quite", "Very"],
    },
    "hu": {
        "task": "Mennyire érzed magad magabiztosnak a(z) „{name}” feladatban?",
        "unit": "Mennyire érzed magad magabiztosnak ebben: „{name}”?",
        "scale": ["Egyáltalán nem", "Kicsit", "Valamennyire", "Eléggé", "Nagyon"],
    },
}


def _running_pilot_rules(workspace) -> dict[str, tuple[frozenset, frozenset]]:
    """placement id -> (person ids, teams) allowed to see it, for pilots running today.

    Cached per (workspace, content_version, day): pilot writes bump content_version, and
    the day in the key makes a pilot start and stop on its dates without a write.
    """
    today = timezone.now().date()
    key = f"insights:pilot-rules:{workspace.pk}:{workspace.content_version}:{today.isoformat()}"
    rules = cache.get(key)
    if rules is not None:
        return rules
    from .models import Pilot

    rules = {}
    pilots = Pilot.objects.filter(
        workspace=workspace, starts_on__lte=today, ends_on__gte=today
    ).prefetch_related("group_people")
    for pilot in pilots:
        people = frozenset(str(p.pk) for p in pilot.group_people.all())
        teams = frozenset(pilot.group_teams)
        for placement_id in pilot.placement_ids:
            prev_people, prev_teams = rules.get(placement_id, (frozenset(), frozenset()))
            # A placement in two running pilots is shown to both groups.
            rules[placement_id] = (prev_people | people, prev_teams | teams)
    cache.set(key, rules, timeout=3600)
    return rules


def hidden_placement_ids(*, workspace, person) -> set:
    """Placements that a running pilot shows only to its pilot group, when `person` is
    not in that group. Delivery leaves these out of the page context.

    One cache read on the hot path; no query unless the cache is cold.
    """
    rules = _running_pilot_rules(workspace)
    if not rules:
        return set()
    person_id = str(person.pk) if person is not None else None
    team = getattr(person, "team", "") if person is not None else ""
    return {
        placement_id
        for placement_id, (people, teams) in rules.items()
        if not (person_id in people or (team and team in teams))
    }


def pulse_for(*, workspace, person, task: str = "", unit_id: str = "") -> dict | None:
    """A confidence pulse to ask now (after a task or a unit), or None.

    At most once per person per task (or unit) per week, counted from when it was
    asked, answered or not. Tasks need to be defined (WorkTask) to be asked about;
    units need to exist in the workspace. Returns {"id", "question", "task",
    "unit_id", "scale"} — the widget shows a 1–5 scale and records the answer as a
    `rated` statement with result.extensions[RESULT_EXT_CONFIDENCE] and this id.
    """
    from .models import PulseAsk, WorkTask

    if person is None or getattr(person, "is_anonymous", False) or not (task or unit_id):
        return None
    strings = PULSE_QUESTIONS.get(
        (getattr(person, "locale", "") or "en")[:2], PULSE_QUESTIONS["en"]
    )
    if task:
        work_task = WorkTask.objects.filter(workspace=workspace, key=task).first()
        if work_task is None:
            return None
        subject, question, unit_id = f"task:{task}", strings["task"].format(name=work_task.name), ""
    else:
        from unstuck.content.models import Unit

        try:
            unit = Unit.objects.filter(workspace=workspace, id=unit_id).only("title").first()
        except (ValueError, Exception):  # not a UUID
            unit = None
        if unit is None:
            return None
        subject, question = f"unit:{unit_id}", strings["unit"].format(name=unit.title)
    now = timezone.now()
    with transaction.atomic():
        recent = PulseAsk.objects.select_for_update().filter(
            workspace=workspace, person=person, subject=subject, asked_at__gt=now - PULSE_EVERY
        )
        if recent.exists():
            return None
        try:
            ask = PulseAsk.objects.create(
                workspace=workspace, person=person, subject=subject, asked_at=now
            )
        except IntegrityError:
            return None
    return {
        "id": str(ask.pk),
        "question": question,
        "task": task,
        "unit_id": unit_id if not task else "",
        "scale": strings["scale"],
    }
