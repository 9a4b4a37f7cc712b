"""REST endpoints for the workspace, people, memberships, API keys and host apps."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import CursorPagination, paginate

from unstuck.errors import ApiError

from . import services
from .access import require
from .models import ApiKey, HostApp, Membership, Person
from .schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    HostAppIn,
    HostAppOut,
    HostAppPatch,
    HostAppSecretOut,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    WorkspaceOut,
    WorkspacePatch,
)

router = Router(tags=["workspace"])


@router.get("/workspace", response=WorkspaceOut)
def get_workspace(request):
    require(request.auth, "workspace.view")
    return request.auth.workspace


@router.patch("/workspace", response=WorkspaceOut)
def patch_workspace(request, data: WorkspacePatch):
    require(request.auth, "workspace.manage")
    return services.update_workspace(
        workspace=request.auth.workspace, changes=data.dict(exclude_unset=True)
    )


# --- people ---------------------------------------------------------------------------


@router.get("/people", response=list[PersonOut], tags=["people"])
@paginate(CursorPagination, ordering=("-created_at",))
def list_people(request, team: str | None = None, q: str | None = None):
    actor = request.auth
    require(actor, "people.view")
    qs = Person.objects.for_workspace(actor.workspace)
    teams = actor.visible_teams()
    if teams is not None:
        qs = qs.filter(team__in=teams)
    if team:
        qs = qs.filter(team=team)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(external_id__icontains=q)
    return qs


def _person(request, person_id: UUID) -> Person:
    return get_object_or_404(Person.objects.for_workspace(request.auth.workspace), pk=person_id)


@router.post("/people", response={201: PersonOut}, tags=["people"])
def create_person(request, data: PersonIn):
    require(request.auth, "people.manage")
    fields = data.dict()
    external_id = fields.pop("external_id")
    return Status(
        201,
        services.create_person(workspace=request.auth.workspace, external_id=external_id, **fields),
    )


@router.get("/people/{person_id}", response=PersonOut, tags=["people"])
def get_person(request, person_id: UUID):
    require(request.auth, "people.view")
    person = _person(request, person_id)
    teams = request.auth.visible_teams()
    if teams is not None and person.team not in teams:
        raise ApiError("Not found.", status=404, code="not_found")
    return person


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"])
def patch_person(request, person_id: UUID, data: PersonPatch):
    require(request.auth, "people.manage")
    return services.update_person(
        person=_person(request, person_id), changes=data.dict(exclude_unset=True)
    )


# --- memberships ------------------------------------------------------------------------


@router.get("/memberships", response=list[MembershipOut], tags=["memberships"])
@paginate(CursorPagination, ordering=("created_at",))
def list_memberships(request):
    require(request.auth, "members.manage")
    return Membership.objects.for_workspace(request.auth.workspace).select_related("user")


@router.post("/memberships", response={201: MembershipOut}, tags=["memberships"])
def create_membership(request, data: MembershipIn):
    require(request.auth, "members.manage")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=data.email.strip().lower()).first()
        if user is None:
            if not data.password:
                raise ApiError("password: a new login needs a password.", field="password")
            user = services.create_user(email=data.email, password=data.password, name=data.name)
        membership = services.add_member(
            workspace=request.auth.workspace,
            user=user,
            role=data.role,
            managed_teams=data.managed_teams,
        )
    return Status(201, membership)


def _membership(request, membership_id: UUID) -> Membership:
    return get_object_or_404(
        Membership.objects.for_workspace(request.auth.workspace).select_related("user"),
        pk=membership_id,
    )


@router.patch("/memberships/{membership_id}", response=MembershipOut, tags=["memberships"])
def patch_membership(request, membership_id: UUID, data: MembershipPatch):
    require(request.auth, "members.manage")
    return services.change_member(
        membership=_membership(request, membership_id),
        role=data.role,
        managed_teams=data.managed_teams,
    )


@router.delete("/memberships/{membership_id}", response={204: None}, tags=["memberships"])
def delete_membership(request, membership_id: UUID):
    require(request.auth, "members.manage")
    services.remove_member(membership=_membership(request, membership_id))
    return Status(204, None)


# --- API keys -------------------------------------------------------------------------


@router.get("/api-keys", response=list[ApiKeyOut], tags=["api keys"])
@paginate(CursorPagination, ordering=("-created_at",))
def list_api_keys(request):
    require(request.auth, "keys.manage")
    return ApiKey.objects.for_workspace(request.auth.workspace)


@router.post("/api-keys", response={201: ApiKeyCreated}, tags=["api keys"])
def create_api_key(request, data: ApiKeyIn):
    require(request.auth, "keys.manage")
    user = request.auth.user if request.auth.user and request.auth.user.is_authenticated else None
    api_key, secret = services.create_api_key(
        workspace=request.auth.workspace, name=data.name, scopes=data.scopes, created_by=user
    )
    out = ApiKeyOut.from_orm(api_key).dict() | {"secret": secret}
    return Status(201, out)


@router.delete("/api-keys/{key_pk}", response=ApiKeyOut, tags=["api keys"])
def revoke_api_key(request, key_pk: UUID):
    require(request.auth, "keys.manage")
    api_key = get_object_or_404(ApiKey.objects.for_workspace(request.auth.workspace), pk=key_pk)
    return services.revoke_api_key(api_key=api_key, actor_label=request.auth.label)


# --- host apps ------------------------------------------------------------------------


@router.get("/host-apps", response=list[HostAppOut], tags=["host apps"])
@paginate(CursorPagination, ordering=("created_at",))
def list_host_apps(request):
    require(request.auth, "hostapps.view")
    return HostApp.objects.for_workspace(request.auth.workspace)


@router.post("/host-apps", response={201: HostAppSecretOut}, tags=["host apps"])
def create_host_app(request, data: HostAppIn):
    require(request.auth, "hostapps.manage")
    return Status(201, services.create_host_app(workspace=request.auth.workspace, **data.dict()))


def _host_app(request, app_id: UUID) -> HostApp:
    return get_object_or_404(HostApp.objects.for_workspace(request.auth.workspace), pk=app_id)


@router.get("/host-apps/{app_id}", response=HostAppOut, tags=["host apps"])
def get_host_app(request, app_id: UUID):
    require(request.auth, "hostapps.view")
    return _host_app(request, app_id)


@router.patch("/host-apps/{app_id}", response=HostAppOut, tags=["host apps"])
def patch_host_app(request, app_id: UUID, data: HostAppPatch):
    require(request.auth, "hostapps.manage")
    return services.update_host_app(
        host_app=_host_app(request, app_id), changes=data.dict(exclude_unset=True)
    )


@router.post("/host-apps/{app_id}/rotate-secret", response=HostAppSecretOut, tags=["host apps"])
def rotate_secret(request, app_id: UUID):
    require(request.auth, "hostapps.manage")
    return services.rotate_signing_secret(host_app=_host_app(request, app_id))
