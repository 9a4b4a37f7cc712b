"""Which placements apply to a page view: URL patterns, selectors and audiences.

Patterns match the path of the host page (query and fragment ignored, a trailing slash
is not significant):
  `*`                      every page
  `/contacts`              exactly that page
  `/contacts/*`            `/contacts` and everything below it (a final `*` spans `/`)
  `/opportunities/:id/edit` one segment per named part
  `/teams/*/members`       a `*` segment elsewhere is exactly one segment
  `/reports/*-summary`     `*` inside a segment matches any characters but `/`

Element selectors are tried in order by the widget; the first that finds an element
wins, so authors list the stable ones (id, name, data-*, aria-label) before the
brittle ones (text anchor, then CSS as a last resort).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from unstuck.errors import ApiError

_NAMED = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_ALLOWED_PATTERN = re.compile(r"^[A-Za-z0-9\-._~!$&'()+,;=:@%/*]*$")


def check_pattern(pattern: str, field: str = "url_pattern") -> str:
    """Return the normalised pattern or raise a 400 naming `field`."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise ApiError(f"{field}: give a path pattern such as /contacts/* or *.", field=field)
    if len(pattern) > 500:
        raise ApiError(f"{field}: at most 500 characters.", field=field)
    if pattern == "*":
        return pattern
    if pattern.startswith(("http://", "https://")):
        raise ApiError(
            f"{field}: use the path only (e.g. /contacts/*); the host app fixes the origin.",
            field=field,
        )
    if not pattern.startswith("/"):
        raise ApiError(
            f"{field}: a path pattern starts with / (or is * for every page).", field=field
        )
    if "?" in pattern or "#" in pattern:
        raise ApiError(
            f"{field}: query strings and fragments are not matched; remove them.", field=field
        )
    if not _ALLOWED_PATTERN.match(pattern):
        raise ApiError(
            f'{field}: spaces and characters like < > " {{ }} are not allowed.', field=field
        )
    for segment in pattern.split("/"):
        if ":" in segment and not re.fullmatch(r":[A-Za-z_][A-Za-z0-9_]*", segment):
            raise ApiError(
                f"{field}: a named part is a whole segment like /:id/ ({segment!r}).", field=field
            )
        if "**" in segment:
            raise ApiError(f"{field}: use a single * ({segment!r}).", field=field)
    names = _NAMED.findall(pattern)
    if len(names) != len(set(names)):
        raise ApiError(f"{field}: each named part may appear once.", field=field)
    return pattern if pattern == "/" else pattern.rstrip("/") or "/"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    if pattern == "*":
        return re.compile(r".*", re.S)
    parts = []
    segments = pattern.strip("/").split("/") if pattern != "/" else []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "*" and last:
            # `/contacts/*` also matches `/contacts` itself.
            parts.append(r"(?:/.*)?")
            continue
        if segment.startswith(":"):
            parts.append(rf"/(?P<{segment[1:]}>[^/]+)")
        elif segment == "*":
            parts.append(r"/[^/]+")
        else:
            parts.append("/" + "[^/]*".join(re.escape(p) for p in segment.split("*")))
    return re.compile("^" + "".join(parts) + "/?$" if parts else r"^/?$")


def first_literal_segment(pattern: str) -> str | None:
    """The first path segment when it is plain text (used to index patterns), else None."""
    if pattern in ("*", "/"):
        return None if pattern == "*" else ""
    first = pattern.strip("/").split("/", 1)[0]
    return None if ("*" in first or first.startswith(":")) else first


def path_of(url: str) -> str:
    """The path of a page URL (absolute or not), without query or fragment."""
    url = url or "/"
    if "://" in url:
        url = url.split("://", 1)[1]
        url = "/" + url.split("/", 1)[1] if "/" in url else "/"
    path = url.split("#", 1)[0].split("?", 1)[0] or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path


def first_segment_of(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def specificity(pattern: str) -> int:
    """More literal characters = more specific (breaks ties after priority)."""
    if pattern == "*":
        return 0
    return sum(
        len(s) for s in pattern.split("/") if s and "*" not in s and not s.startswith(":")
    ) * 4 + sum(1 for s in pattern.split("/") if s.startswith(":"))


# --- selectors ----------------------------------------------------------------------

SELECTOR_KINDS = ("id", "name", "data", "aria_label", "text", "css")


def check_selector(sel: Any, field: str) -> dict[str, Any]:
    if not isinstance(sel, dict) or len(sel) != 1:
        raise ApiError(
            f"{field}: a selector is one of {{{', '.join(SELECTOR_KINDS)}}} "
            'like {"id": "stage"}.',
            field=field,
        )
    ((kind, value),) = sel.items()
    if kind not in SELECTOR_KINDS:
        raise ApiError(
            f"{field}.{kind}: unknown selector; use one of {', '.join(SELECTOR_KINDS)}.",
            field=f"{field}.{kind}",
        )
    if kind == "data":
        if not isinstance(value, dict) or set(value) - {"attr", "value"} or "attr" not in value:
            raise ApiError(
                f'{field}.data: give {{"attr": "testid", "value": "stage"}}.', field=f"{field}.data"
            )
        attr = str(value["attr"])
        attr = attr[5:] if attr.startswith("data-") else attr
        if not re.fullmatch(r"[a-z][a-z0-9\-_.]*", attr):
            raise ApiError(
                f"{field}.data.attr: {value['attr']!r} is not a data attribute name.",
                field=f"{field}.data.attr",
            )
        clean: dict[str, Any] = {"attr": attr}
        if "value" in value:
            if not isinstance(value["value"], str) or len(value["value"]) > 200:
                raise ApiError(
                    f"{field}.data.value: a text of at most 200 characters.",
                    field=f"{field}.data.value",
                )
            clean["value"] = value["value"]
        return {"data": clean}
    if not isinstance(value, str) or not value.strip():
        raise ApiError(f"{field}.{kind}: must be a non-empty text.", field=f"{field}.{kind}")
    value = value.strip()
    if len(value) > 300:
        raise ApiError(f"{field}.{kind}: at most 300 characters.", field=f"{field}.{kind}")
    if kind == "css" and any(c in value for c in "{};"):
        raise ApiError(f"{field}.css: {value!r} is not a selector.", field=f"{field}.css")
    if kind == "id" and any(c.isspace() for c in value):
        raise ApiError(f"{field}.id: an id has no spaces.", field=f"{field}.id")
    return {kind: value}


def check_element(element: Any, field: str = "element") -> list[dict[str, Any]]:
    if element in (None, ""):
        return []
    if isinstance(element, dict):
        element = [element]
    if not isinstance(element, list):
        raise ApiError(f"{field}: a list of selectors, most stable first.", field=field)
    if len(element) > 8:
        raise ApiError(f"{field}: at most 8 fallback selectors.", field=field)
    return [check_selector(sel, f"{field}.{i}") for i, sel in enumerate(element)]


# --- audience -----------------------------------------------------------------------

AUDIENCE_KEYS = ("roles", "teams", "locales", "attributes")


def _text_list(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ApiError(f"{field}: a list of texts.", field=field)
    return [v.strip() for v in value]


def check_audience(audience: Any, field: str = "audience") -> dict[str, Any]:
    if audience in (None, ""):
        return {}
    if not isinstance(audience, dict):
        raise ApiError(f"{field}: an object with roles, teams, locales, attributes.", field=field)
    clean: dict[str, Any] = {}
    for key, value in audience.items():
        if key not in AUDIENCE_KEYS:
            raise ApiError(
                f"{field}.{key}: unknown; use {', '.join(AUDIENCE_KEYS)}.", field=f"{field}.{key}"
            )
        if key == "attributes":
            if not isinstance(value, dict):
                raise ApiError(
                    f'{field}.attributes: an object like {{"region": ["EU"]}}.',
                    field=f"{field}.attributes",
                )
            attrs = {}
            for name, allowed in value.items():
                if isinstance(allowed, (int, float, bool)):
                    allowed = [allowed]
                if not isinstance(allowed, list) or not allowed:
                    raise ApiError(
                        f"{field}.attributes.{name}: a value or a list of values.",
                        field=f"{field}.attributes.{name}",
                    )
                attrs[str(name)] = allowed
            if attrs:
                clean["attributes"] = attrs
        else:
            items = _text_list(value, f"{field}.{key}")
            if items:
                clean[key] = [i.lower() for i in items] if key == "locales" else items
    return clean


def audience_matches(audience: dict[str, Any], person: Any) -> bool:
    """Does `person` (an accounts.Person) belong to the audience? Empty parts match everyone."""
    if not audience:
        return True
    roles = audience.get("roles")
    if roles and (person.job_role or "") not in roles:
        return False
    teams = audience.get("teams")
    if teams and (person.team or "") not in teams:
        return False
    locales = audience.get("locales")
    if locales:
        loc = (person.locale or "").lower()
        if loc not in locales and loc.split("-")[0] not in locales:
            return False
    attrs = audience.get("attributes")
    if attrs:
        mine = person.attributes or {}
        for name, allowed in attrs.items():
            value = mine.get(name)
            values: Iterable[Any] = value if isinstance(value, list) else [value]
            if not any(v in allowed for v in values):
                return False
    return True
