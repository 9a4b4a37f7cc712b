"""Read helpers over the LRS for other apps (insights, guidance, adaptive) and the xAPI API.

Every helper takes a workspace. Voided statements are excluded unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from unstuck.accounts.models import Workspace

from .models import Activity, Statement, StatementActivity, StatementAgent, key_hash
from .validation import agent_key


def statements_for(
    workspace: Workspace,
    *,
    person: Any = None,
    verb: str | Iterable[str] | None = None,
    object_id: str | None = None,
    host_app: str | None = None,
    page: str | None = None,
    field: str | None = None,
    task: str | None = None,
    unit_id: str | None = None,
    session_id: str | None = None,
    registration: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_voided: bool = False,
) -> QuerySet[Statement]:
    """Statements of one workspace, filtered on the indexed columns, newest stored first.

    `verb` is one IRI or several; `person` an accounts.Person (or its id). Use
    `.values(...)` / `.values_list("data", flat=True)` for the whole statements.
    """
    qs = Statement.objects.filter(workspace=workspace)
    if not include_voided:
        qs = qs.filter(voided=False)
    if person is not None:
        qs = qs.filter(person=person)
    if verb is not None:
        qs = qs.filter(verb_id=verb) if isinstance(verb, str) else qs.filter(verb_id__in=list(verb))
    for column, value in (
        ("object_id", object_id),
        ("host_app", host_app),
        ("page", page),
        ("field", field),
        ("task", task),
        ("unit_id", unit_id),
        ("session_id", session_id),
        ("registration", registration),
    ):
        if value is not None:
            qs = qs.filter(**{column: value})
    if since is not None:
        qs = qs.filter(stored__gt=since)
    if until is not None:
        qs = qs.filter(stored__lte=until)
    return qs.order_by("-stored", "-id")


def statement_data(workspace: Workspace, statement_id: str) -> dict | None:
    """One statement's canonical JSON (voided ones included), or None."""
    row = Statement.objects.filter(workspace=workspace, statement_id=statement_id).values_list(
        "data", flat=True
    )
    return row.first()


def statements_about_agent(
    workspace: Workspace, agent: dict, *, related: bool = False
) -> QuerySet[Statement]:
    """Statements whose actor (or object) is this agent; with `related`, anywhere in it."""
    key = agent_key(agent)
    if related:
        return Statement.objects.filter(
            workspace=workspace,
            pk__in=StatementAgent.objects.filter(
                key_hash=key_hash(workspace.pk, key), workspace=workspace, agent_key=key
            ).values("statement_id"),
        )
    return Statement.objects.filter(workspace=workspace, actor_key=key) | Statement.objects.filter(
        workspace=workspace, object_type__in=("Agent", "Group"), object_id=key
    )


def statements_about_activity(
    workspace: Workspace, activity_id: str, *, related: bool = False
) -> QuerySet[Statement]:
    if related:
        return Statement.objects.filter(
            workspace=workspace,
            pk__in=StatementActivity.objects.filter(
                key_hash=key_hash(workspace.pk, activity_id),
                workspace=workspace,
                activity_id=activity_id,
            ).values("statement_id"),
        )
    return Statement.objects.filter(
        workspace=workspace, object_type="Activity", object_id=activity_id
    )


def activity_definition(workspace: Workspace, activity_id: str) -> dict | None:
    row = Activity.objects.filter(workspace=workspace, activity_id=activity_id).values_list(
        "definition", flat=True
    )
    return row.first()


def count_statements(workspace: Workspace) -> int:
    return Statement.objects.filter(workspace=workspace, voided=False).count()
