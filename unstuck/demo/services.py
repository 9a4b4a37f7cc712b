"""Demo: the Acme workspace (people, logins, content, the CRM host app and its placements)
and the sample CRM's records.

`load_demo_workspace()` is idempotent: every row is looked up by its natural key
(slug, email, external id, name) and created only when missing, so running `unstuck
demo` again adds nothing and changes nothing an author edited. `reset=True` deletes
the workspace and builds it afresh.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from unstuck.accounts import services as accounts
from unstuck.accounts.models import ApiKey, HostApp, Membership, Person, Workspace
from unstuck.content import services as content
from unstuck.content.media import install_media_files
from unstuck.content.models import Collection, Skill, Status, Unit

from . import crm_data
from .content import SKILLS, all_units
from .models import Call, Contact, Opportunity
from .people import DEMO_PASSWORD, LOGINS, PEOPLE
from .placements import COLLECTIONS, PLACEMENTS

log = logging.getLogger(__name__)

WORKSPACE_SLUG = "acme"
WORKSPACE_NAME = "Acme"
CRM_SLUG = "crm"
CRM_NAME = "Acme CRM"
# Fixed so the demo's embed snippet can be copied from the docs; the signing secret
# stays random (it never leaves the server: the CRM's backend signs tokens in-process).
CRM_EMBED_KEY = "pk_acme_crm_demo"
DEMO_KEY_NAME = "Demo xAPI key"
DEFAULT_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
# The demo units' video and audio (made by media/make_media.py); their sources are demo/<name>.
DEMO_MEDIA_DIR = Path(__file__).resolve().parent / "media"

User = get_user_model()


def load_demo_workspace(*, reset: bool = False, origins: list[str] | None = None) -> Workspace:
    """Create (or complete) the Acme demo workspace and return it.

    `origins` are added to the CRM host app's allowed origins (the served address, e.g.
    ["http://127.0.0.1:8765", "http://localhost:8765"]); existing ones are kept.
    """
    if reset:
        Workspace.objects.filter(slug=WORKSPACE_SLUG).delete()
    with transaction.atomic():
        workspace = _workspace()
        people = _people(workspace)
        users = _logins(workspace, reset=reset)
        host_app = _host_app(workspace, origins or DEFAULT_ORIGINS)
        _skills(workspace)
        _units(workspace, owner=users.get("ethan@acme.example"))
        _collections(workspace)
        _placements(workspace, host_app)
        _crm_records(workspace, people)
        _reviews(workspace)
    install_media_files(source_dir=DEMO_MEDIA_DIR, prefix="demo")
    return workspace


# Demo learners who took these quizzes three days ago: their first reviews are due, so
# Today has something to show the moment the demo starts.
REVIEW_LEARNERS = ["alex@acme.example", "zoe@acme.example"]
REVIEW_SKILLS = ["opportunity-stages", "logging-calls", "forecasting", "de-escalation"]


def _reviews(workspace: Workspace) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from unstuck.accounts.models import Person
    from unstuck.adaptive.services import create_cards
    from unstuck.content.models import Kind, Unit

    learned_at = timezone.now() - timedelta(days=3)
    quizzes = list(
        Unit.objects.for_workspace(workspace)
        .published()
        .filter(kind=Kind.QUIZ, skills__slug__in=REVIEW_SKILLS)
        .distinct()
        .order_by("slug")[:3]
    )
    for person in Person.objects.for_workspace(workspace).filter(email__in=REVIEW_LEARNERS):
        for quiz in quizzes:
            create_cards(workspace=workspace, person=person, unit=quiz, learned_at=learned_at)


def demo_workspace() -> Workspace | None:
    return Workspace.objects.filter(slug=WORKSPACE_SLUG).first()


def crm_host_app(workspace: Workspace) -> HostApp:
    return HostApp.objects.get(workspace=workspace, slug=CRM_SLUG)


def origins_for(host: str, port: int) -> list[str]:
    """The origins a browser may use for a server on host:port (loopback under both names)."""
    names = [host]
    if host in ("127.0.0.1", "localhost", "0.0.0.0", "::"):
        names = ["127.0.0.1", "localhost"]
    return [f"http://{name}:{port}" for name in names]


def demo_logins() -> list[tuple[str, str, str]]:
    """(label, email, password) of each demo login, in the order they are printed."""
    return [(label, email, DEMO_PASSWORD) for label, email, _, _ in LOGINS]


@transaction.atomic
def rotate_demo_api_key(*, workspace: Workspace) -> tuple[ApiKey, str]:
    """Revoke the previous demo key and create a fresh full-scope one (key, secret)."""
    from unstuck.accounts.access import ALL_SCOPES

    for old in ApiKey.objects.for_workspace(workspace).filter(
        name=DEMO_KEY_NAME, revoked_at__isnull=True
    ):
        accounts.revoke_api_key(api_key=old, actor_label="unstuck demo")
    return accounts.create_api_key(workspace=workspace, name=DEMO_KEY_NAME, scopes=list(ALL_SCOPES))


def simulate_history_once(*, workspace: Workspace, weeks: int = 8, seed: int = 7) -> str:
    """Give the dashboards eight weeks of simulated history, once: only while the workspace's
    learning record is empty. Returns what was simulated ("" when nothing was)."""
    try:
        from unstuck.insights.services import simulate_history
    except ImportError:  # the insights app does not offer a simulation
        return ""
    from unstuck.lrs.models import Statement

    if Statement.objects.filter(workspace=workspace).exists():
        return ""
    with transaction.atomic():  # all or nothing: a half-simulated history would never be redone
        simulate_history(workspace=workspace, weeks=weeks, seed=seed)
    return f"{weeks} weeks"


# --- steps ------------------------------------------------------------------------------


def _workspace() -> Workspace:
    workspace = demo_workspace()
    if workspace is None:
        workspace = accounts.create_workspace(
            name=WORKSPACE_NAME, slug=WORKSPACE_SLUG, daily_budget_s=240, time_zone="Europe/Berlin"
        )
    return workspace


def _people(workspace: Workspace) -> dict[str, Person]:
    existing = {p.external_id: p for p in Person.objects.for_workspace(workspace)}
    for name, email, team, job_role, locale in PEOPLE:
        if email not in existing:
            existing[email] = accounts.create_person(
                workspace=workspace,
                external_id=email,
                name=name,
                email=email,
                team=team,
                job_role=job_role,
                locale=locale,
            )
    return existing


def _logins(workspace: Workspace, *, reset: bool) -> dict[str, Any]:
    names = {email: name for name, email, *_ in PEOPLE}
    users: dict[str, Any] = {}
    for _label, email, role, managed in LOGINS:
        user = User.objects.filter(username=email).first()
        if user is None:
            user = accounts.create_user(email=email, password=DEMO_PASSWORD, name=names[email])
        elif reset:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if not Membership.objects.filter(workspace=workspace, user=user).exists():
            accounts.add_member(workspace=workspace, user=user, role=role, managed_teams=managed)
        users[email] = user
    return users


def _host_app(workspace: Workspace, origins: list[str]) -> HostApp:
    app = HostApp.objects.for_workspace(workspace).filter(slug=CRM_SLUG).first()
    if app is None:
        # The embed key is unique across workspaces: take it back from a deleted demo's leftovers.
        return accounts.create_host_app(
            workspace=workspace,
            name=CRM_NAME,
            slug=CRM_SLUG,
            allowed_origins=origins,
            embed_key=CRM_EMBED_KEY,
            widget_settings={"position": "bottom-right", "shortcut": "Alt+H"},
        )
    missing = [o for o in origins if o not in app.allowed_origins]
    if missing:
        app = accounts.update_host_app(
            host_app=app, changes={"allowed_origins": [*app.allowed_origins, *missing]}
        )
    return app


def _skills(workspace: Workspace) -> None:
    have = set(Skill.objects.for_workspace(workspace).values_list("slug", flat=True))
    for slug, name, parent, description in SKILLS:
        if slug not in have:
            content.create_skill(
                workspace=workspace, slug=slug, name=name, description=description, parent=parent
            )


def _units(workspace: Workspace, *, owner: Any) -> None:
    have = {u.slug: u for u in Unit.objects.for_workspace(workspace)}
    for data in all_units():
        if data["slug"] in have:
            continue
        original = have.get(data["translation_of"]) if data["translation_of"] else None
        unit = content.create_unit(
            workspace=workspace,
            kind=data["kind"],
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            body_md=data["body_md"],
            payload=data["payload"],
            skills=data["skills"],
            tags=data["tags"],
            locale=data["locale"],
            translation_of=original,
            owner=owner,
        )
        if data["status"] == Status.PUBLISHED:
            unit = content.publish_unit(unit=unit, user=owner)
        have[unit.slug] = unit


def _collections(workspace: Workspace) -> None:
    have = set(Collection.objects.for_workspace(workspace).values_list("slug", flat=True))
    for slug, title, description, units in COLLECTIONS:
        if slug not in have:
            content.create_collection(
                workspace=workspace, slug=slug, title=title, description=description, units=units
            )


def _placements(workspace: Workspace, host_app: HostApp) -> None:
    from unstuck.delivery import services as delivery
    from unstuck.delivery.models import Placement

    have = set(Placement.objects.for_workspace(workspace).values_list("name", flat=True))
    for spec in PLACEMENTS:
        if spec["name"] not in have:
            delivery.create_placement(workspace=workspace, host_app=host_app, **spec)


def _crm_records(workspace: Workspace, people: dict[str, Person]) -> None:
    today = timezone.localdate()
    contacts = {c.email: c for c in Contact.objects.for_workspace(workspace)}
    for name, company, title, email, phone, owner in crm_data.CONTACTS:
        if email not in contacts:
            contacts[email] = Contact.objects.create(
                workspace=workspace,
                name=name,
                company=company,
                title=title,
                email=email,
                phone=phone,
                owner=people.get(owner),
            )
    opportunities = {o.name: o for o in Opportunity.objects.for_workspace(workspace)}
    for name, account, contact, owner, stage, amount, days, next_step in crm_data.OPPORTUNITIES:
        if name not in opportunities:
            opportunities[name] = Opportunity.objects.create(
                workspace=workspace,
                name=name,
                account=account,
                contact=contacts.get(contact),
                owner=people.get(owner),
                stage=stage,
                amount=Decimal(amount) if amount is not None else None,
                close_date=today + timedelta(days=days),
                next_step=next_step,
            )
    if not Call.objects.for_workspace(workspace).exists():
        now = timezone.now()
        for (
            contact,
            opportunity,
            caller,
            days_ago,
            minutes,
            outcome,
            notes,
            next_step,
        ) in crm_data.CALLS:
            Call.objects.create(
                workspace=workspace,
                contact=contacts[contact],
                opportunity=opportunities.get(opportunity),
                caller=people.get(caller),
                called_at=now - timedelta(days=days_ago),
                duration_min=minutes,
                outcome=outcome,
                notes=notes,
                next_step=next_step,
            )
