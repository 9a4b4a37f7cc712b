"""Background jobs of guidance (scheduled in unstuck/scheduler.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def detect_needs(workspace_id: str) -> int:
    from unstuck.accounts.models import Workspace

    from . import services

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return services.detect_needs(workspace=workspace) if workspace else 0
