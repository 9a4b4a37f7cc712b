"""One-click split: a unit over 5 minutes becomes short drafts in a collection."""

import pytest

from unstuck.content import services
from unstuck.content.lint import MAX_DURATION_S, lint_content
from unstuck.content.models import Collection, Status, Unit
from unstuck.errors import ApiError

from .factories import make_unit

pytestmark = pytest.mark.django_db


def words(n):
    return " ".join(["word"] * n)


def long_guide(ws, **extra):
    steps = [{"title": f"Step {i + 1}", "body": words(150)} for i in range(8)]  # 8 × 55 s
    return make_unit(ws, "guide", "long-guide", payload={"steps": steps}, **extra)


def test_it_splits_a_long_guide_into_short_drafts_in_a_collection(ws_a, alice):
    services.create_skill(workspace=ws_a, slug="crm", name="CRM")
    unit = long_guide(ws_a, skills=["crm"], tags=["sales"], locale="de")
    assert unit.duration_s > MAX_DURATION_S

    collection = services.split_unit(unit=unit, user=alice)

    parts = [item.unit for item in collection.items.select_related("unit").order_by("position")]
    assert len(parts) == 2
    assert [p.title for p in parts] == ["Log a call (guide) (1/2)", "Log a call (guide) (2/2)"]
    assert all(p.status == Status.DRAFT and p.duration_s <= MAX_DURATION_S for p in parts)
    assert [s["title"] for p in parts for s in p.payload["steps"]] == [
        f"Step {i + 1}" for i in range(8)
    ]
    assert all(p.tags == ["sales"] and p.locale == "de" for p in parts)
    assert all([s.slug for s in p.skills.all()] == ["crm"] for p in parts)
    assert all(p.owner == alice for p in parts)
    assert collection.title == "Log a call (guide)"
    assert collection.slug == "long-guide"


def test_each_part_passes_lint_without_errors(ws_a):
    collection = services.split_unit(unit=long_guide(ws_a))
    for unit in collection.units.all():
        content = services.working_copy(unit, with_skills=False)
        assert not [i for i in lint_content(content) if i.level == "error"]


def test_a_never_published_original_is_archived(ws_a):
    unit = long_guide(ws_a)
    services.split_unit(unit=unit)
    unit.refresh_from_db()
    assert unit.status == Status.ARCHIVED


def test_a_published_original_stays_live_until_the_parts_are_published(ws_a):
    unit = make_unit(ws_a, "guide", "short")
    services.publish_unit(unit=unit)
    steps = [{"title": f"Step {i + 1}", "body": words(150)} for i in range(8)]
    services.update_unit(unit=unit, changes={"payload": {"steps": steps}})

    collection = services.split_unit(unit=unit)

    unit.refresh_from_db()
    assert unit.status == Status.PUBLISHED and unit.draft is not None
    assert collection.units.count() == 2


@pytest.mark.parametrize(
    ("kind", "payload", "key"),
    [
        (
            "quiz",
            {
                "questions": [
                    {
                        "prompt": f"Q{i}",
                        "choices": [
                            {"text": "yes", "correct": True, "feedback": "Right."},
                            {"text": "no", "feedback": "Wrong."},
                        ],
                    }
                    for i in range(14)
                ]
            },
            "questions",
        ),
        (
            "checklist",
            {"items": [{"text": f"Item {i}", "details": words(100)} for i in range(12)]},
            "items",
        ),
        (
            "quick_reference",
            {"sections": [{"title": f"S{i}", "body": words(200)} for i in range(6)]},
            "sections",
        ),
    ],
)
def test_it_splits_every_list_kind_keeping_the_order(ws_a, kind, payload, key):
    unit = make_unit(ws_a, kind, f"long-{kind.replace('_', '-')}", payload=payload)
    collection = services.split_unit(unit=unit)
    parts = [item.unit for item in collection.items.select_related("unit").order_by("position")]
    assert len(parts) >= 2
    assert all(p.duration_s <= MAX_DURATION_S for p in parts)
    flat = [entry for p in parts for entry in p.payload[key]]
    assert len(flat) == len(payload[key])
    first = "prompt" if kind == "quiz" else "text" if kind == "checklist" else "title"
    assert [e[first] for e in flat] == [e[first] for e in payload[key]]


def test_body_sections_go_with_their_parts(ws_a):
    body = "## Why\n\n" + words(100) + "\n\n## How\n\n" + words(100)
    unit = make_unit(
        ws_a,
        "guide",
        "bodied",
        body_md=body,
        payload={"steps": [{"title": f"Step {i}", "body": words(100)} for i in range(8)]},
    )
    collection = services.split_unit(unit=unit)
    parts = [item.unit for item in collection.items.select_related("unit").order_by("position")]
    assert all(p.payload["steps"] for p in parts)
    assert parts[0].body_md.startswith("## Why") and "## How" in parts[0].body_md
    assert all(p.duration_s <= MAX_DURATION_S for p in parts)


def test_a_long_body_of_a_guide_becomes_steps_of_its_own_part(ws_a):
    body = "## Why\n\n" + words(300) + "\n\n## How\n\n" + words(300)
    unit = make_unit(
        ws_a,
        "guide",
        "bodied",
        body_md=body,
        payload={"steps": [{"title": f"Step {i}", "body": words(100)} for i in range(4)]},
    )
    collection = services.split_unit(unit=unit)
    parts = [item.unit for item in collection.items.select_related("unit").order_by("position")]
    assert [s["title"] for s in parts[0].payload["steps"]] == ["Why", "How"]
    assert all(p.duration_s <= MAX_DURATION_S for p in parts)


def test_it_refuses_a_unit_that_is_not_too_long(ws_a):
    unit = make_unit(ws_a, "guide", "short")
    with pytest.raises(ApiError) as exc:
        services.split_unit(unit=unit)
    assert exc.value.status == 409
    assert Collection.objects.count() == 0
    assert Unit.objects.count() == 1


def test_it_refuses_a_kind_it_cannot_cut_and_changes_nothing(ws_a):
    unit = make_unit(
        ws_a,
        "video",
        "long-video",
        payload={
            "source": "https://media.example.com/a.mp4",
            "length_s": 900,
            "chapters": [{"title": "A", "start_s": 0}, {"title": "B", "start_s": 450}],
        },
    )
    with pytest.raises(ApiError) as exc:
        services.split_unit(unit=unit)
    assert exc.value.field == "duration_s"
    unit.refresh_from_db()
    assert unit.status == Status.DRAFT
    assert Unit.objects.count() == 1


def test_it_refuses_when_one_part_alone_is_over_the_limit(ws_a):
    unit = make_unit(
        ws_a,
        "guide",
        "huge-step",
        payload={
            "steps": [{"title": "Short", "body": words(10)}, {"title": "Huge", "body": words(1100)}]
        },
    )
    with pytest.raises(ApiError) as exc:
        services.split_unit(unit=unit)
    assert exc.value.field == "payload.steps.1"
    assert Unit.objects.count() == 1
