"""Studio forms: parse what an author typed into the arguments of content services.

The services validate everything (and raise ApiError naming a field path); these forms
only turn text into values and put a service's error next to the field it names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import slugify

from unstuck.errors import ApiError

from .models import Kind

# One example payload per kind (the ones in docs/authoring.md): a new unit starts from it.
EXAMPLE_PAYLOADS: dict[str, dict[str, Any]] = {
    "guide": {
        "steps": [
            {"title": "Open the opportunity", "body": "Find it under **Pipeline**."},
            {
                "title": "Press Log a call",
                "body": "Next to the phone number.",
                "selector": "#log-call",
            },
        ]
    },
    "video": {
        "source": "https://media.example.com/log-a-call.mp4",
        "length_s": 95,
        "transcript_vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nOpen the opportunity.\n",
        "chapters": [{"title": "Find the button", "start_s": 0}, {"title": "Save", "start_s": 40}],
    },
    "audio": {
        "source": "https://media.example.com/forecast.mp3",
        "length_s": 120,
        "transcript": "Forecasting is about commit, not hope.",
    },
    "checklist": {
        "items": [{"text": "Customer named", "required": True}, {"text": "Next step agreed"}]
    },
    "process_map": {
        "nodes": [
            {"id": "start", "type": "start", "label": "Lead comes in"},
            {"id": "qualify", "type": "decision", "label": "Budget confirmed?"},
            {"id": "nurture", "type": "end", "label": "Nurture"},
            {"id": "propose", "type": "end", "label": "Send proposal"},
        ],
        "edges": [
            {"from": "start", "to": "qualify"},
            {"from": "qualify", "to": "nurture", "label": "no"},
            {"from": "qualify", "to": "propose", "label": "yes"},
        ],
    },
    "quick_reference": {
        "sections": [{"title": "Stages", "body": "- Qualify\n- Propose\n- Closed"}],
        "printable": True,
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
            }
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
                        "feedback": "Concrete.",
                        "outcome": "good",
                    }
                ],
            },
        ],
        "outcomes": {"good": "The customer thanks you.", "bad": "The call is escalated."},
    },
}


def payload_text(payload: Any) -> str:
    """A stored payload as the author edits it: without the server-rendered `*_html`."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.endswith("_html")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(payload or {}), indent=2, ensure_ascii=False)


def show_api_error(form: forms.Form, exc: ApiError, aliases: dict[str, str] | None = None) -> None:
    """Put a service error next to the field its path starts with (payload.steps.2.title
    goes on payload, with the full path in the message); else at the top of the form."""
    path = exc.field or ""
    head = path.split(".", 1)[0]
    name = (aliases or {}).get(head, head)
    message = exc.message
    if path and not message.startswith(path):
        message = f"{path}: {message}"
    form.add_error(name if name in form.fields else None, message)


class UnitForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=120,
        required=False,
        help_text="Letters, digits and dashes; made from the title when empty.",
    )
    kind = forms.ChoiceField(choices=Kind.choices)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
        help_text="Shown in lists and search results.",
    )
    body_md = forms.CharField(
        label="Body (Markdown)",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        strip=False,
    )
    skills = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(required=False, help_text="Separated by commas.")
    locale = forms.CharField(max_length=16, initial="en")
    review_interval_days = forms.IntegerField(label="Review every (days)", initial=180)
    payload = forms.CharField(
        label="Payload (JSON)",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        strip=False,
        help_text="What this kind needs; see docs/authoring.md.",
    )

    def __init__(
        self,
        *args: Any,
        skills: Sequence[tuple[str, str]] = (),
        lock_kind: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = list(skills)  # type: ignore[attr-defined]
        if lock_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "A published unit keeps its kind."

    def clean_payload(self) -> dict[str, Any]:
        text = self.cleaned_data["payload"].strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"payload: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("payload: must be a JSON object.")
        return value

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:120].strip("-")
        return data

    def unit_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "slug": d["slug"],
            "kind": d["kind"],
            "summary": d["summary"],
            "body_md": d["body_md"],
            "payload": d["payload"],
            "skills": list(d["skills"]),
            "tags": d["tags"],
            "locale": d["locale"],
            "review_interval_days": d["review_interval_days"],
        }


class PlaceForm(forms.Form):
    """Where a new unit is attached (the Insights "gap" it fills)."""

    host_app = forms.ChoiceField(label="Host app")
    url_pattern = forms.CharField(
        label="Page (path pattern)",
        max_length=500,
        help_text="e.g. /opportunities/:id/edit, or * for every page.",
    )
    field_name = forms.CharField(
        label="Field name",
        max_length=100,
        required=False,
        help_text="The form field's name attribute; empty for the whole page.",
    )
    trigger = forms.ChoiceField(
        choices=[
            ("field_focused", "When the field gets focus"),
            ("page_shown", "When the page is shown"),
        ]
    )
    presentation = forms.ChoiceField(
        choices=[("tooltip", "Tooltip on the field"), ("panel", "Suggestion in the help panel")]
    )
    task = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, host_apps: Sequence[tuple[str, str]] = (), **kwargs: Any):
        kwargs["prefix"] = "place"
        super().__init__(*args, **kwargs)
        self.fields["host_app"].choices = list(host_apps)  # type: ignore[attr-defined]

    def placement_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        name = d["field_name"].strip()
        fields: dict[str, Any] = {
            "host_app": d["host_app"],
            "url_pattern": d["url_pattern"].strip(),
            "trigger": d["trigger"],
            "presentation": d["presentation"],
            "name": f"{d['task'] or name or 'page'} on {d['url_pattern'].strip()}"[:200],
        }
        if name:
            fields["element"] = [{"name": name}, {"id": name}]
            fields["field_key"] = name
        return fields
