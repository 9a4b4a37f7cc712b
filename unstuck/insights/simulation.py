"""A documented simulation of work and learning, for the demo (docs/insights.md).

`simulate_history(workspace=, weeks=8, seed=42)` writes `weeks` of statements ending
today for the workspace's people on its CRM host app:

- three tasks (log-call, create-opportunity, update-forecast), created if missing;
- every working day each Sales person attempts 2–5 tasks, everyone else 0–2 log-calls;
  task times are log-normal around each task's base time and a per-person speed;
- errors (close date in the past, amount missing) and help requests (stuck presses,
  searches — some finding nothing on the forecast page) happen with fixed probabilities;
- the first half is the baseline. From the middle on, a pilot runs in the Sales team:
  half of Sales (drawn with the seed) is the pilot group, the other half the chosen
  control group. The pilot group sees the CRM units: before about a third of its tasks
  it views one (1.5–3 minutes of learning). For the pilot group, task time falls by
  25%, errors by half, confidence rises by about 0.8 points; everyone drifts 3% faster
  (the trend that difference-in-differences removes);
- confidence pulses (1–5) after tasks, at most once per person per task per week;
- a gap: now and then someone asks for help exporting the pipeline on the CRM home page
  and the search finds nothing (no unit is placed there).

Deterministic for a seed: the same statements (ids from uuid5 of the seed and a
counter), relative to today's date. Running it again replaces the previous simulated
history (statements carrying the simulation's registration id).
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from unstuck.accounts.models import HostApp, Person, Workspace
from unstuck.lrs import profile as P

from .models import Pilot, WorkTask

TASKS = [
    # key, name, page, base seconds, error probability, error field/code
    ("log-call", "Log a call", "/crm/calls/new/", 95, 0.10, ("outcome", "outcome_missing")),
    (
        "create-opportunity",
        "Create an opportunity",
        "/crm/opportunities/new/",
        210,
        0.30,
        ("close_date", "close_date_past"),
    ),
    (
        "update-forecast",
        "Update the forecast",
        "/crm/forecast/",
        260,
        0.22,
        ("amount", "amount_missing"),
    ),
]
PILOT_NAME = "Sales: CRM guides in the flow"
BATCH = 500


def _registration(workspace: Workspace, seed: int) -> str:
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"https://unstuck.dev/simulation/{workspace.pk}/{seed}")
    )


def _iso_duration(ms: int) -> str:
    return f"PT{ms / 1000:.2f}S"


def _ensure_setup(workspace: Workspace, rng: random.Random, start_day, pilot_start, end_day):
    from unstuck.accounts.services import create_host_app

    host_app = (
        HostApp.objects.filter(workspace=workspace, slug="crm").first()
        or HostApp.objects.filter(workspace=workspace).first()
    )
    if host_app is None:
        host_app = create_host_app(workspace=workspace, name="Acme CRM", slug="crm")
    tasks = {}
    for key, name, *_ in TASKS:
        task = WorkTask.objects.filter(workspace=workspace, host_app=host_app, key=key).first()
        if task is None:
            task = WorkTask.objects.create(
                workspace=workspace, host_app=host_app, key=key, name=name
            )
        tasks[key] = task
    people = list(
        Person.objects.filter(workspace=workspace, is_anonymous=False).order_by("external_id")
    )
    sales = [p for p in people if p.team.lower() == "sales"] or people[: max(2, len(people) // 2)]
    shuffled = sorted(sales, key=lambda p: p.external_id)
    rng.shuffle(shuffled)
    half = max(1, len(shuffled) // 2)
    group, control = shuffled[:half], shuffled[half:]
    from unstuck.content.models import Unit

    units = list(Unit.objects.filter(workspace=workspace, status="published").order_by("title"))
    crm_words = ("call", "opportunit", "forecast", "stage", "close date", "pipeline", "amount")
    crm_units = [u for u in units if any(w in u.title.lower() for w in crm_words)][:4] or units[:3]
    placement_ids: list[str] = []
    try:
        from unstuck.delivery.models import Placement

        placement_ids = sorted(
            str(pk)
            for pk in Placement.objects.filter(workspace=workspace, unit__in=crm_units).values_list(
                "id", flat=True
            )
        )
    except ImportError:
        pass
    pilot = Pilot.objects.filter(workspace=workspace, name=PILOT_NAME).first()
    from unstuck.accounts.services import bump_content_version

    if pilot is None:
        pilot = Pilot(workspace=workspace, name=PILOT_NAME)
    pilot.description = (
        "Half of the Sales team gets the CRM guides on the fields they struggle with; the "
        "other half is the control group. Measured on the three CRM tasks."
    )
    pilot.starts_on, pilot.ends_on = pilot_start, end_day + timedelta(days=14)
    pilot.control_mode = Pilot.ControlMode.CHOSEN
    pilot.placement_ids = placement_ids
    pilot.save()
    pilot.group_people.set(group)
    pilot.control_people.set(control)
    pilot.units.set(crm_units)
    pilot.tasks.set(list(tasks.values()))
    bump_content_version(workspace=workspace)
    return host_app, tasks, people, {p.pk for p in group}, crm_units, pilot


def simulate_history(*, workspace: Workspace, weeks: int = 8, seed: int = 42) -> dict[str, Any]:
    from unstuck.lrs.models import Statement
    from unstuck.lrs.services import record_statements

    from .rollups import build_rollups

    if not 2 <= weeks <= 52:
        from unstuck.errors import ApiError

        raise ApiError("weeks: between 2 and 52.", field="weeks")
    rng = random.Random(seed)
    end_day = timezone.now().date()
    start_day = end_day - timedelta(days=weeks * 7 - 1)
    pilot_start = start_day + timedelta(days=(weeks // 2) * 7)
    registration = _registration(workspace, seed)
    with transaction.atomic():
        # Replace an earlier run. Dependency: the LRS has no bulk-delete service; the
        # simulation's own statements are recognised by its registration id.
        Statement.objects.filter(workspace=workspace, registration=registration).delete()
        host_app, tasks, people, group_ids, units, pilot = _ensure_setup(
            workspace, rng, start_day, pilot_start, end_day
        )
    if not people:
        return {"statements": 0, "people": 0, "pilot": str(pilot.pk)}
    slug = host_app.slug
    counter = 0
    now = timezone.now()

    def make(person, verb, object_id, object_type, ts, *, ext=None, result=None, name=None):
        nonlocal counter
        counter += 1
        return P.statement(
            actor=P.actor_for_person(person),
            verb=verb,
            object_id=object_id,
            object_type=object_type,
            object_name=name,
            result=result,
            timestamp=ts,
            registration=registration,
            extensions={P.EXT_HOST_APP: slug, P.EXT_CHANNEL: "widget", **(ext or {})},
            statement_id=str(uuid.uuid5(uuid.UUID(registration), str(counter))),
        )

    speed = {p.pk: math.exp(rng.gauss(0, 0.15)) for p in people}
    pulsed: set[tuple] = set()
    statements: list[dict] = []
    day = start_day
    while day <= end_day:
        if day.weekday() < 5:
            after = day >= pilot_start
            for person in people:
                is_sales = person.team.lower() == "sales" or person.pk in group_ids
                in_pilot = after and person.pk in group_ids
                n = rng.randint(2, 5) if is_sales else rng.randint(0, 2)
                at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 90)
                )
                if rng.random() < 0.05:
                    # A need nobody has written a unit for yet: exporting the pipeline
                    # from the CRM home page. The stuck-point report lists it as a gap.
                    gext = {P.EXT_PAGE: "/crm/", P.EXT_SESSION: f"sim-gap-{counter + 1}"}
                    statements.append(
                        make(
                            person,
                            P.VERB_REQUESTED_HELP,
                            P.page_activity_id(slug, "/crm/"),
                            P.ACTIVITY_PAGE,
                            at,
                            ext={**gext, P.EXT_TRIGGER: "stuck-button"},
                        )
                    )
                    statements.append(
                        make(
                            person,
                            P.VERB_SEARCHED,
                            f"{P.PROFILE_BASE}/search",
                            P.ACTIVITY_SEARCH,
                            at + timedelta(seconds=20),
                            ext={**gext, P.EXT_QUERY: "export pipeline to excel", P.EXT_RESULTS: 0},
                        )
                    )
                for _ in range(n):
                    key, name, page, base_s, p_err, (err_field, err_code) = (
                        rng.choice(TASKS) if is_sales else TASKS[0]
                    )
                    session = f"sim-{counter + 1}"
                    ext = {P.EXT_PAGE: page, P.EXT_TASK: key, P.EXT_SESSION: session}
                    task_id = P.task_activity_id(slug, key)
                    if in_pilot and units and rng.random() < 0.35:
                        unit = rng.choice(units)
                        view_ms = rng.randint(90, 180) * 1000
                        uext = {**ext, P.EXT_UNIT: str(unit.pk), P.EXT_TRIGGER: "tooltip"}
                        statements.append(
                            make(
                                person,
                                P.VERB_EXPERIENCED,
                                P.unit_activity_id(unit.pk),
                                P.ACTIVITY_UNIT,
                                at,
                                ext=uext,
                                name=unit.title,
                            )
                        )
                        at += timedelta(milliseconds=view_ms)
                        statements.append(
                            make(
                                person,
                                P.VERB_COMPLETED,
                                P.unit_activity_id(unit.pk),
                                P.ACTIVITY_UNIT,
                                at,
                                ext=uext,
                                name=unit.title,
                                result={"completion": True, "duration": _iso_duration(view_ms)},
                            )
                        )
                        if rng.random() < 0.5:
                            statements.append(
                                make(
                                    person,
                                    P.VERB_RATED,
                                    P.unit_activity_id(unit.pk),
                                    P.ACTIVITY_UNIT,
                                    at,
                                    ext=uext,
                                    result={
                                        "extensions": {P.RESULT_EXT_HELPFUL: rng.random() < 0.8}
                                    },
                                )
                            )
                    statements.append(
                        make(
                            person, P.VERB_STARTED, task_id, P.ACTIVITY_TASK, at, ext=ext, name=name
                        )
                    )
                    factor = (
                        speed[person.pk] * (0.97 if after else 1.0) * (0.75 if in_pilot else 1.0)
                    )
                    ms = int(base_s * 1000 * factor * math.exp(rng.gauss(0, 0.35)))
                    err_p = p_err * (0.5 if in_pilot else 1.0)
                    failed = False
                    if rng.random() < err_p:
                        statements.append(
                            make(
                                person,
                                P.VERB_ENCOUNTERED_ERROR,
                                P.page_activity_id(slug, page),
                                P.ACTIVITY_PAGE,
                                at + timedelta(milliseconds=ms // 2),
                                ext={**ext, P.EXT_FIELD: err_field, P.EXT_ERROR_CODE: err_code},
                            )
                        )
                        ms += rng.randint(20, 60) * 1000
                        failed = rng.random() < 0.2
                    help_p = (0.12 if key != "log-call" else 0.06) * (0.6 if in_pilot else 1.0)
                    if rng.random() < help_p:
                        hext = {**ext, P.EXT_FIELD: err_field, P.EXT_TRIGGER: "stuck-button"}
                        statements.append(
                            make(
                                person,
                                P.VERB_REQUESTED_HELP,
                                P.page_activity_id(slug, page),
                                P.ACTIVITY_PAGE,
                                at + timedelta(milliseconds=ms // 3),
                                ext=hext,
                            )
                        )
                        if rng.random() < 0.5:
                            found = (
                                0
                                if key == "update-forecast" and rng.random() < 0.7
                                else rng.randint(1, 6)
                            )
                            query = {
                                "update-forecast": "forecast category",
                                "create-opportunity": "close date",
                                "log-call": "call outcome",
                            }[key]
                            statements.append(
                                make(
                                    person,
                                    P.VERB_SEARCHED,
                                    f"{P.PROFILE_BASE}/search",
                                    P.ACTIVITY_SEARCH,
                                    at + timedelta(milliseconds=ms // 3 + 5000),
                                    ext={**ext, P.EXT_QUERY: query, P.EXT_RESULTS: found},
                                )
                            )
                    at += timedelta(milliseconds=ms)
                    verb = P.VERB_FAILED if failed else P.VERB_COMPLETED
                    statements.append(
                        make(
                            person,
                            verb,
                            task_id,
                            P.ACTIVITY_TASK,
                            at,
                            ext=ext,
                            name=name,
                            result={
                                "success": not failed,
                                "completion": not failed,
                                "duration": _iso_duration(ms),
                                "extensions": {P.RESULT_EXT_DURATION_MS: ms},
                            },
                        )
                    )
                    week = (day - start_day).days // 7
                    if not failed and (person.pk, key, week) not in pulsed and rng.random() < 0.6:
                        pulsed.add((person.pk, key, week))
                        mean = 3.0 + (0.8 if in_pilot else 0.0) + (0.1 if after else 0.0)
                        value = max(1, min(5, round(rng.gauss(mean, 0.8))))
                        statements.append(
                            make(
                                person,
                                P.VERB_RATED,
                                f"{P.PROFILE_BASE}/pulses/confidence",
                                P.ACTIVITY_SURVEY,
                                at + timedelta(seconds=3),
                                ext=ext,
                                result={
                                    "extensions": {P.RESULT_EXT_CONFIDENCE: value},
                                    "score": {"raw": value, "min": 1, "max": 5},
                                },
                            )
                        )
                    at += timedelta(minutes=rng.randint(10, 70))
        day += timedelta(days=1)
    statements = [s for s in statements if datetime.fromisoformat(s["timestamp"]) <= now]
    for i in range(0, len(statements), BATCH):
        record_statements(workspace=workspace, statements=statements[i : i + BATCH])
    rollup = build_rollups(workspace=workspace, rebuild=True)
    return {
        "statements": len(statements),
        "people": len(people),
        "pilot": str(pilot.pk),
        "pilot_group": len(group_ids),
        "rollup_ms": rollup["duration_ms"],
    }
