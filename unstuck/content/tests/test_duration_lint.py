"""Duration rules and lint rules, as tables."""

from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.content.duration import estimate_duration_s, format_s
from unstuck.content.lint import lint_content, split_suggestion

from .factories import payload


def words(n):
    return " ".join(["word"] * n)


DURATIONS = [
    # (kind, body_md, payload, seconds)
    ("guide", words(200), {"steps": [{"title": "Open"}]}, 60 + 0.3 + 10),
    (
        "guide",
        "",
        {"steps": [{"title": "a", "body": words(100)}, {"title": "b", "body": words(100)}]},
        (2 + 200) * 0.3 + 20,
    ),
    ("video", "", {"length_s": 95}, 95),
    (
        "video",
        words(20),
        {"length_s": 95, "chapters": [{"title": "x", "start_s": 0}, {"title": "y", "start_s": 40}]},
        95 + 6,
    ),
    ("audio", "", {"length_s": 120.4}, 120.4),
    ("checklist", "", {"items": [{"text": words(10)}, {"text": words(10)}]}, 2 * (3 + 5)),
    (
        "process_map",
        "",
        {"nodes": [{"label": "Start"}, {"label": "Decide now"}, {"label": "End"}]},
        4 * 0.3 + 3 * 8,
    ),
    ("quick_reference", "", {"sections": [{"title": "A", "body": words(99)}]}, 100 * 0.3),
    ("quiz", "", {"questions": [{}, {}, {}]}, 90),
    ("quiz", words(100), {"questions": [{}]}, 30 + 30),
]


@pytest.mark.parametrize(("kind", "body", "data", "seconds"), DURATIONS)
def test_the_duration_estimate_follows_the_rules(kind, body, data, seconds):
    import math

    assert estimate_duration_s(kind, body, data) == math.ceil(seconds)


def test_a_scenario_lasts_as_long_as_its_longest_path():
    short = {
        "nodes": [{"id": "a", "text": words(10), "choices": [{"text": "x", "outcome": "good"}]}]
    }
    assert estimate_duration_s("scenario", "", short) == 14  # (10 + 1) words * 0.3 + 10 s to decide
    longer = payload("scenario")
    # open -> fix is the longest path: both nodes' reading and two decisions.
    assert estimate_duration_s("scenario", "", longer) > 20
    one_node = {
        "start": "fix",
        "nodes": [n for n in longer["nodes"] if n["id"] == "fix"],
        "outcomes": longer["outcomes"],
    }
    assert estimate_duration_s("scenario", "", longer) > estimate_duration_s(
        "scenario", "", one_node
    )


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (45, "45s"), (60, "1m"), (185, "3m 05s")])
def test_durations_read_as_minutes_and_seconds(seconds, text):
    assert format_s(seconds) == text


def content(kind="guide", **extra):
    base = {
        "kind": kind,
        "title": "T",
        "summary": "S",
        "body_md": "",
        "payload": payload(kind),
        "duration_s": 120,
    }
    base.update(extra)
    return base


NOW = timezone.now()

LINT = [
    (content(duration_s=301), "error", "too_long"),
    (content(duration_s=29), "warning", "too_short"),
    (content(summary=""), "warning", "missing_summary"),
    (
        content(
            "quiz",
            payload={"questions": [{"choices": [{"text": "a", "correct": True, "feedback": ""}]}]},
        ),
        "warning",
        "quiz_without_feedback",
    ),
    (content("checklist", payload={"items": []}), "warning", "empty_checklist"),
    (
        content("video", payload={"source": "https://x/v.mp4", "length_s": 60}),
        "warning",
        "no_transcript",
    ),
]


@pytest.mark.parametrize(("unit", "level", "code"), LINT)
def test_lint_finds_each_problem(unit, level, code):
    issues = lint_content(unit, now=NOW)
    assert [(i.level, i.code) for i in issues] == [(level, code)]


def test_a_clean_unit_has_no_issues():
    assert lint_content(content(), now=NOW) == []


def test_an_expired_verification_is_a_warning():
    issues = lint_content(content(), review_due_at=NOW - timedelta(days=1), now=NOW)
    assert [i.code for i in issues] == ["verification_expired"]
    assert lint_content(content(), review_due_at=NOW + timedelta(days=1), now=NOW) == []


def test_a_long_guide_gets_a_split_into_parts_under_the_limit():
    data = {"steps": [{"title": f"Step {i}", "body": words(150)} for i in range(10)]}
    suggestion = split_suggestion("guide", "", data)
    assert len(suggestion["units"]) == 3
    assert all(u["duration_s"] <= 300 for u in suggestion["units"])
    fields = [f for u in suggestion["units"] for f in u["fields"]]
    assert fields == [f"payload.steps.{i}" for i in range(10)]
    assert suggestion["message"].startswith("Split into 3 units: step 1 “Step 0” to step")


def test_a_long_video_without_chapters_is_told_to_add_them():
    suggestion = split_suggestion("video", "", {"length_s": 900})
    assert suggestion["units"] == [] and "chapters" in suggestion["message"]


def test_a_long_body_splits_at_its_headings():
    body = "\n\n".join(f"## Part {i}\n\n{words(400)}" for i in range(3))
    suggestion = split_suggestion("quick_reference", body, {"sections": []})
    assert [p for u in suggestion["units"] for p in u["parts"]] == [
        "body section “Part 0”",
        "body section “Part 1”",
        "body section “Part 2”",
    ]
    assert len(suggestion["units"]) == 2
    assert all(u["duration_s"] <= 300 for u in suggestion["units"])
