from __future__ import annotations

from datetime import date

from ninja import Schema


class TaskIn(Schema):
    host_app: str
    key: str
    name: str
    description: str = ""
    start_event: str = "task_started"
    end_event: str = "task_completed"
    fail_event: str = "task_failed"


class TaskPatch(Schema):
    name: str | None = None
    description: str | None = None
    start_event: str | None = None
    end_event: str | None = None
    fail_event: str | None = None


class PilotIn(Schema):
    name: str
    description: str = ""
    starts_on: date
    ends_on: date
    group_people: list[str] = []
    group_teams: list[str] = []
    control_mode: str = "none"
    control_people: list[str] = []
    control_teams: list[str] = []
    control_size: int | None = None
    seed: int = 42
    unit_ids: list[str] = []
    placement_ids: list[str] = []
    task_ids: list[str] = []


class PilotPatch(Schema):
    name: str | None = None
    description: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    group_people: list[str] | None = None
    group_teams: list[str] | None = None
    control_mode: str | None = None
    control_people: list[str] | None = None
    control_teams: list[str] | None = None
    control_size: int | None = None
    seed: int | None = None
    unit_ids: list[str] | None = None
    placement_ids: list[str] | None = None
    task_ids: list[str] | None = None
