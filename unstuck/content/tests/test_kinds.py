"""Each kind's payload rules, as a table: (kind, change to a valid payload, expected field)."""

import pytest

from unstuck.content.kinds import validate_payload
from unstuck.errors import ApiError

from .factories import payload


def _set(path, value):
    def change(p):
        node = p
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return p

    return change


def _append(path, value):
    def change(p):
        node = p
        for key in path:
            node = node[key]
        node.append(value)
        return p

    return change


CASES = [
    ("guide", _set(["steps"], []), "payload.steps"),
    ("guide", _set(["steps", 2, "title"], ""), "payload.steps.2.title"),
    ("guide", _set(["steps", 0, "colour"], "red"), "payload.steps.0.colour"),
    ("guide", _set(["steps", 1, "image"], "/etc/passwd"), "payload.steps.1.image"),
    ("video", _set(["length_s"], 0), "payload.length_s"),
    ("video", _set(["source"], "file:///tmp/x.mp4"), "payload.source"),
    ("video", _set(["transcript_vtt"], "not webvtt"), "payload.transcript_vtt"),
    (
        "video",
        _set(["transcript_vtt"], "WEBVTT\n\n00:00:01.000 --> 00:03:00.000\nToo long\n"),
        "payload.transcript_vtt",
    ),
    ("video", _set(["chapters", 1, "start_s"], 0), "payload.chapters.1.start_s"),
    ("video", _set(["chapters", 1, "start_s"], 500), "payload.chapters.1.start_s"),
    ("audio", _set(["length_s"], "long"), "payload.length_s"),
    ("checklist", _set(["items", 0, "required"], "maybe"), "payload.items.0.required"),
    ("checklist", _set(["items", 1, "text"], ""), "payload.items.1.text"),
    (
        "checklist",
        lambda p: {"items": [{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]},
        "payload.items.1.id",
    ),
    ("process_map", _set(["edges", 3, "to"], "nowhere"), "payload.edges.3.to"),
    ("process_map", _set(["nodes", 4, "type"], "start"), "payload.nodes"),
    ("process_map", _set(["nodes", 4, "type"], "finish"), "payload.nodes.4.type"),
    ("process_map", _set(["edges", 1, "label"], ""), "payload.edges.1.label"),
    (
        "process_map",
        _append(["nodes"], {"id": "island", "type": "end", "label": "Island"}),
        "payload.nodes.5",
    ),
    ("process_map", _set(["nodes", 0, "id"], "qualify"), "payload.nodes.1.id"),
    ("quick_reference", _set(["sections"], []), "payload.sections"),
    ("quick_reference", _set(["sections", 1, "body"], ""), "payload.sections.1.body"),
    ("quiz", _set(["questions", 0, "choices", 0, "correct"], False), "payload.questions.0.choices"),
    (
        "quiz",
        _set(["questions", 0, "choices"], [{"text": "only", "correct": True}]),
        "payload.questions.0.choices",
    ),
    ("quiz", _set(["questions", 0, "prompt"], ""), "payload.questions.0.prompt"),
    (
        "scenario",
        _set(["nodes", 0, "choices", 0, "next"], "missing"),
        "payload.nodes.0.choices.0.next",
    ),
    (
        "scenario",
        _set(["nodes", 1, "choices", 1, "outcome"], "great"),
        "payload.nodes.1.choices.1.outcome",
    ),
    (
        "scenario",
        _set(["nodes", 1, "choices", 1], {"text": "Both", "next": "open", "outcome": "ok"}),
        "payload.nodes.1.choices.1",
    ),
    (
        "scenario",
        _set(["nodes", 1, "choices", 1], {"text": "Again", "next": "open"}),
        "payload.nodes.1.choices.1.next",
    ),
    (
        "scenario",
        _set(["nodes", 0, "choices", 0], {"text": "Skip", "outcome": "ok"}),
        "payload.nodes.1",
    ),
    ("scenario", _set(["start"], "nope"), "payload.start"),
]


@pytest.mark.parametrize(("kind", "change", "field"), CASES)
def test_an_invalid_payload_names_the_exact_field(kind, change, field):
    with pytest.raises(ApiError) as caught:
        validate_payload(kind, change(payload(kind)))
    assert caught.value.field == field, caught.value.message
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "kind",
    ["guide", "video", "audio", "checklist", "process_map", "quick_reference", "quiz", "scenario"],
)
def test_every_example_payload_is_valid(kind):
    assert validate_payload(kind, payload(kind))


def test_quiz_and_checklist_items_get_stable_ids():
    quiz = validate_payload("quiz", payload("quiz"))
    assert quiz["questions"][0]["id"] == "q1"
    assert [c["id"] for c in quiz["questions"][0]["choices"]] == ["a", "b"]
    checklist = validate_payload("checklist", payload("checklist"))
    assert [i["id"] for i in checklist["items"]] == ["i1", "i2"]


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(ApiError) as caught:
        validate_payload("guide", ["step"])
    assert caught.value.field == "payload"
