"""Valid payloads of every kind, and a helper to make units through the service."""

from __future__ import annotations

import copy
from typing import Any

VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
Open the opportunity and find the Log a call button.

00:00:04.000 --> 00:00:09.500
Pick the outcome, add a one-line note, and save.
"""

PAYLOADS: dict[str, dict[str, Any]] = {
    "guide": {
        "steps": [
            {"title": "Open the opportunity", "body": "Find it under **Pipeline**."},
            {
                "title": "Press Log a call",
                "body": "It is next to the phone number.",
                "selector": "#log-call",
            },
            {"title": "Save", "body": "Pick the outcome and save."},
        ]
    },
    "video": {
        "source": "https://media.example.com/log-a-call.mp4",
        "length_s": 95,
        "transcript_vtt": VTT,
        "chapters": [{"title": "Find the button", "start_s": 0}, {"title": "Save", "start_s": 40}],
    },
    "audio": {
        "source": "audio/forecast.mp3",
        "length_s": 120,
        "transcript": "Forecasting is about commit.",
    },
    "checklist": {
        "items": [{"text": "Customer named", "required": True}, {"text": "Next step agreed"}]
    },
    "process_map": {
        "nodes": [
            {"id": "start", "type": "start", "label": "Lead comes in"},
            {"id": "qualify", "type": "decision", "label": "Budget confirmed?"},
            {"id": "nurture", "type": "end", "label": "Nurture"},
            {"id": "propose", "type": "step", "label": "Send proposal"},
            {"id": "done", "type": "end", "label": "Closed"},
        ],
        "edges": [
            {"from": "start", "to": "qualify"},
            {"from": "qualify", "to": "nurture", "label": "no"},
            {"from": "qualify", "to": "propose", "label": "yes"},
            {"from": "propose", "to": "done"},
        ],
    },
    "quick_reference": {
        "sections": [
            {"title": "Stages", "body": "- Qualify\n- Propose\n- Negotiate\n- Closed"},
            {"title": "Shortcuts", "body": "| key | does |\n|---|---|\n| L | log a call |"},
        ]
    },
    "quiz": {
        "questions": [
            {
                "prompt": "When do you move a deal to Propose?",
                "choices": [
                    {
                        "text": "When budget is confirmed",
                        "correct": True,
                        "feedback": "Yes: budget first.",
                    },
                    {"text": "After the first call", "feedback": "Too early: no budget yet."},
                ],
            },
        ]
    },
    "scenario": {
        "start": "open",
        "nodes": [
            {
                "id": "open",
                "speaker": "Customer",
                "text": "This is the third time my invoice is wrong!",
                "choices": [
                    {
                        "text": "I am sorry. Let me look at it now.",
                        "feedback": "Acknowledge first.",
                        "next": "fix",
                    },
                    {
                        "text": "Please calm down.",
                        "feedback": "This tends to escalate.",
                        "outcome": "bad",
                    },
                ],
            },
            {
                "id": "fix",
                "speaker": "Customer",
                "text": "Fine. But fix it today.",
                "choices": [
                    {
                        "text": "I will correct it and email you by 3 pm.",
                        "feedback": "A concrete promise.",
                        "outcome": "good",
                    },
                    {"text": "I will try.", "feedback": "Vague.", "outcome": "ok"},
                ],
            },
        ],
        "outcomes": {
            "good": "The customer thanks you.",
            "ok": "The customer waits.",
            "bad": "Escalated.",
        },
    },
}


def payload(kind: str) -> dict[str, Any]:
    return copy.deepcopy(PAYLOADS.get(kind, {}))


def unit_body(kind: str = "guide", slug: str = "log-a-call", **extra: Any) -> dict[str, Any]:
    body = {
        "kind": kind,
        "slug": slug,
        "title": f"Log a call ({kind})",
        "summary": "Record a sales call in the CRM in under a minute.",
        "body_md": "Logging calls keeps the **forecast** honest.",
        "payload": payload(kind),
    }
    body.update(extra)
    return body


def make_unit(workspace, kind: str = "guide", slug: str = "log-a-call", **extra: Any):
    from unstuck.content import services

    body = unit_body(kind, slug, **extra)
    return services.create_unit(workspace=workspace, **body)
