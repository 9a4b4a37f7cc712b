"""Small fixtures for guidance and adaptive tests: units, skills, people, placements."""

from __future__ import annotations

from django.utils import timezone

from unstuck.accounts.models import Person
from unstuck.content.models import Skill, Unit


def make_skill(workspace, slug: str, name: str | None = None) -> Skill:
    return Skill.objects.get_or_create(
        workspace=workspace, slug=slug, defaults={"name": name or slug.title()}
    )[0]


def make_unit(
    workspace,
    slug: str,
    title: str,
    *,
    summary: str = "",
    body: str = "",
    kind: str = "guide",
    payload: dict | None = None,
    skills=(),
    locale: str = "en",
    tags=(),
    status: str = "published",
    duration_s: int = 120,
    verified_days_ago: int | None = None,
) -> Unit:
    if payload is None:
        payload = (
            {"steps": [{"title": "Step", "body": body or summary or title}]}
            if kind == "guide"
            else {}
        )
    unit = Unit.objects.create(
        workspace=workspace,
        slug=slug,
        kind=kind,
        title=title,
        summary=summary,
        body_md=body,
        payload=payload,
        locale=locale,
        tags=list(tags),
        status=status,
        duration_s=duration_s,
        published_at=timezone.now() if status == "published" else None,
        last_verified_at=(timezone.now() - timezone.timedelta(days=verified_days_ago))
        if verified_days_ago is not None
        else None,
    )
    for s in skills:
        unit.skills.add(s)
    # Units change without the content services here: move the version stamp so the
    # search index re-syncs, as publishing does.
    type(workspace).objects.filter(pk=workspace.pk).update(
        content_version=workspace.content_version + 1
    )
    workspace.refresh_from_db()
    return unit


def make_quiz(
    workspace, slug: str, title: str, questions: list[tuple[str, list[str], int]], skills=()
) -> Unit:
    payload = {
        "questions": [
            {
                "id": f"q{i + 1}",
                "prompt": prompt,
                "choices": [
                    {"id": chr(97 + j), "text": c, "correct": j == right}
                    for j, c in enumerate(choices)
                ],
            }
            for i, (prompt, choices, right) in enumerate(questions)
        ],
        "pass_ratio": 0.8,
    }
    return make_unit(
        workspace,
        slug,
        title,
        kind="quiz",
        payload=payload,
        skills=skills,
        duration_s=30 * len(questions),
    )


def make_person(
    workspace, external_id: str, *, team: str = "", locale: str = "en", job_role: str = ""
) -> Person:
    return Person.objects.create(
        workspace=workspace,
        external_id=external_id,
        name=external_id.title(),
        team=team,
        locale=locale,
        job_role=job_role,
    )


def make_host_app(workspace, slug: str = "crm"):
    from unstuck.accounts.models import HostApp

    return HostApp.objects.get_or_create(
        workspace=workspace, slug=slug, defaults={"name": slug.upper()}
    )[0]


def make_placement(
    workspace,
    unit,
    *,
    host_app="crm",
    url_pattern="*",
    field_key="",
    trigger="page_shown",
    trigger_config=None,
    audience=None,
    is_release_note=False,
    priority=0,
):
    from unstuck.delivery.models import Placement

    return Placement.objects.create(
        workspace=workspace,
        host_app=make_host_app(workspace, host_app),
        unit=unit,
        url_pattern=url_pattern,
        field_key=field_key,
        trigger=trigger,
        trigger_config=trigger_config or {},
        audience=audience or {},
        is_release_note=is_release_note,
        priority=priority,
    )
