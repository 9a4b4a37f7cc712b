"""Background jobs of adaptive (scheduled in unstuck/scheduler.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def refit_fsrs(workspace_id: str) -> str:
    from unstuck.accounts.models import Workspace

    from . import services

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return services.refit_fsrs(workspace=workspace)["message"] if workspace else "no such workspace"
