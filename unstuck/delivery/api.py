"""REST endpoints of delivery (mounted under /api/v1/): placements.

The widget's own endpoints are plain views under /widget/v1/ (see widget_api.py).
"""

from __future__ import annotations

from ninja import Router, Status
from ninja.pagination import CursorPagination, paginate

from unstuck.accounts.access import require
from unstuck.accounts.models import Person
from unstuck.errors import ApiError

from . import services
from .models import Placement
from .schemas import PlacementIn, PlacementMatchOut, PlacementOut, PlacementPatch

router = Router(tags=["placements"])


@router.get("/placements", response=list[PlacementOut])
@paginate(CursorPagination, ordering=("-created_at",))
def list_placements(
    request,
    host_app: str | None = None,
    unit: str | None = None,
    field_key: str | None = None,
    is_release_note: bool | None = None,
):
    require(request.auth, "hostapps.view")
    qs = Placement.objects.for_workspace(request.auth.workspace).select_related("host_app", "unit")
    if host_app:
        qs = qs.filter(host_app=services._host_app_in(request.auth.workspace, host_app))
    if unit:
        qs = qs.filter(unit=services._unit_in(request.auth.workspace, unit))
    if field_key:
        qs = qs.filter(field_key=field_key)
    if is_release_note is not None:
        qs = qs.filter(is_release_note=is_release_note)
    return qs


@router.post("/placements", response={201: PlacementOut})
def create_placement(request, data: PlacementIn):
    require(request.auth, "placements.manage")
    return Status(201, services.create_placement(workspace=request.auth.workspace, **data.dict()))


@router.get("/placements/match", response=PlacementMatchOut)
def match_placements(request, host_app: str, url: str, person: str | None = None):
    """Preview: the placements a person (default: you) would get on a page."""
    require(request.auth, "placements.manage")
    workspace = request.auth.workspace
    app = services._host_app_in(workspace, host_app)
    who = request.auth.person
    if person:
        who = Person.objects.for_workspace(workspace).filter(external_id=person).first()
        if who is None:
            raise ApiError(f"person: no person {person!r} in this workspace.", field="person")
    if who is None:
        who = Person(workspace=workspace, external_id="preview")
    return {
        "page": services.matching.path_of(url),
        "placements": services.placements_for_page(
            workspace=workspace, host_app=app, person=who, url=url
        ),
    }


@router.get("/placements/{placement_id}", response=PlacementOut)
def get_placement(request, placement_id: str):
    require(request.auth, "hostapps.view")
    return services.get_placement(workspace=request.auth.workspace, placement_id=placement_id)


@router.patch("/placements/{placement_id}", response=PlacementOut)
def patch_placement(request, placement_id: str, data: PlacementPatch):
    require(request.auth, "placements.manage")
    placement = services.get_placement(workspace=request.auth.workspace, placement_id=placement_id)
    return services.update_placement(placement=placement, changes=data.dict(exclude_unset=True))


@router.delete("/placements/{placement_id}", response={204: None})
def delete_placement(request, placement_id: str):
    require(request.auth, "placements.manage")
    services.delete_placement(
        placement=services.get_placement(
            workspace=request.auth.workspace, placement_id=placement_id
        )
    )
    return Status(204, None)
