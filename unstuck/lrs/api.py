"""REST endpoints of the LRS outside xAPI: GDPR erasure of a person's learning record."""

from __future__ import annotations

from ninja import Router, Schema

from unstuck.accounts.access import require

from . import services

router = Router(tags=["lrs"])


class ErasureIn(Schema):
    external_id: str


class ErasureOut(Schema):
    external_id: str
    statements: int
    documents: int
    attachments: int


@router.post("/lrs/erasures", response=ErasureOut)
def erase_person(request, data: ErasureIn):
    """Hard-delete every statement and document of a person (GDPR); recorded in the audit log."""
    actor = request.auth
    require(actor, "people.manage")
    counts = services.erase_person(
        workspace=actor.workspace, external_id=data.external_id, actor_label=actor.label
    )
    return {"external_id": data.external_id, **counts}
