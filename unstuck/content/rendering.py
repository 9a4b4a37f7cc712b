"""Markdown to safe HTML, once, when a unit is saved.

CommonMark through markdown-it-py (with tables), then nh3 keeps only harmless tags and
attributes. Players never render Markdown at request time: every Markdown field of a
payload gets its `*_html` sibling filled here.

Input an author could not have meant is refused with a 400 naming the field instead of
being silently cleaned: NUL and other control characters, bodies over the size limit,
and raw `<script>`, `<iframe>`, `javascript:` URLs or `on...=` event-handler attributes.
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from markdown_it import MarkdownIt

from unstuck.errors import ApiError

MAX_BODY_CHARS = 100_000
MAX_PAYLOAD_CHARS = 600_000

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "kbd",
    "mark",
    "sub",
    "sup",
    "span",
    "div",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "*": {"lang"},
}

# C0 controls except tab, newline, carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
_DANGEROUS = [
    (
        re.compile(r"<\s*/?\s*(script|iframe|object|embed|frame|frameset|meta|base|form)\b", re.I),
        "raw <{0}> HTML is not allowed",
    ),
    (
        re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
        "event-handler attributes (on...=) are not allowed",
    ),
    (
        re.compile(r"(?:href|src)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):", re.I),
        "javascript:, vbscript: and data: links are not allowed",
    ),
    (
        re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript):", re.I),
        "javascript: links are not allowed",
    ),
]


def check_text(
    value: str, field: str, *, max_chars: int = MAX_BODY_CHARS, markup: bool = True
) -> None:
    """Refuse text that is broken or dangerous; `field` names it in the 400."""
    if len(value) > max_chars:
        raise ApiError(
            f"{field}: {len(value)} characters is over the limit of {max_chars}.",
            field=field,
            code="too_large",
            status=413 if max_chars >= MAX_BODY_CHARS else 400,
        )
    bad = _CONTROL.search(value)
    if bad:
        line = value.count("\n", 0, bad.start()) + 1
        raise ApiError(
            f"{field}: control character U+{ord(bad.group()):04X} on line {line}; remove it.",
            field=field,
        )
    if markup and ("<" in value or ":" in value):
        for pattern, message in _DANGEROUS:
            found = pattern.search(value)
            if found:
                name = found.group(1).lower() if found.groups() else ""
                raise ApiError(f"{field}: {message.format(name)}.", field=field, code="unsafe_html")


def render_markdown(text: str) -> str:
    if not text.strip():
        return ""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    ).strip()


# Markdown fields inside payloads, per kind: (list key, item field). Each gets `<field>_html`.
PAYLOAD_MARKDOWN: dict[str, list[tuple[str, str]]] = {
    "guide": [("steps", "body")],
    "checklist": [("items", "details")],
    "process_map": [("nodes", "description")],
    "quick_reference": [("sections", "body")],
    "quiz": [("questions", "explanation")],
}


def check_payload_text(kind: str, payload: dict[str, Any]) -> None:
    """Check every string in a payload: no control characters anywhere, no script-like
    markup (Markdown is rendered to HTML; plain text is shown escaped, but script-like
    input is still refused to catch paste accidents). Transcripts may be long and may
    quote code, so they get a larger limit and no markup check."""

    def walk(value: Any, path: list[str]) -> None:
        if isinstance(value, str):
            is_transcript = path[-1].startswith("transcript")
            check_text(
                value,
                ".".join(path),
                max_chars=500_000 if is_transcript else MAX_BODY_CHARS,
                markup=not is_transcript,
            )
        elif isinstance(value, dict):
            for k, v in value.items():
                if not str(k).endswith("_html"):
                    walk(v, [*path, str(k)])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, [*path, str(i)])

    walk(payload, ["payload"])


def render_payload(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Fill the `*_html` siblings of the payload's Markdown fields (in place; returned)."""
    for list_key, name in PAYLOAD_MARKDOWN.get(kind, []):
        for item in payload.get(list_key) or []:
            item[f"{name}_html"] = render_markdown(item.get(name) or "")
    return payload
