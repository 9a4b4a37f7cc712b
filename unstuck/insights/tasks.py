"""Background jobs of insights. The scheduler (unstuck/scheduler.py) enqueues
`build_rollups` for every workspace every ten minutes; `unstuck rollup` runs it now."""

from __future__ import annotations

from django_tasks import task


@task()
def build_rollups(workspace_id: str, rebuild: bool = False) -> dict:
    from unstuck.accounts.models import Workspace

    from .services import build_rollups as build

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:  # deleted since it was enqueued
        return {"days": 0, "duration_ms": 0}
    return build(workspace=workspace, rebuild=rebuild)
